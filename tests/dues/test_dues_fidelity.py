"""Issue 20: dues inputs (transfer 党费交至, 基数未核定, base 0) and study 自学, 成立日期 audit."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues import selectors, services
from dangjian.dues.grid import dues_grid, members_for
from dangjian.lifecycle.models import Transfer

pytestmark = pytest.mark.django_db


def _bases(branch, member, year, base="4000"):
    services.set_bases(branch=branch, year=year, rows=[services.BaseRow(member.pk, "在职", base)])


def test_transfer_with_dues_paid_to_starts_the_streak_after_that_month(world):
    m = world.members_b[0]
    m.joined_on = date(2010, 7, 1)
    m.save()
    _bases(world.branch_b, m, 2024)
    Transfer.objects.create(
        member=m,
        direction=Transfer.Direction.IN,
        reach=Transfer.Reach.BEYOND,
        branch=world.branch_b,
        other_org="外县某支部",
        date=date(2024, 3, 20),
        dues_paid_to="2024年3月",
    )
    md = dues_grid(members_for(world.branch_b).filter(pk=m.pk), until=date(2024, 8, 1))[m.pk]
    assert min(md.due) == date(2024, 4, 1)  # the month after 党费交至
    assert md.unpaid_streak(date(2024, 8, 1)) == 5  # Apr–Aug, not from 入党 or from January
    row = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2024, 9, 15))}[m.pk]
    assert row["streak"] == 5 and row["level"].is_warning  # Apr–Aug: five months, a warning only
    row = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2024, 10, 15))}[m.pk]
    assert row["streak"] == 6 and row["level"].is_over  # exactly six months


def test_transfer_without_dues_paid_to_starts_at_the_transfer_month(world):
    m = world.members_b[1]
    _bases(world.branch_b, m, 2024)
    Transfer.objects.create(
        member=m,
        direction=Transfer.Direction.IN,
        reach=Transfer.Reach.COUNTY,
        branch=world.branch_b,
        other_org="邻镇某支部",
        date=date(2024, 12, 31),  # the last day of the year
    )
    md = dues_grid(members_for(world.branch_b).filter(pk=m.pk), until=date(2024, 12, 1))[m.pk]
    assert list(md.due) == [date(2024, 12, 1)]


def test_year_without_base_says_unassessed_not_silence(world):
    m = world.members_b[2]
    _bases(world.branch_b, m, 2024)
    rows = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2025, 2, 10))}
    assert rows[m.pk]["unassessed"] is True  # 2025 has no base yet (January fell due)
    _bases(world.branch_b, m, 2025)
    rows = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2025, 2, 10))}
    assert rows[m.pk]["unassessed"] is False


def test_base_zero_refused_and_nothing_changed(world):
    m = world.members_b[0]
    with pytest.raises(services.DuesError, match="大于0"):
        _bases(world.branch_b, m, 2024, base="0")
    from dangjian.dues.models import DuesBase

    assert not DuesBase.objects.filter(member=m, year=2024).exists()


def test_self_study_counted_apart_from_32_hours(world):
    from dangjian.study import selectors as study
    from dangjian.study import services as study_services

    a = world.members_a[0]
    for kind, hours in (("集中学习", "8"), ("自学", "30")):
        study_services.add_activity(
            org=world.branch_a, kind=kind, on=date(2024, 4, 1), hours=Decimal(hours), topic=kind, member_ids=[a.pk]
        )
    assert study.member_hours(world.branch_a, 2024)[a.pk] == Decimal("8")
    assert study.self_study_hours(world.branch_a, 2024)[a.pk] == Decimal("30")
    mine = study.member_study(a, 2024)
    assert mine["total"] == Decimal("8") and mine["self_study"] == Decimal("30") and mine["shortfall"] == Decimal(24)


def test_editing_founded_on_is_audited_as_such(world):
    from auditlog.models import LogEntry

    from dangjian.orgs.services import update_org

    b = world.branch_b
    update_org(
        user=world.user("admin"),
        org=b,
        data={"founded_on": date(2024, 6, 1)},
        expected_version=b.version,
        today=date(2024, 7, 1),
    )
    notes = list(LogEntry.objects.filter(object_pk=str(b.pk)).values_list("changes_text", flat=True))
    assert any("修改成立日期" in n and "2024-06-01" in n for n in notes)

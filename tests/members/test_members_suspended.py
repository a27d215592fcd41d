"""停止党籍 members are not counted in the yearly figures while their 党籍 is stopped
(rules.membership.SUSPENDED_COUNTED_IN_FIGURES, decided once in members.selectors): members
counted, the 落实率 denominators (谈心谈话), 党章第九条, attendance, study, dues due and points."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.core import clock
from dangjian.dues.models import DuesBase
from dangjian.dues.selectors import dues_summary, year_grid
from dangjian.lifecycle import services as lifecycle
from dangjian.meetings.selectors import art9_members, compliance_summary, member_attendance
from dangjian.members.models import MemberEvent, Standing
from dangjian.members.selectors import members_as_of, members_during, structure_as_of, year_roster
from dangjian.points.selectors import points_summary
from dangjian.study.selectors import study_summary

TODAY = date(2026, 11, 29)
EK = MemberEvent.Kind


def _status(member, kind, on):
    member.refresh_from_db()
    return lifecycle.record_status(member=member, kind=kind, on=on, expected_version=member.version, today=on)


@pytest.fixture
def stopped(world):
    """赵六 stopped 2024-03-10, restored 2025-06-05; 钱一 stopped 2023-11-01, never restored."""
    zhao, qian = world.members_a[3], world.members_b[3]
    _status(zhao, EK.SUSPENDED, date(2024, 3, 10))
    _status(zhao, EK.RESTORED, date(2025, 6, 5))
    _status(qian, EK.SUSPENDED, date(2023, 11, 1))
    for m in (zhao, qian):
        for year in (2024, 2025):
            DuesBase.objects.create(member=m, year=year, category="农民", amount=Decimal("1.00"))
    return zhao, qian


def _ids(qs):
    return set(qs.values_list("id", flat=True))


def test_members_on_a_day_and_in_a_year(world, stopped):
    zhao, qian = stopped
    town = world.township
    assert zhao.id in _ids(members_as_of(town, date(2024, 3, 9)))
    assert zhao.id not in _ids(members_as_of(town, date(2024, 3, 10)))
    assert zhao.id not in _ids(members_as_of(town, date(2024, 12, 31)))
    assert zhao.id in _ids(members_as_of(town, date(2025, 12, 31)))  # restored
    assert qian.id in _ids(members_as_of(town, date(2023, 10, 31)))
    assert qian.id not in _ids(members_as_of(town, date(2026, 1, 1)))
    # during a year: stopped part of it still counts; stopped all of it does not
    assert zhao.id in _ids(members_during(town, 2024))
    assert qian.id in _ids(members_during(town, 2023))
    assert qian.id not in _ids(members_during(town, 2024))
    # the one roster read agrees with both querysets
    day = date(2024, 12, 31)
    rows = {r.id: r for r in year_roster.uncached(town, 2024, day)}
    assert {i for i, r in rows.items() if r.on_day} == _ids(members_as_of(town, day))
    assert {i for i, r in rows.items() if r.in_year} == _ids(members_during(town, 2024))
    assert structure_as_of(town, day)["total"] == 10 - 2
    assert structure_as_of(town, date(2025, 12, 31))["total"] == 10 - 1


def test_imported_as_stopped_without_events(world):
    """A roster imported with 党籍状态 停止党籍 (no events) is stopped on every day."""
    m = world.members_b[2]
    type(m).objects.filter(pk=m.pk).update(standing=Standing.SUSPENDED)
    assert m.id not in _ids(members_as_of(world.township, date(2020, 1, 1)))
    assert m.id not in _ids(members_during(world.township, 2024))


def test_yearly_figures_leave_them_out(world, stopped):
    zhao, qian = stopped
    town = world.township
    with clock.as_of(TODAY):
        # 党章第九条 and attendance: nobody expects anything of a stopped member
        assert qian.id not in {a["member_id"] for a in art9_members(town, today=TODAY, include_all=True)}
        assert qian.id not in member_attendance(town, 2024, today=TODAY)
        assert zhao.id in member_attendance(town, 2024, today=TODAY)
        # study counts the members at the year's end
        assert study_summary(town, 2024, today=TODAY).members == 8
        assert study_summary(town, 2025, today=TODAY).members == 9
        # the 落实率 denominator of 谈心谈话: branch A's members at the end of 2024 (赵六 stopped)
        talks = [
            r
            for r in compliance_summary(town, 2024, today=TODAY).branches
            if r["branch_id"] == world.branch_a.pk and r["kind_code"] == "heart_talk"
        ]
        assert talks and talks[0]["members"] == 4
        # points: a member stopped all year has no points total
        totals = points_summary(town, 2024, today=TODAY).member_totals
        assert qian.id not in totals and zhao.id in totals


def test_dues_not_due_while_stopped(world, stopped):
    zhao, qian = stopped
    with clock.as_of(TODAY):
        grid24 = year_grid(world.township, 2024, today=TODAY)
        grid25 = year_grid(world.township, 2025, today=TODAY)
    # stopped on 10 March: January to March were due (March partly a member), not April onwards
    assert sorted(m.month for m in grid24[zhao.id].due if m.year == 2024) == [1, 2, 3]
    # restored on 5 June: June onwards due again
    assert sorted(m.month for m in grid25[zhao.id].due if m.year == 2025) == list(range(6, 13))
    assert not [m for m in grid24[qian.id].due if m.year >= 2024]
    with clock.as_of(TODAY):
        assert dues_summary(world.township, 2024, today=TODAY).due >= Decimal("3.00")

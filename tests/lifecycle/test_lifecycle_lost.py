"""失联党员 (issue 20): what counts (recorded by the branch with a date), the 6-month line of
《不合格党员组织处置办法》 (more than 6 months, up to 2 years: a ground for 限期改正), alerts only,
and the member still counted in the branch."""

from datetime import date

import pytest
from django.utils import timezone

from dangjian.lifecycle import selectors, services
from dangjian.members.models import MemberEvent
from dangjian.orgs.selectors import overview
from dangjian.rules.dates import add_months
from dangjian.rules.mobile import lost_contact

pytestmark = pytest.mark.django_db


def test_six_month_and_two_year_lines():
    lost = date(2023, 8, 31)
    assert lost_contact(lost, date(2024, 2, 29)).band == "under_six_months"  # exactly six months (leap year)
    six = lost_contact(lost, date(2024, 3, 1))
    assert six.band == "over_six_months" and six.alert and "限期改正" in six.advice
    assert "不合格党员组织处置办法" in six.advice
    assert lost_contact(lost, date(2025, 8, 31)).band == "over_six_months"  # up to two years
    two = lost_contact(lost, date(2025, 9, 1))
    assert two.band == "over_two_years" and two.months == 24 and "已超出" in two.advice
    assert lost_contact(date(2024, 1, 15), date(2024, 3, 14)).months == 1


def _mark_lost(world, member, on):
    member.refresh_from_db()
    return services.record_status(
        member=member,
        kind=MemberEvent.Kind.LOST,
        on=on,
        expected_version=member.version,
        note="多次电话、走访未能联系",
        user=world.user("secretary_a"),
        today=timezone.localdate(),
    )


def test_lost_member_alerts_but_stays_on_the_roster_and_in_counts(world, client_for):
    today = timezone.localdate()
    total = overview(world.township)["members"]["total"]
    m = world.members_a[3]
    _mark_lost(world, m, add_months(today, -7))
    m.refresh_from_db()
    assert m.is_current and m.is_lost  # nothing is disposed of
    assert overview(world.township)["members"]["total"] == total  # still counted where the 组织关系 is
    rows = selectors.lost_rows(world.user("secretary_a"), today=today)
    assert [r.member.pk for r in rows] == [m.pk] and rows[0].status.band == "over_six_months"
    c = client_for("secretary_a")
    assert "失联超过六个月" in c.get("/").content.decode()  # home panel
    page = c.get("/lifecycle/mobile/").content.decode()
    assert "失联超过六个月" in page and "7个月" in page and "仍在本支部名册" in page
    assert "失联超过六个月" in c.get(f"/lifecycle/members/{m.pk}/").content.decode()
    summary = selectors.lifecycle_summary(world.township, today.year, today=today)
    assert (summary.lost, summary.lost_over_six_months, summary.lost_over_two_years) == (1, 1, 0)


def test_recently_lost_is_not_an_alert_and_found_clears_it(world, client_for):
    today = timezone.localdate()
    m = world.members_a[3]
    _mark_lost(world, m, add_months(today, -2))
    assert "失联超过六个月" not in client_for("secretary_a").get("/").content.decode()
    summary = selectors.lifecycle_summary(world.township, today.year, today=today)
    assert (summary.lost, summary.lost_over_six_months) == (1, 0)
    m.refresh_from_db()
    services.record_status(member=m, kind=MemberEvent.Kind.FOUND, on=today, expected_version=m.version, today=today)
    assert selectors.lost_rows(world.user("secretary_a"), today=today) == []


def test_summary_judges_a_past_year_on_its_last_day(world):
    m = world.members_a[3]
    _mark_lost(world, m, date(2022, 3, 1))
    # judged on 2022-12-31: nine months; on 2024-12-31: more than two years
    assert selectors.lifecycle_summary(world.township, 2022).lost_over_six_months == 1
    assert selectors.lifecycle_summary(world.township, 2024).lost_over_two_years == 1


def test_art9_list_shows_the_lost_band_beside_the_alert(world):
    from dangjian.meetings.selectors import art9_members

    today = timezone.localdate()
    m = world.members_a[3]
    _mark_lost(world, m, add_months(today, -9))
    rows = {r["member_id"]: r for r in art9_members.uncached(world.township, today=today, include_all=True)}
    assert rows[m.pk]["is_lost"] and rows[m.pk]["lost"] == "失联超过六个月"
    other = world.members_a[2]
    assert not rows[other.pk]["is_lost"] and rows[other.pk]["lost"] == ""

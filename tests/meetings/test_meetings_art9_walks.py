"""The yearly attendance figures and the 党章第九条 walk read from plain rows into one small
shared value (meetings.selectors.attendance_walks, issue 16 item 5) give the numbers the
walk over the ORM's member-month dicts gave: the tiny demo (transfers out
and in mid-year, members who joined, died or left, 流动党员) with its attendance statuses
shuffled so every combination occurs, judged on several days and years."""

import random
from datetime import date, time

import pytest
from django.db.models import Q

from dangjian.core import clock
from dangjian.meetings import selectors
from dangjian.meetings.models import Attendance
from dangjian.meetings.types import MemberAttendance
from dangjian.members.models import Member
from dangjian.members.selectors import roster_on, year_roster
from dangjian.rules import membership
from dangjian.rules.dates import ym_add
from dangjian.testsupport.world import add_township, module_data, tiny_demo

S = Attendance.Status
TODAY = date(2024, 8, 20)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        ctx = tiny_demo(3, today=TODAY)  # township, lifecycle (transfers, deaths, joins), meetings
        # Every kind of month: attended, excused, absent, 流入地, and mixes within a month.
        rng = random.Random(16)
        rows = list(Attendance.objects.all())
        for a in rows:
            a.status = rng.choice([S.PRESENT, S.EXCUSED, S.ABSENT, S.ABSENT, S.ABSENT])
            a.attended_elsewhere = rng.random() < 0.08
        Attendance.objects.bulk_update(rows, ["status", "attended_elsewhere"], batch_size=500)
        # A member moved to another branch mid-year keeps the attendance of the old one.
        moved = Member.objects.filter(is_current=True, attendance__isnull=False).distinct().first()
        other = [b for b in ctx.branches if b.pk != moved.branch_id][0]
        Member.objects.filter(pk=moved.pk).update(branch=other)
        # One to another township (the county's figures are composed of its townships'), and one
        # whose organisation is the 区委 itself (in no township).
        with_attendance = Member.objects.filter(is_current=True, attendance__isnull=False).exclude(pk=moved.pk)
        second, far_branch = add_township(ctx.district, "第二镇党委", "第二镇甲村党支部")
        ctx.townships.append(second)
        far = with_attendance.distinct().first()
        Member.objects.filter(pk=far.pk).update(branch=far_branch)
        near = with_attendance.exclude(pk=far.pk).distinct().first()
        Member.objects.filter(pk=near.pk).update(branch=ctx.district)
        yield ctx


def _ok_missed(months: dict) -> tuple[set, set]:
    ok = {ym for ym, r in months.items() if r["attended"] or r["excused"]}
    missed = {ym for ym, r in months.items() if r["unexcused"] and ym not in ok}
    return ok, missed


def _window(root, end: date) -> dict:
    start_ym = ym_add((end.year, end.month), -(selectors.ART9_WINDOW_MONTHS - 1))
    return selectors._monthly_attendance({"member__branch__path__startswith": root.path}, date(*start_ym, 1), end)


def python_member_attendance(root, year: int, today: date) -> dict:
    """The member-by-member walk member_attendance did before (every member-month in Python)."""
    end = min(date(year, 12, 31), today)
    ids = [m.id for m in year_roster.uncached(root, year, clock.judged_at(year, today)) if m.in_year]
    result = {mid: MemberAttendance() for mid in ids}
    for mid, window in _window(root, end).items():
        months = {ym: v for ym, v in window.items() if ym[0] == year}
        if mid not in result or not months:
            continue
        attended = sum(v["attended"] for v in months.values())
        expected = sum(v["total"] for v in months.values())
        ok, missed = _ok_missed(months)
        result[mid] = MemberAttendance(
            attended=attended,
            excused=sum(v["excused"] for v in months.values()),
            unexcused=sum(v["unexcused"] for v in months.values()),
            expected=expected,
            rate=attended / expected if expected else None,
            longest_gap=membership.attendance_gap_runs(ok, missed, (year, 1), (end.year, end.month))[0],
        )
    return result


def python_art9(root, today: date) -> list[tuple]:
    end_ym = (today.year, today.month)
    start_ym = ym_add(end_ym, -(selectors.ART9_WINDOW_MONTHS - 1))
    data = _window(root, today)
    out = []
    for m in roster_on(root, today):
        ok, missed = _ok_missed(data.get(m.id, {}))
        current = membership.attendance_gap_runs(ok, missed, start_ym, end_ym)[1]
        last = max(ok, default=None)
        out.append((m.id, current, f"{last[0]}年{last[1]}月" if last else None))
    return sorted(out)


DAYS = [date(2023, 6, 30), date(2023, 12, 31), date(2024, 1, 31), date(2024, 3, 10), TODAY]


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS)
def test_member_attendance_equals_the_member_month_walk(demo, today):
    for root in (demo.district, demo.townships[0], *demo.branches[:3]):
        for year in {today.year - 1, today.year}:
            mine = selectors.member_attendance.uncached(root, year, today=today)
            assert mine == python_member_attendance(root, year, today), (root.name, year)
    # The data is varied enough to test something: gaps, rates, people with nothing expected.
    county = selectors.member_attendance.uncached(demo.district, 2023, today=today)
    assert any(a.longest_gap >= 2 for a in county.values())
    assert any(0 < (a.rate or 0) < 1 for a in county.values())


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS)
def test_art9_equals_the_member_month_walk(demo, today):
    for root in (demo.district, demo.townships[0], *demo.branches[:3]):
        rows = selectors.art9_members.uncached(root, today=today, include_all=True)
        assert sorted((r["member_id"], r["gap_months"], r["last_attended"]) for r in rows) == python_art9(root, today)
        alerts = selectors.art9_members.uncached(root, today=today)
        assert [r["member_id"] for r in alerts] == [r["member_id"] for r in rows if r["status"] is not None], (
            "the alert list is the members at a level, in the same order"
        )
    gaps = [r["gap_months"] for r in selectors.art9_members.uncached(demo.district, today=today, include_all=True)]
    assert max(gaps) >= 2 and 0 in gaps


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS)
def test_the_county_figures_composed_of_its_townships_equal_one_reading_of_the_county(demo, today):
    """orgs.selectors.parts_of: the 区委's roster and walks are its townships' (each cached on
    its own) and those of members of the 区委 itself: the same rows, in the same order, as one
    query over everything under it."""
    from dangjian.members.selectors import _year_roster_rows
    from dangjian.orgs.selectors import parts_of

    district = demo.district
    assert len(parts_of(district)) == len(demo.townships) >= 2
    assert parts_of(demo.townships[0]) == [] and parts_of(demo.branches[0]) == []
    everything = Q(member__branch__path__startswith=district.path)
    assert selectors.attendance_walks.uncached(district, today) == selectors._walks(everything, today)
    for year in {today.year - 1, today.year}:
        day = clock.judged_at(year, today)
        whole = _year_roster_rows(Member.objects.filter(branch__path__startswith=district.path), year, day)
        assert year_roster.uncached(district, year, day) == whole
        # Both moves are in it: the member of the 区委 itself, the one in the second township.
        assert demo.district.pk in {r.branch_id for r in whole}
        assert year_roster.uncached(demo.townships[-1], year, day)


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS)
def test_the_county_summary_composed_of_its_townships_equals_the_county_computed_whole(demo, today, monkeypatch):
    """compliance_summary of the 区委 is its townships' summaries added up (and the 区委's own
    meetings and members): every field equals the summary computed over the whole county at
    once — rates, rows in tree order, the heatmap in its order, Art. 9 counts."""
    from dangjian.meetings.models import Kind, Meeting, MeetingKindLink
    from dangjian.members import selectors as member_selectors

    # A meeting of the 区委 itself (in no township) belongs to the county's figures only.
    m = Meeting.objects.create(
        org=demo.district, branch=demo.district, date=date(2024, 3, 5), start_time=time(9), end_time=time(11),
        place="区委会议室", topic="区委理论学习", minutes="学习内容" * 10,
    )  # fmt: skip
    MeetingKindLink.objects.create(meeting=m, kind=Kind.PARTY_LECTURE, branch=demo.district, date=m.date)
    for year in {today.year - 1, today.year}:
        composed = selectors.compliance_summary.uncached(demo.district, year, today=today)
        with monkeypatch.context() as p:
            p.setattr(selectors, "parts_of", lambda root: [])
            p.setattr(member_selectors, "parts_of", lambda root: [])
            whole = selectors.compliance_summary.uncached(demo.district, year, today=today)
        assert composed == whole, (year, today)
        # After a restart the townships come out of one computation over the county: each is
        # the township's own summary.
        split = selectors._split_summaries(demo.district, demo.townships, year, today)
        for t in demo.townships:
            assert split[t.pk] == selectors.compliance_summary.uncached(t, year, today=today), t.name
    assert composed.branches and composed.heatmap["rows"] and composed.required_periods

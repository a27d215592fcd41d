"""A county's study figures are composed of its townships' (orgs.selectors.parts_of, issue 16
item 5): member_hours, study_summary and plan_progress of the 区委 equal
the same figures computed over the whole county at once — on the tiny demo with a second
township, members moved across townships (keeping the 党课 they attended in the first), one
member of the 区委 itself, a 区委 党课 attended from a township, and a 区委 plan in one year only
(the other year the second township has no plan: its branches are listed without items)."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.cache import cache

from dangjian.meetings import selectors as meeting_selectors
from dangjian.members import selectors as member_selectors
from dangjian.members.models import Member
from dangjian.orgs import selectors as org_selectors
from dangjian.study import plan_selectors, selectors
from dangjian.testsupport.world import add_township, module_data, tiny_demo

TODAY = date(2024, 8, 20)
DAYS = [date(2024, 3, 31), TODAY, date(2025, 1, 10)]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker):
        ctx = tiny_demo(4, today=TODAY)  # township, lifecycle, meetings, study
        from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
        from dangjian.orgs.models import Organization
        from dangjian.study.models import PlanItem, StudyActivity, StudyKind, StudyPlan, StudyRecord

        district = Organization.objects.get(pk=ctx.district.pk)
        second, far_branch = add_township(district, "第二镇党委", "第二镇甲村党支部")
        ctx.townships.append(second)
        ctx.far_branch = far_branch
        # Members who attended 党课 and have study records: two move to the second township
        # (their 党课 stay the first township's), one to the 区委 itself.
        studied = Member.objects.filter(
            is_current=True,
            study_records__isnull=False,
            attendance__status=Attendance.Status.PRESENT,
            attendance__meeting__kind_links__kind=Kind.PARTY_LECTURE,
            attendance__meeting__date__year=2024,
        )
        ids = list(studied.distinct().order_by("id").values_list("id", flat=True)[:3])
        assert len(ids) == 3
        Member.objects.filter(pk__in=ids[:2]).update(branch=far_branch)
        Member.objects.filter(pk=ids[2]).update(branch=district)
        ctx.moved = ids
        # A 党课 of the 区委 itself, attended by a township member and the 区委's own member.
        m = Meeting.objects.create(
            org=district, branch=district, date=date(2024, 3, 5), start_time=time(9), end_time=time(11, 40),
            place="区委会议室", topic="区委党课", minutes="学习内容" * 10,
        )  # fmt: skip
        MeetingKindLink.objects.create(meeting=m, kind=Kind.PARTY_LECTURE, branch=district, date=m.date)
        township_member = Member.objects.filter(is_current=True).exclude(pk__in=ids).first()
        for mid in (ids[2], township_member.pk, ids[0]):
            Attendance.objects.create(meeting=m, member_id=mid, status=Attendance.Status.PRESENT)
        # A 区委 study activity with a record of its own member, and a 区委 plan for 2023 only.
        act = StudyActivity.objects.create(
            org=district, kind=StudyKind.CENTRAL, date=date(2024, 4, 2), hours=Decimal("3.5"), topic="区委集中学习"
        )
        StudyRecord.objects.create(activity=act, member_id=ids[2], hours=Decimal("3.5"))
        plan = StudyPlan.objects.create(org=district, year=2023, title="区委2023年学习计划")
        item = PlanItem.objects.create(plan=plan, month_from=5, month_to=6, topic="区委专题", hours=Decimal("2"))
        StudyActivity.objects.create(
            org=far_branch, kind=StudyKind.CENTRAL, date=date(2023, 6, 2), hours=Decimal("2"), topic="落实区委专题",
            plan_item=item,
        )  # fmt: skip
        yield ctx


def _whole(monkeypatch, fn):
    """fn() computed over the whole county at once (no parts), from an empty cache."""
    cache.clear()
    with monkeypatch.context() as p:
        for module in (org_selectors, meeting_selectors, member_selectors):
            p.setattr(module, "parts_of", lambda root: [])
        return fn()


@pytest.mark.django_db
@pytest.mark.parametrize("today", DAYS)
def test_the_county_study_figures_composed_of_its_townships_equal_the_county_computed_whole(demo, today, monkeypatch):
    district = demo.district
    assert len(org_selectors.parts_of(district)) == 2
    for year in (2023, 2024):
        cache.clear()
        hours = selectors.member_hours.uncached(district, year)
        summary = selectors.study_summary.uncached(district, year, today=today)
        cache.clear()
        progress = plan_selectors.plan_progress.uncached(district, year, as_of=today)

        assert hours == _whole(monkeypatch, lambda: selectors.member_hours.uncached(district, year)), year
        assert summary == _whole(monkeypatch, lambda: selectors.study_summary.uncached(district, year, today=today))
        assert progress == _whole(
            monkeypatch, lambda: plan_selectors.plan_progress.uncached(district, year, as_of=today)
        ), (year, today)
        assert hours and summary.by_branch and progress.has_plan
    # The moved members' 学时 are counted where they are now, 党课 of the first township included:
    # the same number as on their own page (member_study), none left behind in the first.
    first, second = demo.townships[0], demo.townships[-1]
    cache.clear()
    for mid in demo.moved[:2]:
        member = Member.objects.get(pk=mid)
        own = selectors.member_study(member, 2024)
        lecture_items = [x for x in own["items"] if x["kind"] == "党课"]
        assert lecture_items and all(x["source"] == "党课会议出席记录（自动计入）" for x in lecture_items)
        assert selectors.member_hours.uncached(second, 2024)[mid] == own["total"]
        assert selectors.member_hours.uncached(demo.far_branch, 2024)[mid] == own["total"]
        assert mid not in selectors.member_hours(first, 2024)
    # 2023: the 区委's item is in the second township's rows; 2024: it has no plan, no items.
    far = demo.far_branch.pk
    rows23 = {b.branch_id: b for b in plan_selectors.plan_progress(district, 2023, as_of=today).branches}
    rows24 = {b.branch_id: b for b in plan_selectors.plan_progress(district, 2024, as_of=today).branches}
    assert [i.topic for i in rows23[far].items] == ["区委专题"] and rows23[far].items[0].done
    assert rows24[far].items == () and not plan_selectors.plan_progress(second, 2024, as_of=today).has_plan

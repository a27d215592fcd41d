"""The 区委's study figures (member_hours, plan_progress) are its townships',
each cached under its own tokens (orgs.selectors.parts_of, core.figures.parts): after a
committed write in one township only that township is read again, the others come from the
cache, and the county's value shows the write.

Committed for real (transactional_db): the cache tokens move on commit."""

from datetime import date, time
from decimal import Decimal

import pytest

from dangjian.core import clock
from dangjian.testsupport.world import add_township


@pytest.fixture
def world(committed_world):
    return committed_world


def test_a_write_in_one_township_recomputes_only_its_part_of_the_county_study(world, monkeypatch):
    from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
    from dangjian.study import plan_selectors, selectors
    from dangjian.study.models import PlanItem, StudyActivity, StudyKind, StudyPlan, StudyRecord
    from dangjian.testsupport.world import make_member

    other, branch = add_township(world.district, "另一镇党委", "另一镇支部")
    newcomer = make_member(branch, name="新来")
    year = clock.today().year
    as_of = clock.today()
    plan = StudyPlan.objects.create(org=world.district, year=year, title="区委学习计划")
    item = PlanItem.objects.create(plan=plan, month_from=1, month_to=1, topic="区委专题", hours=Decimal("2"))

    reads, progress = [], []
    real_hours, real_progress = selectors._hours, plan_selectors._progress
    monkeypatch.setattr(selectors, "_hours", lambda w, y, **kw: reads.append(w) or real_hours(w, y, **kw))
    monkeypatch.setattr(
        plan_selectors, "_progress", lambda r, c, y, a: progress.append([o.pk for o in c]) or real_progress(r, c, y, a)
    )
    townships = [world.township.pk, other.pk]
    before = selectors.member_hours(world.district, year)
    # The 区委's own members, then both townships in one read.
    assert len(reads) == 2
    plan_before = plan_selectors.plan_progress(world.district, year, as_of=as_of)
    assert progress == [townships]
    reads.clear(), progress.clear()

    # A committed write in the second township: a 党课 its member attended, a record, and a
    # study activity carrying out the 区委's item.
    m = Meeting.objects.create(
        org=branch, branch=branch, date=date(year, 1, 5), start_time=time(9), end_time=time(11),
        place="会议室", topic="另一镇党课", minutes="会议内容" * 10,
    )  # fmt: skip
    MeetingKindLink.objects.create(meeting=m, kind=Kind.PARTY_LECTURE, branch=branch, date=m.date)
    Attendance.objects.create(meeting=m, member=newcomer, status=Attendance.Status.PRESENT)
    act = StudyActivity.objects.create(
        org=branch, kind=StudyKind.CENTRAL, date=date(year, 1, 6), hours=Decimal("1.5"), topic="专题", plan_item=item
    )
    StudyRecord.objects.create(activity=act, member=newcomer, hours=Decimal("1.5"))

    after = selectors.member_hours(world.district, year)
    from django.db.models import Q

    assert reads == [Q(member__branch_id=world.district.pk), Q(member__branch__path__startswith=other.path)]
    assert after[newcomer.pk] == Decimal("3.5") and newcomer.pk not in before  # 1.5 recorded + the 2-hour 党课
    assert {k: v for k, v in after.items() if k != newcomer.pk} == before
    plan_after = plan_selectors.plan_progress(world.district, year, as_of=as_of)
    assert progress == [[other.pk]]  # the first township's rows are cached
    done = {b.branch_id: b.items[0].done for b in plan_after.branches}
    assert done[branch.pk] and done == {**{b.branch_id: b.items[0].done for b in plan_before.branches}, branch.pk: True}

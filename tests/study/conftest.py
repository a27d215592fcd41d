from datetime import date, time
from decimal import Decimal

import pytest

PLAN_YEAR = 2024


@pytest.fixture
def plan(world):
    """The township's 2024 学习计划 with three items: March, June and November (2 学时 each)."""
    from dangjian.study import plan_services

    p = plan_services.create_plan(
        org=world.township, year=PLAN_YEAR, user=world.user("admin"), today=date(2024, 12, 31)
    )
    items = [
        plan_services.add_item(
            plan=p,
            data=plan_services.ItemInput(month_from=m, month_to=m, topic=f"{m}月专题", hours=Decimal("2")),
        )
        for m in (3, 6, 11)
    ]
    return p, items


@pytest.fixture
def carry_out(world):
    """carry_out(items, meeting_branch=, meeting_topic=): branch A carries out March (items[0]) by a
    集中学习 of its members; `meeting_branch` carries out June (items[1]) by a meeting on June 8th."""
    from dangjian.meetings.models import Meeting
    from dangjian.study import plan_services, services
    from dangjian.study.models import StudyKind

    def do(items, *, meeting_branch, meeting_topic):
        services.add_activity(
            org=world.branch_a,
            kind=StudyKind.CENTRAL,
            on=date(PLAN_YEAR, 3, 20),
            hours=Decimal("2"),
            topic="3月专题",
            member_ids=[m.pk for m in world.members_a],
            plan_item=items[0],
            today=date(2024, 12, 31),
        )
        meeting = Meeting.objects.create(
            org=meeting_branch,
            branch=meeting_branch,
            date=date(PLAN_YEAR, 6, 8),
            start_time=time(9),
            end_time=time(11),
            topic=meeting_topic,
            place="活动室",
        )
        plan_services.link_meeting(item=items[1], meeting=meeting)
        return meeting

    return do


@pytest.fixture
def lecture(world):
    """A 党课 meeting of branch A, 14:00–16:30 (2.5 学时), attended by members 0–2, member 3 absent."""
    from datetime import date, time

    from django.utils import timezone

    from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink

    d = date(timezone.localdate().year, 3, 12)
    m = Meeting.objects.create(
        org=world.branch_a,
        branch=world.branch_a,
        date=d,
        start_time=time(14),
        end_time=time(16, 30),
        place="党员活动室",
        topic="坚定理想信念",
    )
    MeetingKindLink.objects.create(meeting=m, kind=Kind.PARTY_LECTURE, branch=world.branch_a, date=d)
    for i, member in enumerate(world.members_a[:4]):
        Attendance.objects.create(
            meeting=m, member=member, status=Attendance.Status.PRESENT if i < 3 else Attendance.Status.ABSENT
        )
    return m

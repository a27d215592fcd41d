from datetime import date, time

import pytest


def make_meeting(
    branch, kind="committee_meeting", on=date(2023, 12, 10), topic="支委会研究民主评议等次", present=(), absent=()
):
    from dangjian.meetings.models import Attendance, Meeting, MeetingKindLink

    m = Meeting.objects.create(
        org=branch, branch=branch, date=on, start_time=time(9), end_time=time(11), place="党员活动室", topic=topic
    )
    MeetingKindLink.objects.create(meeting=m, kind=kind, branch=branch, date=on)
    for member in present:
        Attendance.objects.create(meeting=m, member=member, status=Attendance.Status.PRESENT)
    for member in absent:
        Attendance.objects.create(meeting=m, member=member, status=Attendance.Status.ABSENT)
    return m


@pytest.fixture
def meeting_a(world):
    return make_meeting(world.branch_a)


@pytest.fixture
def meeting_b(world):
    return make_meeting(world.branch_b)


@pytest.fixture
def meeting_factory(world):
    return make_meeting

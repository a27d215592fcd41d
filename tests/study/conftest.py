import pytest


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

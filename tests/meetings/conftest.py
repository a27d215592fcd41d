from datetime import date, time

import pytest

from dangjian.meetings import services
from dangjian.meetings.models import Attendance, Kind


@pytest.fixture
def record(world):
    """record(org, kinds, day, statuses={member: (status, reason)}) -> Meeting, recorded on the day itself."""

    def make(org, kinds, day: date, statuses=None, *, start=time(9, 0), end=time(10, 30), elsewhere=()):
        statuses = statuses or {}
        expected = services.expected_members(org, kinds, day)
        rows = []
        for m in expected:
            status, reason = statuses.get(m.id, (Attendance.Status.PRESENT, ""))
            rows.append(services.AttendanceInput(m.id, status, reason, m.id in elsewhere))
        data = services.MeetingInput(
            org=org,
            kinds=list(kinds),
            date=day,
            start_time=start,
            end_time=end,
            place="活动室",
            topic="测试会议",
            attendance=rows,
        )
        meeting, _w = services.record_meeting(user=world.user("secretary_a"), data=data, today=day)
        return meeting

    return make


K = Kind

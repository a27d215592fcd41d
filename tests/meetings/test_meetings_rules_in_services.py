from datetime import date, datetime, time

import pytest
from django.utils import timezone

from dangjian.meetings import selectors, services
from dangjian.meetings.models import Attendance, Kind, Meeting

pytestmark = pytest.mark.django_db
S = Attendance.Status


def _monthly(world, record, statuses_for_month):
    for mo in range(1, 13):
        record(world.branch_a, [Kind.THEME_DAY], date(2023, mo, 10), statuses_for_month(mo))


def test_art9_six_unexcused_months_listed_all_excused_not(world, record):
    a = world.members_a

    def statuses(mo):
        s = {}
        if mo >= 7:
            s[a[2].id] = (S.ABSENT, "")  # 王五: Jul–Dec unexcused → six months
            s[a[3].id] = (S.EXCUSED, "外出务工")  # 赵六: all excused
        if mo >= 9:
            s[a[1].id] = (S.ABSENT, "")  # 李四: four months → early warning
        return s

    _monthly(world, record, statuses)
    alerts = {r["name"]: r for r in selectors.art9_members(world.township, today=date(2024, 1, 20))}
    assert alerts["王五"]["gap_months"] == 6 and alerts["王五"]["status"] == "达到六个月"
    assert alerts["李四"]["gap_months"] == 4 and alerts["李四"]["status"] == "预警"
    assert "赵六" not in alerts and "张三" not in alerts
    assert alerts["王五"]["last_attended"] == "2023年6月"
    s = selectors.compliance_summary(world.township, 2023, today=date(2024, 1, 20))
    assert (s.art9.over, s.art9.warning) == (1, 1)


def test_art9_elsewhere_counts_as_taking_part(world, record):
    a = world.members_a
    _monthly(world, record, lambda mo: {a[2].id: (S.ABSENT, "")} if mo >= 5 else {})
    alerts = {r["name"] for r in selectors.art9_members(world.township, today=date(2024, 1, 20))}
    assert "王五" in alerts
    Attendance.objects.filter(member=a[2], meeting__date__month=9).update(attended_elsewhere=True)
    alerts = {r["name"]: r for r in selectors.art9_members(world.township, today=date(2024, 1, 20), include_all=True)}
    assert alerts["王五"]["gap_months"] == 3 and alerts["王五"]["status"] is None


def _input(world, day, **kw):
    rows = [services.AttendanceInput(m.id) for m in services.expected_members(world.branch_a, [Kind.THEME_DAY], day)]
    data = {
        "org": world.branch_a,
        "kinds": [Kind.THEME_DAY],
        "date": day,
        "start_time": time(15),
        "end_time": time(17),
        "place": "活动室",
        "topic": "主题党日",
        "attendance": rows,
    }
    data.update(kw)
    return services.MeetingInput(**data)


def test_late_record_without_reason_refused_with_a_clear_message(world):
    with pytest.raises(services.MeetingError) as exc:
        services.record_meeting(
            user=world.user("secretary_a"), data=_input(world, date(2023, 3, 1)), today=date(2023, 3, 20)
        )
    assert "补录" in str(exc.value) and "原因" in str(exc.value)
    assert not Meeting.objects.exists()
    m, _ = services.record_meeting(
        user=world.user("secretary_a"),
        today=date(2023, 3, 20),
        data=_input(world, date(2023, 3, 1), late_reason="纸质记录整理后补录"),
    )
    assert m.is_late and m.late_reason == "纸质记录整理后补录"
    m2, _ = services.record_meeting(
        user=world.user("secretary_a"), data=_input(world, date(2023, 3, 13)), today=date(2023, 3, 20)
    )
    assert not m2.is_late


def test_excused_without_reason_refused(world):
    data = _input(world, date(2023, 3, 1))
    data.attendance[1].status = S.EXCUSED
    with pytest.raises(services.MeetingError) as exc:
        services.record_meeting(user=world.user("secretary_a"), data=data, today=date(2023, 3, 1))
    assert "请假须填写事由" in str(exc.value)


def test_quorum_warnings(world, record):
    a = world.members_a  # committee = a[0..2]; a[4] is 预备党员
    m = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.COMMITTEE_MEETING],
        date=date(2023, 3, 1),
        start_time=time(9),
        end_time=time(10),
        place="x",
        topic="支委会",
        attendance=[
            services.AttendanceInput(a[0].id),
            services.AttendanceInput(a[1].id, S.EXCUSED, "病"),
            services.AttendanceInput(a[2].id, S.ABSENT),
        ],
    )
    _mt, warnings = services.record_meeting(user=world.user("secretary_a"), data=m, today=date(2023, 3, 1))
    assert any("支委会到会委员1人" in w for w in warnings)
    # 党员大会: 4 正式党员; 2 present + the 预备党员 present → not more than half of those entitled to vote
    rows = [services.AttendanceInput(x.id, S.PRESENT if i in (0, 1, 4) else S.ABSENT) for i, x in enumerate(a)]
    m2 = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.MEMBER_MEETING],
        date=date(2023, 3, 2),
        start_time=time(9),
        end_time=time(10),
        place="x",
        topic="党员大会",
        attendance=rows,
    )
    _mt, warnings = services.record_meeting(user=world.user("secretary_a"), data=m2, today=date(2023, 3, 2))
    assert any("预备党员没有表决权" in w for w in warnings)
    rows[2].status = S.PRESENT
    m3 = services.MeetingInput(**{**m2.__dict__, "date": date(2023, 3, 3), "attendance": rows})
    assert services.record_meeting(user=world.user("secretary_a"), data=m3, today=date(2023, 3, 3))[1] == []


def test_expected_attendees(world):
    on = date(2023, 6, 1)
    assert {m.name for m in services.expected_members(world.branch_a, [Kind.COMMITTEE_MEETING], on)} == {
        "张三",
        "李四",
        "王五",
    }
    assert {m.name for m in services.expected_members(world.group_a, [Kind.GROUP_MEETING], on)} == {
        "张三",
        "李四",
        "王五",
    }
    assert len(services.expected_members(world.branch_a, [Kind.COMMITTEE_MEETING, Kind.THEME_DAY], on)) == 5
    # the 预备党员 accepted on 2023-03-01 is not expected before that
    assert len(services.expected_members(world.branch_a, [Kind.THEME_DAY], date(2023, 2, 1))) == 4


def test_qr_sign_in_inside_window_accepted_outside_refused(world, record):
    m = record(
        world.branch_a,
        [Kind.THEME_DAY],
        date(2023, 3, 10),
        {world.members_a[3].id: (S.ABSENT, "")},
        start=time(15, 0),
        end=time(17, 0),
    )
    member = world.members_a[3]
    tz = timezone.get_current_timezone()
    with pytest.raises(services.MeetingError) as exc:
        services.sign_in(meeting=m, member=member, now=datetime(2023, 3, 10, 14, 29, tzinfo=tz))
    assert "不在签到时间内" in str(exc.value) and "14:30至17:30" in str(exc.value)
    with pytest.raises(services.MeetingError):
        services.sign_in(meeting=m, member=member, now=datetime(2023, 3, 11, 15, 0, tzinfo=tz))
    a = services.sign_in(meeting=m, member=member, now=datetime(2023, 3, 10, 14, 31, tzinfo=tz))
    assert a.status == S.PRESENT and a.signed_in_at is not None
    with pytest.raises(services.MeetingError):
        services.sign_in(meeting=m, member=world.members_b[0], now=datetime(2023, 3, 10, 15, 0, tzinfo=tz))


def test_proxy_sign_in_needs_reason(world, record):
    m = record(world.branch_a, [Kind.THEME_DAY], date(2023, 3, 10))
    with pytest.raises(services.MeetingError):
        services.proxy_sign_in(meeting=m, member=world.members_a[4], user=world.user("secretary_a"), reason=" ")
    a = services.proxy_sign_in(
        meeting=m, member=world.members_a[4], user=world.user("secretary_a"), reason="没有智能手机"
    )
    assert a.signed_by == world.user("secretary_a") and a.proxy_reason == "没有智能手机"


def test_edit_keeps_links_in_step_and_detects_conflicts(world, record):
    from dangjian.core.concurrency import EditConflict

    m = record(world.branch_a, [Kind.THEME_DAY], date(2023, 3, 10))
    data = _input(world, date(2023, 3, 12), kinds=[Kind.THEME_DAY, Kind.PARTY_LECTURE])
    services.update_meeting(user=world.user("secretary_a"), meeting=m, data=data, expected_version=m.version)
    m.refresh_from_db()
    assert sorted(m.kind_links.values_list("kind", "date")) == [
        ("party_lecture", date(2023, 3, 12)),
        ("theme_day", date(2023, 3, 12)),
    ]
    with pytest.raises(EditConflict):
        services.update_meeting(user=world.user("secretary_a"), meeting=m, data=data, expected_version=1)

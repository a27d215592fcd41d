"""会议通知: publish ahead, sign in only if expected, record from the notice; committee
business visible only to the committee (issue 17)."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings import notices, services
from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingNotice

S = Attendance.Status


def _notice(world, kinds, day, *, start=time(0, 0), end=time(23, 59), org=None):
    return notices.publish_notice(
        user=world.user("secretary_a"),
        data=notices.NoticeInput(
            org=org or world.branch_a,
            kinds=kinds,
            date=day,
            start_time=start,
            end_time=end,
            place="党群服务中心",
            topic="测试通知",
        ),
    )


def test_a_notice_cannot_be_dated_in_the_past_and_says_so_in_chinese(world):
    with pytest.raises(services.MeetingError) as e:
        _notice(world, [Kind.THEME_DAY], timezone.localdate() - timedelta(days=1))
    assert "不能早于今天" in e.value.messages[0]


def test_only_expected_members_sign_in_and_committee_notice_is_hidden_from_others(world, client_for):
    today = timezone.localdate()
    committee = _notice(world, [Kind.COMMITTEE_MEETING], today)
    assert committee.audience == MeetingNotice.Audience.COMMITTEE
    zhao = world.members_a[3]  # 赵六: member_a, not on the committee
    with pytest.raises(services.MeetingError) as e:
        notices.sign_in(notice=committee, member=zhao)
    assert "不在名单中" in e.value.messages[0]
    with pytest.raises(services.MeetingError):
        notices.proxy_sign_in(notice=committee, member=zhao, user=world.user("secretary_a"), reason="没有手机")
    c = client_for("member_a")
    assert c.get(reverse("meetings:notice", args=[committee.pk])).status_code == 404
    assert c.post(reverse("meetings:notice_signin", args=[committee.pk])).status_code == 404
    assert "测试通知" not in c.get(reverse("meetings:mine")).content.decode()
    li = world.members_a[1]  # 李四, 组织委员
    s = notices.sign_in(notice=committee, member=li)
    assert s.signed_in_at is not None


def test_member_sees_branch_notice_in_mine_and_signs_in_with_one_tap(world, client_for):
    today = timezone.localdate()
    n = _notice(world, [Kind.THEME_DAY], today)
    c = client_for("member_a")
    html = c.get(reverse("meetings:mine")).content.decode()
    assert "测试通知" in html and "党群服务中心" in html
    resp = c.post(reverse("meetings:notice_signin", args=[n.pk]), follow=True)
    assert "签到成功" in resp.content.decode()
    assert n.signins.filter(member=world.members_a[3]).exists()


def test_sign_in_outside_the_window_is_refused(world):
    day = timezone.localdate() + timedelta(days=3)
    n = _notice(world, [Kind.THEME_DAY], day, start=time(9, 0), end=time(10, 0))
    with pytest.raises(services.MeetingError) as e:
        notices.sign_in(notice=n, member=world.members_a[3])
    assert "不在签到时间内" in e.value.messages[0]
    ok = timezone.make_aware(datetime.combine(day, time(9, 10)))
    assert notices.sign_in(notice=n, member=world.members_a[3], now=ok).signed_in_at == ok


def test_recording_from_a_notice_fills_in_sign_ins_and_links_the_record(world, client_for):
    today = timezone.localdate()
    n = _notice(world, [Kind.THEME_DAY], today)
    a = world.members_a
    notices.sign_in(notice=n, member=a[0])
    notices.proxy_sign_in(notice=n, member=a[2], user=world.user("secretary_a"), reason="没有智能手机")
    c = client_for("secretary_a")
    page = c.get(reverse("meetings:add") + f"?notice={n.pk}").content.decode()
    assert f'id="s{a[0].pk}present" value="present" checked' in page
    assert f'id="s{a[3].pk}absent" value="absent" checked' in page
    post = {
        "notice": n.pk,
        "org": world.branch_a.pk,
        "kinds": [Kind.THEME_DAY],
        "date": today.isoformat(),
        "start_time": "00:00",
        "end_time": "23:59",
        "place": "党群服务中心",
        "topic": "测试通知",
        "host": a[0].pk,
        "recorder": a[2].pk,
        "minutes": "学习了文件。",
        "save": "1",
    }
    for m in a:
        post[f"status_{m.pk}"] = "present" if m in (a[0], a[1], a[2]) else "absent"
    post[f"status_{a[4].pk}"] = "excused"
    post[f"reason_{a[4].pk}"] = "外出务工"
    resp = c.post(reverse("meetings:add"), post)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    n.refresh_from_db()
    assert n.meeting_id
    rows = {r.member_id: r for r in n.meeting.attendance.all()}
    assert rows[a[0].pk].signed_in_at is not None and rows[a[0].pk].signed_by is None
    assert rows[a[2].pk].proxy_reason == "没有智能手机"
    assert rows[a[1].pk].signed_in_at is None
    # a second record from the same notice is refused
    resp = c.get(reverse("meetings:add") + f"?notice={n.pk}", follow=True)
    assert "已经记录过了" in resp.content.decode()


def test_a_future_notice_cannot_be_recorded_yet(world, client_for):
    n = _notice(world, [Kind.THEME_DAY], timezone.localdate() + timedelta(days=5))
    resp = client_for("secretary_a").get(reverse("meetings:add") + f"?notice={n.pk}", follow=True)
    assert "会议还没有召开" in resp.content.decode()
    assert not Meeting.objects.exists()


def test_non_committee_member_cannot_see_a_committee_meeting_record(world, record, client_for):
    today = timezone.localdate()
    a = world.members_a
    m = record(world.branch_a, [Kind.COMMITTEE_MEETING], today, {a[2].pk: (S.EXCUSED, "身体不适住院")})
    c = client_for("member_a")
    assert c.get(reverse("meetings:detail", args=[m.pk])).status_code == 404
    assert c.post(reverse("meetings:signin", args=[m.pk])).status_code == 404
    assert "身体不适住院" not in c.get(reverse("meetings:mine")).content.decode()
    whole = record(world.branch_a, [Kind.THEME_DAY], today)
    assert c.get(reverse("meetings:detail", args=[whole.pk])).status_code == 200


def test_chair_and_recorder_cannot_be_on_leave(world):
    today = timezone.localdate()
    a = world.members_a
    data = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.THEME_DAY],
        date=today,
        start_time=time(9, 0),
        end_time=time(10, 0),
        place="活动室",
        topic="主题党日",
        host_id=a[0].pk,
        recorder_id=a[1].pk,
        attendance=[services.AttendanceInput(m.pk) for m in a[2:]]
        + [services.AttendanceInput(a[0].pk, S.EXCUSED, "出差"), services.AttendanceInput(a[1].pk)],
    )
    with pytest.raises(services.MeetingError) as e:
        services.record_meeting(user=world.user("secretary_a"), data=data)
    assert any("主持人张三被标为“请假”" in msg for msg in e.value.messages)

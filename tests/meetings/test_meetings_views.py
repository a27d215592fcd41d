import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.meetings.models import Attachment, Attendance, Kind, Meeting, Talk
from dangjian.testsupport.world import within_today

pytestmark = pytest.mark.django_db
S = Attendance.Status


@pytest.fixture
def meeting_a(world, record):
    return record(world.branch_a, [Kind.THEME_DAY, Kind.PARTY_LECTURE], date(2023, 3, 10))


PAGES = [
    "/meetings/",
    "/meetings/todo/",
    "/meetings/compliance/",
    "/meetings/compliance/?year=2023&kind=theme_day",
    "/meetings/art9/",
    "/meetings/talks/",
    "/meetings/add/",
    "/meetings/import/",
]


@pytest.mark.parametrize("who", ["secretary_a", "admin", "inspector", "committee_a"])
def test_pages_render_for_staff(world, client_for, meeting_a, who):
    c = client_for(who)
    for url in PAGES + [
        f"/meetings/{meeting_a.pk}/",
        f"/meetings/compliance/?branch={world.branch_a.pk}&year=2023",
        f"/meetings/art9/?member={world.members_a[2].pk}",
        f"/meetings/talks/?branch={world.branch_a.pk}",
    ]:
        resp = c.get(url)
        expected = 403 if who == "inspector" and url in ("/meetings/add/", "/meetings/import/") else 200
        assert resp.status_code == expected, (url, resp.status_code)


def test_scope_other_branch_meeting_is_404(world, client_for, meeting_a):
    c = client_for("secretary_b")
    for url in (
        f"/meetings/{meeting_a.pk}/",
        f"/meetings/{meeting_a.pk}/edit/",
        f"/meetings/{meeting_a.pk}/qr.svg",
        f"/meetings/{meeting_a.pk}/docx/",
        f"/meetings/{meeting_a.pk}/signin/",
        f"/meetings/art9/?member={world.members_a[0].pk}",
        f"/meetings/compliance/?branch={world.branch_a.pk}",
    ):
        assert c.get(url).status_code == 404, url
    assert meeting_a.topic not in c.get("/meetings/").content.decode()
    assert client_for("member_b").get(f"/meetings/{meeting_a.pk}/").status_code == 404
    assert (
        client_for("inspector").post(f"/meetings/{meeting_a.pk}/proxy/", {"member": 1, "reason": "x"}).status_code
        == 403
    )


def test_secretary_records_meeting_with_exceptions(world, client_for):
    c = client_for("secretary_a")
    a = world.members_a
    today = timezone.localdate()
    page = c.get("/meetings/add/?kinds=committee_meeting")
    assert page.status_code == 200 and "李四" in page.content.decode()
    post = {
        "org": world.branch_a.pk,
        "kinds": ["committee_meeting"],
        "date": today.isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "place": "活动室",
        "topic": "支委会",
        "save": "1",
        f"status_{a[1].pk}": "excused",
        f"reason_{a[1].pk}": "",
    }
    resp = c.post("/meetings/add/", post)
    assert resp.status_code == 200 and "请假须填写事由" in resp.content.decode()
    post[f"reason_{a[1].pk}"] = "生病"
    resp = c.post("/meetings/add/", post)
    assert resp.status_code == 302
    m = Meeting.objects.get()
    assert dict(m.attendance.values_list("member__name", "status")) == {
        "张三": "present",
        "李四": "excused",
        "王五": "present",
    }
    assert m.created_by == world.user("secretary_a") and not m.is_late


def test_late_entry_via_browser_needs_reason(world, client_for):
    c = client_for("secretary_a")
    day = timezone.localdate() - timedelta(days=20)
    post = {
        "org": world.branch_a.pk,
        "kinds": ["theme_day"],
        "date": day.isoformat(),
        "start_time": "15:00",
        "end_time": "17:00",
        "place": "活动室",
        "topic": "主题党日",
        "save": "1",
    }
    resp = c.post("/meetings/add/", post)
    assert resp.status_code == 200 and "补录原因" in resp.content.decode() and not Meeting.objects.exists()
    post["late_reason"] = "记录人外出，返回后补录"
    assert c.post("/meetings/add/", post).status_code == 302
    assert Meeting.objects.get().is_late


def test_qr_svg_and_signin_view(world, client_for):
    now = timezone.localtime()
    start, end = within_today(now, now - timedelta(minutes=10), now + timedelta(minutes=50))
    from dangjian.meetings import services

    data = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.THEME_DAY],
        date=now.date(),
        start_time=start,
        end_time=end,
        place="活动室",
        topic="签到测试",
        attendance=[services.AttendanceInput(m.id, S.ABSENT) for m in world.members_a],
    )
    m, _ = services.record_meeting(user=world.user("secretary_a"), data=data)
    svg = client_for("secretary_a").get(f"/meetings/{m.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    c = client_for("member_a")
    assert "签到" in c.get(f"/meetings/{m.pk}/signin/").content.decode()
    c.post(f"/meetings/{m.pk}/signin/")
    a = Attendance.objects.get(meeting=m, member=world.members_a[3])
    assert a.status == S.PRESENT and a.signed_in_at
    assert "我的组织生活" in c.get("/meetings/mine/").content.decode()


def test_attachment_upload_and_scoped_download(world, client_for, meeting_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 10, 10)).save(buf, format="PNG")
    buf.name = "照片.png"
    buf.seek(0)
    c = client_for("secretary_a")
    c.post(f"/meetings/{meeting_a.pk}/upload/", {"file": buf})
    att = Attachment.objects.get()
    assert att.phash and len(att.sha256) == 64 and att.content_type == "image/png"
    assert c.get(f"/meetings/attachments/{att.pk}/").status_code == 200
    assert client_for("secretary_b").get(f"/meetings/attachments/{att.pk}/").status_code == 404
    fake = io.BytesIO(b"<script>alert(1)</script>")
    fake.name = "x.png"
    resp = c.post(f"/meetings/{meeting_a.pk}/upload/", {"file": fake}, follow=True)
    assert "文件类型不支持" in resp.content.decode() and Attachment.objects.count() == 1


def test_docx_and_yearbook(world, client_for, meeting_a):
    c = client_for("secretary_a")
    r = c.get(f"/meetings/{meeting_a.pk}/docx/")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "会议内容" in text
    r = c.get(f"/meetings/yearbook/?branch={world.branch_a.pk}&year=2023")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_talk_recording_and_coverage(world, client_for):
    c = client_for("secretary_a")
    a = world.members_a
    resp = c.post(
        f"/meetings/talks/?branch={world.branch_a.pk}&year={timezone.localdate().year}",
        {
            "date": timezone.localdate().isoformat(),
            "from_member": a[0].pk,
            "to_member": a[3].pk,
            "summary": "谈心",
            "before_life_meeting": "on",
        },
    )
    assert resp.status_code == 302
    assert Talk.objects.get().to_member == a[3]
    page = c.get(f"/meetings/talks/?branch={world.branch_a.pk}").content.decode()
    assert "今年还没有谈心谈话的党员（4人）" in page


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_list_and_compliance_pages_query_count_fixed(world, client_for, record):
    c = client_for("admin")
    for mo in (1, 2):
        record(world.branch_a, [Kind.THEME_DAY], date(2023, mo, 10))
    urls = ["/meetings/?year=2023", "/meetings/compliance/?year=2023", "/meetings/todo/", "/meetings/art9/", "/"]
    small = [_count(lambda u=u: c.get(u)) for u in urls]
    for mo in range(3, 13):
        record(world.branch_a, [Kind.THEME_DAY, Kind.MEMBER_MEETING], date(2023, mo, 10))
        record(world.branch_b, [Kind.COMMITTEE_MEETING], date(2023, mo, 11))
    big = [_count(lambda u=u: c.get(u)) for u in urls]
    assert small == big


def test_a_sign_in_window_around_now_stays_inside_the_day():
    """testsupport.within_today: the sign-in tests above hold at any hour, midnight included."""
    from datetime import datetime

    for hh, mm in ((23, 50), (23, 59), (0, 3), (12, 0)):
        now = datetime(2026, 12, 2, hh, mm, 30)
        start, end = within_today(now, now - timedelta(minutes=10), now + timedelta(minutes=50))
        assert start <= now.time() <= end and start < end, (hh, mm, start, end)

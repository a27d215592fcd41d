"""A meetings import refuses a 确认导入 whose preview is stale (issue 14): when a meeting was
recorded (a would-be duplicate) or the branch's members changed since the preview, the confirm
answers 409 with a Chinese message and writes nothing; unchanged data confirms as before."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from dangjian.meetings import ledger
from dangjian.meetings.models import Attendance, Meeting
from dangjian.members.models import Member

pytestmark = pytest.mark.django_db

ROW = [
    "东街社区党支部",
    "主题党日",
    "2023年3月10日",
    "15:00",
    "17:00",
    "活动室",
    "三月主题党日",
    "张三",
    "李四",
    "张三、李四、王五",
    "赵六（外出务工）",
    "孙七",
    "学习党章",
]


def _xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(ledger.COLUMNS)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _preview(c, rows):
    f = SimpleUploadedFile("台账.xlsx", _xlsx(rows))
    resp = c.post(reverse("meetings:import"), {"file": f})
    assert resp.status_code == 200 and "确认导入" in resp.content.decode(), resp.content.decode()[:2000]
    assert not Meeting.objects.filter(topic__in=[r[6] for r in rows]).exists()  # the preview writes nothing


def _snapshot():
    return (
        sorted(Meeting.objects.values_list("pk", "topic", "version")),
        Attendance.objects.count(),
    )


def test_confirm_after_a_duplicate_meeting_was_recorded_is_refused(world, client_for):
    c = client_for("secretary_a")
    second = ROW.copy()
    second[2], second[6], second[12] = "2023年3月20日", "三月党课", "讲党史"
    _preview(c, [ROW, second])
    # Meanwhile the same meeting is recorded by hand (as the import of another copy would).
    u = world.user("secretary_a")
    from dangjian.accounts.scope import editable_by
    from dangjian.orgs.models import Organization

    r = ledger.import_meetings(_xlsx([ROW]), user=u, orgs=editable_by(u, Organization))
    assert r.ok and r.created == 1
    before = _snapshot()
    resp = c.post(reverse("meetings:import"), {"action": "confirm"})
    html = resp.content.decode()
    assert resp.status_code == 409
    assert "预览之后" in html and "会议记录有了增减或修改" in html and "未导入任何数据" in html and "重新上传" in html
    assert _snapshot() == before and not Meeting.objects.filter(topic="三月党课").exists()
    # the stale preview is used up
    assert c.post(reverse("meetings:import"), {"action": "confirm"}).status_code == 400
    assert _snapshot() == before


def test_confirm_after_a_member_changed_is_refused(world, client_for):
    c = client_for("secretary_a")
    _preview(c, [ROW])
    m = Member.objects.get(name="孙七", branch=world.branch_a, is_current=True)
    m.version += 1
    m.save()
    before = _snapshot()
    resp = c.post(reverse("meetings:import"), {"action": "confirm"})
    assert resp.status_code == 409 and "党员名单或党员信息已被修改" in resp.content.decode()
    assert _snapshot() == before


def test_unchanged_data_confirms_and_writes(world, client_for):
    c = client_for("secretary_a")
    _preview(c, [ROW])
    resp = c.post(reverse("meetings:import"), {"action": "confirm"})
    assert resp.status_code == 302
    m = Meeting.objects.get(topic="三月主题党日")
    assert Attendance.objects.get(meeting=m, member__name="孙七").status == "absent"


def test_import_with_a_basis_that_matches_writes_and_a_stale_one_raises(world):
    u = world.user("secretary_a")
    from dangjian.accounts.scope import editable_by
    from dangjian.orgs.models import Organization

    orgs = editable_by(u, Organization)
    preview = ledger.import_meetings(_xlsx([ROW]), user=u, orgs=orgs, dry_run=True)
    assert preview.ok and preview.created == 1 and preview.basis
    with pytest.raises(ledger.StalePreview) as exc:
        ledger.import_meetings(_xlsx([ROW]), user=u, orgs=orgs, basis={})
    assert exc.value.status == 409 and not Meeting.objects.filter(topic="三月主题党日").exists()
    done = ledger.import_meetings(_xlsx([ROW]), user=u, orgs=orgs, basis=preview.basis)
    assert done.ok and done.created == 1

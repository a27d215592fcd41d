"""A roster import refuses a 确认导入 whose preview is stale (issue 14): when a member the
preview matched was edited since, or a number the preview found new was recorded meanwhile,
the confirm answers 409 with a Chinese message, writes nothing, and asks to upload again —
on the page and in the background job used for large files."""

import io
from datetime import date

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from dangjian.core.models import ExportJob
from dangjian.members.models import Member
from dangjian.members.roster_import import BranchIndex, StalePreview, apply_plan, plan_import, read_rows
from dangjian.rules.idcard import make_id

HEADER = ["姓名", "身份证号", "入党时间", "转正时间", "预/正", "学历", "民族", "党支部"]
STALE = "预览之后"


def _file(rows) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(name, number, education="高中"):
    return [name, number, "2012-07-01", "2013-07-01", "正", education, "汉族", "东街"]


def _upload(c, content):
    f = SimpleUploadedFile("名册.xlsx", content)
    resp = c.post(reverse("members:import"), {"action": "upload", "file": f})
    assert resp.status_code == 200 and "确认导入" in resp.content.decode()


def _snapshot():
    return sorted(Member.objects.values_list("pk", "name", "education", "version", "is_current"))


def _zhangsan(world):
    return Member.objects.get(name="张三", branch=world.branch_a, is_current=True)


def test_confirm_after_a_matched_member_was_edited_is_refused(world, client_for):
    c = client_for("secretary_a")
    m = _zhangsan(world)
    _upload(c, _file([_row("张三", m.id_number, "大学本科"), _row("新人甲", make_id("620102", date(1990, 2, 2), 31))]))
    # someone edits 张三 between the preview and 确认导入 (a save bumps the version)
    m.version += 1
    m.save()
    before = _snapshot()
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    html = resp.content.decode()
    assert resp.status_code == 409
    assert STALE in html and "张三" in html and "未导入任何数据" in html and "重新上传" in html
    assert _snapshot() == before and not Member.objects.filter(name="新人甲").exists()
    # the stale preview is used up: confirming again does not write either
    assert c.post(reverse("members:import"), {"action": "confirm"}).status_code == 400
    assert _snapshot() == before


def test_confirm_after_a_new_number_was_recorded_meanwhile_is_refused(world, client_for):
    c = client_for("secretary_a")
    number = make_id("620102", date(1991, 3, 3), 33)
    _upload(c, _file([_row("新人乙", number)]))
    other = _zhangsan(world)
    other.pk = None
    other.name = "新人乙"
    other.set_id_number(number)
    other.save()  # recorded by hand meanwhile
    before = _snapshot()
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    assert resp.status_code == 409 and "新人乙" in resp.content.decode()
    assert _snapshot() == before


def test_unchanged_data_confirms_and_writes_as_before(world, client_for):
    c = client_for("secretary_a")
    m = _zhangsan(world)
    _upload(c, _file([_row("张三", m.id_number, "大学本科"), _row("新人丙", make_id("620102", date(1990, 4, 4), 35))]))
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    assert resp.status_code == 302 and resp["Location"] == reverse("members:list")
    m.refresh_from_db()
    assert m.education == "大学本科" and Member.objects.filter(name="新人丙", is_current=True).exists()


def test_apply_plan_rechecks_the_basis_inside_its_transaction(world):
    """The race after the view's check: apply_plan reads the members again before writing."""
    m = _zhangsan(world)
    table = read_rows(_file([_row("张三", m.id_number, "大学本科")]))
    plan = plan_import(table, branches=BranchIndex.for_user(world.user("secretary_a")))
    kept = dict(plan.basis)
    Member.objects.filter(pk=m.pk).update(version=m.version + 1)
    try:
        apply_plan(plan, user=world.user("secretary_a"), basis=kept)
    except StalePreview as exc:
        assert exc.status == 409 and "张三" in exc.message
    else:
        raise AssertionError("a stale plan was written")
    m.refresh_from_db()
    assert m.education != "大学本科"


def test_background_job_refuses_a_stale_preview(world, client_for, monkeypatch):
    c = client_for("secretary_a")
    m = _zhangsan(world)
    rows = [_row("张三", m.id_number, "大学本科")] + [
        _row(f"后台新{i}", make_id("620102", date(1989, 5, 5), 41 + 2 * i)) for i in range(3)
    ]
    _upload(c, _file(rows))
    # The edit lands after the page's check, while the job waits for the worker: simulated
    # by editing when the job re-plans in the worker.
    from dangjian.members import roster_import

    real = roster_import.plan_import

    def plan_then_edit(*a, **kw):
        plan = real(*a, **kw)
        Member.objects.filter(pk=m.pk).update(version=m.version + 5)
        return plan

    monkeypatch.setattr(roster_import, "plan_import", plan_then_edit)
    before_names = set(Member.objects.values_list("name", flat=True))
    with override_settings(EXPORT_BACKGROUND_ROWS=2):
        resp = c.post(reverse("members:import"), {"action": "confirm"})
    job = ExportJob.objects.get(kind="roster_import")
    assert resp.status_code == 302
    assert job.status != ExportJob.Status.DONE and STALE in job.message and "张三" in job.message
    assert set(Member.objects.values_list("name", flat=True)) == before_names
    m.refresh_from_db()
    assert m.education != "大学本科"


def test_background_job_writes_an_unchanged_preview(world, client_for):
    c = client_for("secretary_a")
    rows = [_row(f"后台好{i}", make_id("620102", date(1989, 6, 6), 51 + 2 * i)) for i in range(3)]
    _upload(c, _file(rows))
    with override_settings(EXPORT_BACKGROUND_ROWS=2):
        c.post(reverse("members:import"), {"action": "confirm"})
    job = ExportJob.objects.get(kind="roster_import")
    assert job.status == ExportJob.Status.DONE, job.message
    assert Member.objects.filter(name__startswith="后台好").count() == 3

"""A large roster import is written by the task worker (members.jobs, core.jobs): 确认导入
starts a job, its page links to the roster when done, the job is the secretary's own, and
a job whose page was closed writes nothing."""

import io
from datetime import date, timedelta

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.core import jobs
from dangjian.core.models import ExportJob
from dangjian.members.models import Member
from dangjian.rules.idcard import make_id

HEADER = ["姓名", "身份证号", "入党时间", "转正时间", "预/正", "学历", "民族", "党支部"]


def _upload(c, names):
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for i, name in enumerate(names):
        number = make_id("620102", date(1988, 8, 8), 61 + 2 * i)
        wb.active.append([name, number, "2012-07-01", "2013-07-01", "正", "高中", "汉族", "东街"])
    buf = io.BytesIO()
    wb.save(buf)
    f = SimpleUploadedFile("名册.xlsx", buf.getvalue())
    resp = c.post(reverse("members:import"), {"action": "upload", "file": f})
    assert resp.status_code == 200 and "确认导入" in resp.content.decode()


def test_large_import_confirm_runs_as_a_job(world, client_for):
    c = client_for("secretary_a")
    _upload(c, ["后台甲", "后台乙", "后台丙"])
    with override_settings(EXPORT_BACKGROUND_ROWS=2):
        resp = c.post(reverse("members:import"), {"action": "confirm"}, REMOTE_ADDR="10.9.0.7")
    job = ExportJob.objects.get(kind="roster_import")
    assert resp.status_code == 302 and resp["Location"] == reverse("core:job", kwargs={"job": str(job.pk)})
    # the test backend ran it at once
    assert job.status == ExportJob.Status.DONE, job.message
    assert job.message == "导入完成：新增 3 人，更新 0 人，无变化 0 人。" and job.done == job.total == 2
    assert set(Member.objects.filter(name__startswith="后台").values_list("branch", flat=True)) == {world.branch_a.pk}
    page = c.get(resp["Location"]).content.decode()
    assert job.message in page and f'href="{reverse("members:list")}"' in page
    assert c.get(reverse("core:job_download", kwargs={"job": str(job.pk)})).status_code == 404
    # the job is the secretary's own; the preview was used up
    assert client_for("secretary_b").get(resp["Location"]).status_code == 404
    assert client_for("admin").get(resp["Location"]).status_code == 404
    assert c.post(reverse("members:import"), {"action": "confirm"}).status_code == 400
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(object_repr="后台甲", remote_addr="10.9.0.7").exists()


def test_small_import_is_written_at_once(world, client_for):
    c = client_for("secretary_a")
    _upload(c, ["当场甲"])
    resp = c.post(reverse("members:import"), {"action": "confirm"})
    assert resp.status_code == 302 and resp["Location"] == reverse("members:list")
    assert not ExportJob.objects.exists() and Member.objects.filter(name="当场甲").exists()


def test_import_job_whose_page_was_closed_writes_nothing(world, client_for):
    from dangjian.core.spreadsheet import drop_preview, keep_preview
    from dangjian.members.roster_import import read_rows

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.active.append(["关页甲", make_id("620102", date(1990, 1, 1), 71), "2012-07-01", "2013-07-01", "正", "高中",
                      "汉族", "东街"])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    token = keep_preview({"table": read_rows(buf.getvalue()).to_state()})
    job = ExportJob.objects.create(
        kind="roster_import",
        title="党员名册导入",
        user=world.user("secretary_a"),
        org=world.branch_a,
        params=f"token={token}&branch=",
        total=2,
        seen_at=timezone.now() - timedelta(minutes=5),
    )
    assert jobs.run_job.call(str(job.pk)) == "cancelled"
    assert not Member.objects.filter(name="关页甲").exists()
    drop_preview(token)  # the upload directory is shared by the whole test session

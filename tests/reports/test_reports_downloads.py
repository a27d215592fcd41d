"""The report page, its downloads, the `report` command and the ledger helper."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from dangjian.members.models import Member
from dangjian.reports.ledger import Column, describe_filters, ledger_content
from dangjian.reports.testing import load_stats_demo


def _job_file(c, url):
    """The report download starts a background job (core.jobs; the test backend runs it at
    once): its page offers the file."""
    from dangjian.core.models import ExportJob

    resp = c.get(url)
    assert resp.status_code == 302 and "/jobs/" in resp["Location"], resp.status_code
    job = ExportJob.objects.order_by("-created_at").first()
    assert job.status == ExportJob.Status.DONE, job.message
    page = c.get(resp["Location"]).content.decode()
    assert "job-download" in page and job.filename in page
    got = c.get(reverse("core:job_download", kwargs={"job": str(job.pk)}))
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    return job, b"".join(got.streaming_content)


def test_report_page_previews_and_downloads(world, client_for):
    load_stats_demo([world.township])
    c = client_for("admin")
    page = c.get(f"/reports/report/?year=2023&org={world.township.pk}&preview=1").content.decode()
    assert "一、基本情况" in page and "生产总值5.08亿元" in page
    job, content = _job_file(c, f"/reports/report.docx?year=2023&org={world.township.pk}")
    assert job.kind == "report_docx" and job.filename == "测试镇党委2023年调研报告.docx" and job.done == 2
    doc = Document(io.BytesIO(content))
    assert doc.paragraphs[0].text == "关于测试镇党委2023年基层党建工作情况的调研报告"
    job, content = _job_file(c, f"/reports/report.xlsx?year=2023&org={world.township.pk}")
    wb = load_workbook(io.BytesIO(content))
    assert "测试镇党委" in wb["基本情况"]["A1"].value and "导出人：admin" in wb["基本情况"]["A1"].value


def test_secretary_gets_their_branch_summary_only(world, client_for):
    c = client_for("secretary_a")
    job, content = _job_file(c, "/reports/report.docx?year=2023")
    assert Document(io.BytesIO(content)).paragraphs[0].text == "东街社区党支部2023年度工作总结"
    assert job.org_id == world.branch_a.pk
    # refused before any job is made: another organization, a bad year, a member
    assert c.get(f"/reports/report.docx?year=2023&org={world.township.pk}").status_code == 404
    assert c.get("/reports/report.docx?year=1800").status_code == 400
    assert client_for("member_a").get("/reports/report/").status_code == 403
    # the file is served only to the account that asked for it
    for key in ("secretary_b", "admin"):
        other = client_for(key).get(reverse("core:job_download", kwargs={"job": str(job.pk)}))
        assert other.status_code == 404, key


def test_report_file_is_refused_once_its_organization_left_the_users_scope(world, client_for):
    c = client_for("secretary_a")
    job, _ = _job_file(c, "/reports/report.docx?year=2023")
    user = world.user("secretary_a")
    user.org = world.branch_b  # the secretary moved to another branch
    user.save()
    for name in ("core:job", "core:job_progress", "core:job_download"):
        assert c.get(reverse(name, kwargs={"job": str(job.pk)})).status_code == 404, name


def test_report_command_writes_docx_and_xlsx(world, tmp_path):
    load_stats_demo([world.township])
    out = tmp_path / "报告.docx"
    call_command("report", "--year", "2023", "--org", "测试镇党委", "--out", str(out), "--today", "2026-11-29")
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    missing_line = next(line for line in text.splitlines() if line.startswith("数据缺失："))
    assert "生产总值5.08亿元" in text and "2022年花椒收入" in missing_line
    assert "户数和人口（户籍、常住）" in missing_line  # the test world has no population figures
    assert (tmp_path / "报告.xlsx").exists()
    call_command("report", "--year", "2023", "--org", "测试区委", "--out", str(tmp_path / "区.docx"))
    assert "全区" in "\n".join(p.text for p in Document(str(tmp_path / "区.docx")).paragraphs)
    with pytest.raises(CommandError, match="找不到"):
        call_command("report", "--year", "2023", "--org", "不存在的党委", "--out", str(out))


def test_ledger_helper_exports_filtered_rows_with_the_filters_in_the_title(world):
    qs = Member.objects.filter(branch=world.branch_a).order_by("id").select_related("branch")
    content = ledger_content(
        title="党员名册",
        queryset=qs,
        columns=[
            Column("姓名", "name"),
            Column("支部", "branch.name"),
            Column("入党日期", "joined_on"),
            Column("备注", lambda m: "=cmd|' /C calc'!A0" if m.name == "张三" else ""),
        ],
        user=world.user("admin"),
        filters={"支部": "东街社区党支部", "性别": "", "学历": "高中"},
        org=world.township,
        period="2023年",
    )
    ws = load_workbook(io.BytesIO(content)).active
    title = ws["A1"].value
    assert "党员名册" in title and "测试镇党委" in title and "2023年" in title
    assert "筛选：支部=东街社区党支部，学历=高中" in title and "性别" not in title
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5 and rows[0][1] == "东街社区党支部"
    assert rows[0][2].date() == date(2010, 7, 1)
    assert rows[0][3].startswith("'=")  # formula injection escaped


def test_describe_filters_reads_a_filterset(world):
    from django.test import RequestFactory

    from dangjian.members.selectors import RosterFilter

    f = RosterFilter({"sex": "女", "education": ""}, queryset=Member.objects.all(), user=world.user("admin"))
    assert describe_filters(f) == "性别=女"
    assert RequestFactory  # the request-based helper is exercised in views of other apps

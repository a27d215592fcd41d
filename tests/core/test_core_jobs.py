"""Background exports (core.jobs): large exports become a job with a progress page; the file
is offered when done, only to the account that asked; an abandoned or stopped job stops."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from dangjian.core import jobs
from dangjian.core.models import ExportJob


def _rows(content: bytes):
    return [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()]


def _download(c, job):
    r = c.get(reverse("core:job_download", kwargs={"job": str(job.pk)}))
    assert r.status_code == 200
    return b"".join(r.streaming_content)


@pytest.mark.django_db
def test_large_audit_export_runs_as_a_job_with_progress_and_download(world, client_for):
    c = client_for("admin")
    small = c.get(reverse("core:audit_export"))
    assert small.status_code == 200  # a few entries: the file at once
    with override_settings(EXPORT_BACKGROUND_ROWS=0):
        r = c.get(reverse("core:audit_export"))
    assert r.status_code == 302
    job = ExportJob.objects.get()
    assert r["Location"] == reverse("core:job", kwargs={"job": str(job.pk)})
    assert job.status == ExportJob.Status.DONE and job.kind == "audit"  # immediate backend in tests
    page = c.get(r["Location"])
    assert "审计日志导出" in page.content.decode() and "job-progress" in page.content.decode()
    frag = c.get(reverse("core:job_progress", kwargs={"job": str(job.pk)})).content.decode()
    assert "已完成" in frag and 'value="100"' in frag and "job-download" in frag and "hx-get" not in frag
    assert _rows(_download(c, job))[2:] == _rows(small.content)[2:]  # same rows as the direct export
    # Only the account that started it sees it.
    other = client_for("inspector")
    for name in ("core:job", "core:job_progress", "core:job_download"):
        assert other.get(reverse(name, kwargs={"job": str(job.pk)})).status_code == 404
    assert c.get(reverse("core:job", kwargs={"job": "not-a-uuid"})).status_code == 404


@pytest.mark.django_db
def test_roster_job_matches_direct_export_and_full_ids_are_logged(world, client_for):
    from dangjian.accounts.models import RevealEvent

    c = client_for("secretary_a")
    # a full-ID export is a POST with a stated purpose (issue 19)
    url = reverse("members:export") + "?full=1"
    direct = _rows(c.post(url, {"purpose": "核对年度党员统计"}).content)
    with override_settings(EXPORT_BACKGROUND_ROWS=1):
        r = c.post(url, {"purpose": "核对年度党员统计"})
    job = ExportJob.objects.get(kind="roster")
    assert r.status_code == 302 and job.status == ExportJob.Status.DONE and job.total == len(world.members_a)
    assert _rows(_download(c, job))[2:] == direct[2:]
    assert {row[3] for row in direct[2:]} == {m.id_number for m in world.members_a}
    assert RevealEvent.objects.filter(kind=RevealEvent.Kind.EXPORT_IDS).count() == 2


@pytest.mark.django_db
def test_meetings_export_as_a_job(world, client_for):
    c = client_for("admin")
    with override_settings(EXPORT_BACKGROUND_ROWS=-1):
        r = c.get(reverse("meetings:export"))
    job = ExportJob.objects.get(kind="meetings")
    assert r.status_code == 302 and job.status == ExportJob.Status.DONE
    assert _rows(_download(c, job))[0][0].startswith("组织生活会议台账")


@pytest.mark.django_db
def test_abandoned_job_stops_and_stopped_job_never_runs(world, client_for):
    admin = world.user("admin")
    job = ExportJob.objects.create(
        kind="audit",
        title="审计日志导出",
        user=admin,
        org=world.township,
        seen_at=timezone.now() - timedelta(minutes=5),
    )
    assert jobs.run_job.call(str(job.pk)) == "cancelled"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.CANCELLED and "页面已关闭" in job.message
    assert not jobs.file_path(job).exists()
    c = client_for("admin")
    job2 = ExportJob.objects.create(kind="audit", title="审计日志导出", user=admin, seen_at=timezone.now())
    r = c.post(reverse("core:job_cancel", kwargs={"job": str(job2.pk)}))
    assert r.status_code == 302
    job2.refresh_from_db()
    assert job2.status == ExportJob.Status.CANCELLED
    assert jobs.run_job.call(str(job2.pk)) == "skipped"
    assert c.get(reverse("core:job_download", kwargs={"job": str(job2.pk)})).status_code == 404


@pytest.mark.django_db
def test_progress_reports_and_checks_the_page_is_still_open(world):
    admin = world.user("admin")
    job = ExportJob.objects.create(kind="audit", title="x", user=admin, total=1000, seen_at=timezone.now())
    p = jobs.Progress(job)
    p(500)
    job.refresh_from_db()
    assert job.done == 500 and job.percent == 50
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.CANCELLED)
    with pytest.raises(jobs.Abandoned):
        p.check()

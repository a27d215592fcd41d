"""重新扫描 in the browser runs as a background job (core.jobs, integrity.jobs): the page shows
its progress and links to the review queue when done; the job is the administrator's own;
a job whose page was closed stops before it scans."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core import jobs
from dangjian.core.models import ExportJob
from dangjian.integrity.jobs import steps
from dangjian.integrity.models import ScanRun

YEAR = 2023


@pytest.mark.django_db(transaction=True)  # committed writes move the data version (core.cache)
def test_scan_button_starts_a_job_that_reports_and_links_to_the_queue(world, client_for):
    c = client_for("admin")
    r = c.post(reverse("integrity:scan"), {"year": YEAR})
    job = ExportJob.objects.get(kind="integrity_scan")
    assert r.status_code == 302 and r["Location"] == reverse("core:job", kwargs={"job": str(job.pk)})
    # the test backend runs the job at once
    assert job.status == ExportJob.Status.DONE and job.user == world.user("admin") and job.org == world.township
    assert job.total == steps() and job.done == steps()
    assert job.message.startswith("扫描完成：发现") and "条信号" in job.message
    run = ScanRun.objects.get(org=world.township, year=YEAR)
    assert not run.skipped and run.started_by == world.user("admin")
    page = c.get(r["Location"]).content.decode()
    assert "诚信信号扫描" in page and "job-progress" in page and job.message in page
    assert f'href="{reverse("integrity:queue")}?year={YEAR}"' in page and "job-download" not in page
    # nothing to download for a scan
    assert c.get(reverse("core:job_download", kwargs={"job": str(job.pk)})).status_code == 404
    # nothing changed since: the second scan says so
    c.post(reverse("integrity:scan"), {"year": YEAR})
    second = ExportJob.objects.filter(kind="integrity_scan").order_by("-created_at").first()
    assert second.pk != job.pk and "数据没有变化" in second.message
    assert ScanRun.objects.filter(org=world.township, year=YEAR, skipped=True).count() == 1


@pytest.mark.django_db
def test_scan_job_is_the_administrators_own_and_stops_with_its_page(world, client_for):
    c = client_for("admin")
    c.post(reverse("integrity:scan"), {"year": YEAR})
    job = ExportJob.objects.get(kind="integrity_scan")
    for key in ("inspector", "secretary_a"):
        assert client_for(key).get(reverse("core:job", kwargs={"job": str(job.pk)})).status_code == 404, key
    # the inspector cannot start one (the scan writes signals)
    assert client_for("inspector").post(reverse("integrity:scan"), {"year": YEAR}).status_code == 403
    # a scan whose page was closed before the worker got to it never runs
    closed = ExportJob.objects.create(
        kind="integrity_scan",
        title="诚信信号扫描",
        user=world.user("admin"),
        org=world.township,
        params=f"year={YEAR - 1}",
        total=steps(),
        seen_at=timezone.now() - timedelta(minutes=5),
    )
    assert jobs.run_job.call(str(closed.pk)) == "cancelled"
    closed.refresh_from_db()
    assert closed.status == ExportJob.Status.CANCELLED and "页面已关闭" in closed.message
    assert not ScanRun.objects.filter(year=YEAR - 1).exists()


@pytest.mark.django_db
def test_scan_stopped_between_detectors_stores_nothing(world, monkeypatch):
    """停止 pressed while the scan runs: it stops at the next detector, before any signal is stored."""
    from dangjian.integrity import services

    job = ExportJob.objects.create(
        kind="integrity_scan",
        title="诚信信号扫描",
        user=world.user("admin"),
        org=world.township,
        params=f"year={YEAR}",
        total=steps(),
        seen_at=timezone.now(),
    )
    stored = []
    monkeypatch.setattr(services, "_store", lambda *a, **k: stored.append(a) or 0)
    first = services.DETECTORS[0]

    def stop_after_first(root, year):
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.CANCELLED)
        return first(root, year)

    monkeypatch.setattr(services, "DETECTORS", [stop_after_first, *services.DETECTORS[1:]])
    assert jobs.run_job.call(str(job.pk)) == "cancelled"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.CANCELLED and not stored
    assert not ScanRun.objects.filter(org=world.township, year=YEAR).exists()

"""Browser: a large audit log export becomes a background job; the page shows its progress
(htmx polling, no inline script) and offers the file when the task worker has made it.
The worker is django-tasks-db's own Worker, run in a thread of the test process."""

import io

import openpyxl
import pytest
from django.test import override_settings

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_audit_export_shows_progress_and_downloads_when_done(world, login, live_server, job_download):
    from dangjian.core.models import ExportJob

    with override_settings(TASKS=DB_TASKS, EXPORT_BACKGROUND_ROWS=0):
        page = login("admin")
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/core/audit/")
        with page.expect_navigation():
            page.click("text=导出Excel")
        page.wait_for_selector("#job-progress progress")
        # Queued: nobody has run it yet — the bar is at 0 and the page keeps polling.
        assert page.locator("#job-progress").get_attribute("data-status") == "queued"
        assert page.locator("#job-progress progress").get_attribute("value") == "0"
        assert page.locator("#job-download").count() == 0
        job = ExportJob.objects.get()
        assert job.status == ExportJob.Status.QUEUED
        download = job_download(page)
        content = open(download.path(), "rb").read()
        assert download.suggested_filename.startswith("审计日志")
        ws = openpyxl.load_workbook(io.BytesIO(content)).active
        assert ws["A1"].value.startswith("审计日志") and "导出人：admin" in ws["A1"].value
        assert ws.max_row > 2
        assert not errors

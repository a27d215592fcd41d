"""Browser: the admin opens the dashboard, sees charts drawn, follows a chart to its list,
and downloads the survey report, which is built in the background: the progress page shows
the job moving and offers the file when the task worker has made it."""

import io

import pytest
from django.test import override_settings
from docx import Document
from playwright.sync_api import expect

from dangjian.reports.testing import load_stats_demo

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_dashboard_charts_link_through_and_report_downloads(world, login, live_server, job_download):
    load_stats_demo([world.township])
    page = login("admin")
    page.goto(f"{live_server.url}/reports/?year=2023")
    page.wait_for_selector('[data-chart="economy"] canvas')
    expect(page.locator("[data-chart] canvas").nth(4)).to_be_attached()  # at least five charts drawn
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # the economy chart links to the statistics list behind it: click its 2022 point
    page.locator('[data-chart="economy"]').scroll_into_view_if_needed()
    box = page.locator('[data-chart="economy"]').bounding_box()
    x, y = page.locator('[data-chart="economy"]').evaluate(
        "el => echarts.getInstanceByDom(el).convertToPixel({seriesIndex: 0}, [1, 5.08])"
    )
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert "/stats/" in page.url
    assert "5.08" in page.content()
    assert not errors

    with override_settings(TASKS=DB_TASKS):
        page.goto(f"{live_server.url}/reports/report/?year=2023&org={world.township.pk}")
        with page.expect_navigation():
            page.click("#download-docx")
        page.wait_for_selector("#job-progress progress")
        assert page.locator("#job-progress").get_attribute("data-status") == "queued"
        assert "调研报告（Word）生成" in page.content() and page.locator("#job-download").count() == 0
        download = job_download(page)
    assert download.suggested_filename == "测试镇党委2023年调研报告.docx"
    content = open(download.path(), "rb").read()
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "生产总值5.08亿元" in text and "2022年花椒收入" in text

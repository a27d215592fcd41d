"""Browser: the admin opens the dashboard, sees charts drawn, follows a chart to its list,
and downloads the survey report."""

import io

import pytest
from docx import Document

from dangjian.reports.testing import load_stats_demo


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_dashboard_charts_link_through_and_report_downloads(world, login, live_server):
    load_stats_demo([world.township])
    page = login("admin")
    page.goto(f"{live_server.url}/reports/?year=2023")
    page.wait_for_selector('[data-chart="economy"] canvas')
    assert page.locator("[data-chart] canvas").count() >= 5
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

    page.goto(f"{live_server.url}/reports/report/?year=2023&org={world.township.pk}")
    with page.expect_download() as dl:
        page.click("#download-docx")
    content = open(dl.value.path(), "rb").read()
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "生产总值5.08亿元" in text and "2022年花椒收入" in text

"""Browser: the collector ticks who paid on the monthly screen and the rate changes; a member
sees 我的党费."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.testsupport.browser import signed_in


def _bases(world):
    from dangjian.dues.services import BaseRow, set_bases

    year = timezone.localdate().year
    set_bases(branch=world.branch_a, year=year, rows=[BaseRow(m.pk, "在职", "4000") for m in world.members_a])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_collector_ticks_payments_and_the_rate_changes(world, login, live_server):
    _bases(world)
    page = login("com_a")
    page.goto(f"{live_server.url}/dues/collect/")
    assert page.inner_text("#collect-rate").strip() == "0.0%"
    page.check(f"#pay-{world.members_a[0].pk}")
    page.check(f"#pay-{world.members_a[1].pk}")
    # dues.js counts on each change: wait for it rather than read at once
    expect(page.locator("#ticked")).to_have_text("2")
    expect(page.locator("#ticked-sum")).to_have_text("80.00")
    with page.expect_navigation():
        page.click("#collect-submit")
    assert "将登记 2 人交纳党费，合计 80.00 元" in page.inner_text("#confirm-summary")
    with page.expect_navigation():
        page.click("#confirm-submit")
    assert "已登记 2 人" in page.content()
    assert page.inner_text("#collect-rate").strip() == "40.0%"
    assert page.inner_text("#paid-count").strip() == "2"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_sees_my_dues(world, login, live_server):
    _bases(world)
    page = login("mem_a")
    page.goto(f"{live_server.url}/dues/mine/")
    assert "我的党费" in page.content()
    assert "40.00 元" in page.inner_text("#my-dues")
    assert page.locator("#my-arrears").inner_text().strip() != ""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bases_import_on_a_phone_previews_then_confirms(world, browser, live_server, tmp_path):
    from dangjian.dues.models import DuesBase
    from dangjian.testsupport.fuzz import workbook_bytes

    a = world.members_a
    sheet = tmp_path / "党费基数.xlsx"
    sheet.write_bytes(
        workbook_bytes(
            [
                ["序号", "党员姓名", "交纳类别", "月工资收入"],
                [1, a[0].name, "在职", 3500],
                [2, a[1].name, "离退休", 2000],
                ["合计"],
            ]
        )
    )
    ctx, page = signed_in(browser, live_server.url, "sec_a")
    try:
        page.goto(f"{live_server.url}/dues/bases/import/?branch={world.branch_a.pk}")
        page.set_input_files("#imp-file", str(sheet))
        with page.expect_navigation():
            page.click("#import-upload")
        assert "尚未保存" in page.content() and "“合计”行" in page.inner_text(".import-skipped")
        assert not DuesBase.objects.exists()  # nothing written on preview
        rows = page.inner_text("#import-rows")
        assert a[0].name in rows and "35.00" in rows and "10.00" in rows
        # usable at 390 px: the page does not scroll sideways and the button is in reach
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("#import-confirm").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40
        with page.expect_navigation():
            page.click("#import-confirm")
        assert "已导入 2 名党员" in page.content()
        assert {b.member_id for b in DuesBase.objects.all()} == {a[0].pk, a[1].pk}
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_stats_import_on_a_phone_previews_then_confirms(world, browser, live_server, tmp_path):
    """The township statistics import at 390×844 (issue 14): upload → the preview lists the year
    and its figures, nothing saved → 确认导入 → the figures are saved."""
    import io
    from decimal import Decimal

    from openpyxl import load_workbook

    from dangjian.stats.models import TownshipYearStats
    from dangjian.stats.services import template_bytes

    wb = load_workbook(io.BytesIO(template_bytes(org=world.township)))
    wb["全镇指标"].append([2023, 5.5, 28000, None, None, None, None, None, None, None, "初步数"])
    wb["特色产业"].append([2023, "花椒", 430, 300])
    sheet = tmp_path / "统计数据.xlsx"
    wb.save(sheet)
    ctx, page = signed_in(browser, live_server.url, "admin")
    try:
        page.goto(f"{live_server.url}/stats/import/?org={world.township.pk}")
        page.set_input_files("input[type=file][name=file]", str(sheet))
        with page.expect_navigation():
            page.click("#import-upload")
        preview = page.inner_text(".import-preview")
        assert "尚未保存" in preview and "2023年" in preview and "花椒" in preview and "5.5" in preview
        assert not TownshipYearStats.objects.filter(year=2023).exists()  # nothing written on preview
        # usable at 390 px: the page does not scroll sideways and the button is in reach
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("#import-confirm").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40
        with page.expect_navigation():
            page.click("#import-confirm")
        assert "已导入1个年度（2023）" in page.content()
        s = TownshipYearStats.objects.get(org=world.township, year=2023)
        assert s.gdp == Decimal("5.50") and s.note == "初步数"
        assert s.industries.get().crop == "花椒"
    finally:
        ctx.close()

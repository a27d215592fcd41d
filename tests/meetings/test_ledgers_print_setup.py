"""Every xlsx ledger prints: A4 landscape, fit to one page wide, header row repeated,
borders; rates and money are numbers with formats; each sheet's title row names its own table."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dangjian.core.xlsx import ledger_bytes


def _check_print_setup(ws):
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
    assert ws.page_setup.orientation == "landscape", ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
    assert ws.print_title_rows == "$2:$2", ws.title
    assert ws.cell(row=2, column=1).border.top.style == "thin", ws.title  # the header row


def _check_data_borders(ws):
    assert ws.cell(row=ws.max_row, column=1).border.left.style == "thin", ws.title


def test_ledger_numbers_formats_sheet_titles_and_print_setup():
    content = ledger_bytes(
        title="基本情况",
        headers=["支部", "收缴率", "金额", "党员数"],
        rows=[["东街", "99.6%", Decimal("560.96"), 21], ["西街", "100%", Decimal("12.00"), 3]],
        org="测试镇党委",
        extra_sheets=[("党费收缴", ["支部", "收缴率"], [["东街", "87.5%"]])],
    )
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["基本情况", "党费收缴"]
    ws = wb["基本情况"]
    assert ws["B3"].value == pytest.approx(0.996) and ws["B3"].number_format == "0.0%"
    assert ws["B4"].value == 1 and ws["B4"].number_format == "0%"
    assert ws["C3"].value == pytest.approx(560.96) and ws["C3"].number_format == "#,##0.00"
    assert ws["D3"].value == 21
    second = wb["党费收缴"]
    assert second["A1"].value.startswith("党费收缴") and "基本情况" not in second["A1"].value
    assert second["B3"].value == pytest.approx(0.875)
    for sheet in wb.worksheets:
        _check_print_setup(sheet)
        _check_data_borders(sheet)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/meetings/export/", "/members/export/", "/reports/report.xlsx"])
def test_exported_ledgers_have_print_setup(world, client_for, url):
    c = client_for("admin")
    resp = c.get(url)
    if url == "/reports/report.xlsx":  # built by a background job (the test backend runs it at once)
        assert resp.status_code == 302 and "/jobs/" in resp["Location"], url
        resp = c.get(resp["Location"].rstrip("/") + "/download/")
    assert resp.status_code == 200, url
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    wb = load_workbook(io.BytesIO(body))
    for sheet in wb.worksheets:
        _check_print_setup(sheet)

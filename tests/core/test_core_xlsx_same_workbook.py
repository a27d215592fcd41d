"""core.xlsx.add_sheet sets each border by its index and tracks the row it appended (a county
report's 50,000 cells spent seconds in openpyxl's Border hashing and ws.max_row scans). The
workbook must be the one the former code wrote: that code is kept below, verbatim."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from dangjian.core import xlsx
from dangjian.core.xlsx import BORDER, as_number, safe_cell


def reference_print_setup(ws, *, header_row: int = 2) -> None:
    ws.page_setup.paperSize = "9"
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    for row in ws.iter_rows(min_row=header_row, max_row=ws.max_row, max_col=ws.max_column):
        for cell in row:
            cell.border = BORDER


def reference_add_sheet(wb, *, sheet_title, heading, headers, rows, first=False):
    ws = wb.active if first else wb.create_sheet()
    ws.title = sheet_title[:31]
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(headers)))
    ws["A1"].font = Font(bold=True, size=12)
    ws["A1"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[1].height = 36
    ws.append(list(headers))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
    widths = [max(6, len(str(h)) * 2 + 2) for h in headers]
    for row in rows:
        converted = [as_number(safe_cell(v)) for v in row]
        values = [v for v, _f in converted]
        ws.append(values)
        for i, (v, fmt) in enumerate(converted[: len(widths)]):
            if fmt:
                ws.cell(row=ws.max_row, column=i + 1).number_format = fmt
                widths[i] = max(widths[i], 10)
            elif isinstance(v, date | datetime):
                ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd"
                widths[i] = max(widths[i], 12)
            elif v is not None:
                widths[i] = min(60, max(widths[i], len(str(v)) * 2 if not str(v).isascii() else len(str(v)) + 2))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    ws.freeze_panes = "A3"
    reference_print_setup(ws)
    return ws


def _parts(build) -> dict[str, bytes]:
    wb = Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as z:  # docProps holds the time it was written
        return {n: z.read(n) for n in z.namelist() if not n.startswith("docProps/")}


def _both(sheets):
    def mine(wb):
        for i, (headers, rows) in enumerate(sheets):
            xlsx.add_sheet(wb, sheet_title=f"表{i}", heading="标题", headers=headers, rows=rows, first=i == 0)

    def theirs(wb):
        for i, (headers, rows) in enumerate(sheets):
            reference_add_sheet(wb, sheet_title=f"表{i}", heading="标题", headers=headers, rows=rows, first=i == 0)

    return _parts(mine), _parts(theirs)


def test_a_report_workbook_is_the_former_one():
    rows = [
        ["东街社区党支部", Decimal("560.96"), "99.6%", 21, date(2026, 3, 1)],
        ["西街社区党支部", Decimal("0.00"), "100%", None, 1.5],
        ["短行"],
        [],
        ["=危险", "多出的列", 1, 2, 3, 4, 5],
    ]
    mine, theirs = _both([(["支部", "金额", "收缴率", "人数", "日期"], rows), (["类别", "内容"], [["说明", "无"]])])
    assert mine == theirs


cell = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False),
    st.sampled_from(["99.6%", "0%", "党支部", "=SUM(A1)", "", date(2025, 1, 2)]),
)


@settings(max_examples=40, deadline=None)
@given(
    sheets=st.lists(
        st.tuples(
            st.lists(st.sampled_from(["支部", "金额", "比例", "备注"]), min_size=1, max_size=4),
            st.lists(st.lists(cell, max_size=5), max_size=6),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_workbook_is_the_former_one(sheets):
    mine, theirs = _both(sheets)
    assert mine == theirs

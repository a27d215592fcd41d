"""Excel ledgers (台账): every export has a title row saying what, whose, which period,
who exported it and when; cells that look like formulas are escaped."""

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # control characters except \t and \n


def safe_cell(value):
    """Neutralise formula injection (=cmd|..., +SUM(...), @...) in text cells."""
    if isinstance(value, str):
        if _CONTROL.search(value):
            value = _CONTROL.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def title_line(*, title: str, org: str = "", period: str = "", user=None, filters: str = "") -> str:
    now = timezone.localtime().strftime("%Y年%m月%d日 %H:%M")
    who = getattr(user, "display_name", None) or getattr(user, "username", "") or "系统"
    parts = [title]
    if org:
        parts.append(f"党组织：{org}")
    if period:
        parts.append(f"期间：{period}")
    if filters:
        parts.append(f"筛选：{filters}")
    parts.append(f"导出人：{who}")
    parts.append(f"导出时间：{now}")
    return "　".join(parts)


def add_sheet(
    wb: Workbook,
    *,
    sheet_title: str,
    heading: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    first: bool = False,
):
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
        values = [safe_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values[: len(widths)]):
            if isinstance(v, date | datetime):
                ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd"
                widths[i] = max(widths[i], 12)
            elif v is not None:
                widths[i] = min(60, max(widths[i], len(str(v)) * 2 if not str(v).isascii() else len(str(v)) + 2))
    for i, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = w
    ws.freeze_panes = "A3"
    return ws


def ledger_bytes(
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    org: str = "",
    period: str = "",
    user=None,
    filters: str = "",
    extra_sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]] = (),
) -> bytes:
    """One workbook: the main sheet plus optional (name, headers, rows) sheets."""
    wb = Workbook()
    heading = title_line(title=title, org=org, period=period, user=user, filters=filters)
    add_sheet(wb, sheet_title=title, heading=heading, headers=headers, rows=rows, first=True)
    for name, hdrs, rws in extra_sheets:
        add_sheet(wb, sheet_title=name, heading=f"{name}　{heading}", headers=hdrs, rows=rws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(content: bytes, filename: str):
    from urllib.parse import quote

    from django.http import HttpResponse

    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def write_ledger(
    target,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    org: str = "",
    period: str = "",
    user=None,
    filters: str = "",
    extra_sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]] = (),
    progress=None,
) -> None:
    """Like `ledger_bytes`, streamed: openpyxl's write-only mode (rows go to the file as they
    come, memory stays flat), written to `target` (a path or a binary file). Column widths are
    taken from the headers and the first rows. `progress(n)` is called every 500 rows."""
    from itertools import chain, islice

    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    heading = title_line(title=title, org=org, period=period, user=user, filters=filters)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FDE9E7")
    sheets = [(title, heading, headers, rows, True)] + [
        (name, f"{name}　{heading}", hdrs, rws, False) for name, hdrs, rws in extra_sheets
    ]
    for sheet_title, head, hdrs, rws, main in sheets:
        ws = wb.create_sheet(sheet_title[:31])
        it = iter(rws)
        first = [[safe_cell(v) for v in r] for r in islice(it, 200)]
        widths = [max(6, len(str(h)) * 2 + 2) for h in hdrs]
        for r in first:
            for i, v in enumerate(r[: len(widths)]):
                if isinstance(v, date | datetime):
                    widths[i] = max(widths[i], 12)
                elif v is not None:
                    s = str(v)
                    widths[i] = min(60, max(widths[i], len(s) * 2 if not s.isascii() else len(s) + 2))
        for i, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = w
        ws.freeze_panes = "A3"
        ws.merged_cells.add(f"A1:{get_column_letter(max(1, len(hdrs)))}1")
        ws.row_dimensions[1].height = 36
        top = WriteOnlyCell(ws, value=head)
        top.font = Font(bold=True, size=12)
        top.alignment = Alignment(wrap_text=True)
        ws.append([top])
        header_cells = []
        for h in hdrs:
            c = WriteOnlyCell(ws, value=h)
            c.font, c.fill = bold, fill
            header_cells.append(c)
        ws.append(header_cells)
        n = 0
        # Dates get openpyxl's own date formats (yyyy-mm-dd; with the time for timestamps).
        for r in chain(first, ([safe_cell(v) for v in r] for r in it)):
            ws.append(r)
            n += 1
            if progress is not None and n % 500 == 0:
                progress(500)
        if progress is not None and main:
            progress(n % 500)
    wb.save(target)

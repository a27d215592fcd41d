"""Import a branch's yearly dues bases from Excel: all or nothing, every bad row reported
(行号, 列, 原因). Columns: 姓名, 公民身份号码 (optional; needed when two members share a
name), 党费类别, 月交纳基数 (在职/离退休 only). The amount is computed by the rule, never read
from the file (中组发〔2008〕3号)."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation

from dangjian.core import crypto
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


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return "".join(str(v).split())


def read_rows(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return wb.get_sheet_by_index(0).to_python(skip_empty_area=False)[: MAX_ROWS + 20]
    except Exception:  # calamine raises several types for files that are not spreadsheets
        raise ImportRefused([(None, "", "无法读取该文件：请上传 Excel 文件（.xlsx 或 .xls）")]) from None


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:20]):
        cells = [_text(c) for c in row]
        if "姓名" in cells and "党费类别" in cells:
            return i, {h: cells.index(h) for h in HEADERS if h in cells}
    return None


def _base(v) -> Decimal | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise RuleError("不是有效的金额")
    try:
        d = Decimal(str(v).strip().replace(",", "").replace("，", "")) if not isinstance(v, float) else Decimal(repr(v))
    except (InvalidOperation, ValueError):
        raise RuleError(f"“{str(v)[:20]}”不是有效的金额") from None
    if not d.is_finite() or d < 0 or d > MAX_BASE:
        raise RuleError("金额超出范围（应为0以上的月收入）")
    return d.quantize(Decimal("0.01"))


def plan(branch, year: int, rows: list[list]) -> tuple[list[services.BaseRow], list[tuple[int | None, str, str]]]:
    from dangjian.members.models import Member

    found = _header(rows)
    if found is None:
        return [], [(None, "", "未找到表头：第一张工作表须有“姓名”“党费类别”两列（可下载模板）")]
    head, cols = found
    members = list(Member.objects.filter(branch=branch, is_current=True).values_list("id", "name", "id_number_hash"))
    by_name: dict[str, list[int]] = {}
    by_hash = {h: mid for mid, _, h in members}
    for mid, name, _ in members:
        by_name.setdefault(name, []).append(mid)
    farmer = farmer_amount_for(branch)
    out, errors, seen = [], [], set()
    for i, row in enumerate(rows[head + 1 :], start=head + 2):
        cell = lambda h, row=row: row[cols[h]] if h in cols and cols[h] < len(row) else None  # noqa: E731
        name, id_raw, cat_raw = _text(cell("姓名")), _text(cell("公民身份号码")), _text(cell("党费类别"))
        if not name and not cat_raw and not id_raw and cell("月交纳基数") in (None, ""):
            continue
        if len(out) + len(errors) > MAX_ROWS:
            errors.append((i, "", f"超过 {MAX_ROWS} 行，请分批导入"))
            break
        mid = None
        if id_raw:
            try:
                mid = by_hash.get(crypto.lookup_hash(idcard.normalize_id(id_raw)))
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


def import_bases(*, branch, year: int, data: bytes, user=None) -> int:
    """All or nothing: returns the number of members set, or raises ImportRefused."""
    rows = read_rows(data)
    planned, errors = plan(branch, year, rows)
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

"""Import a branch's yearly dues bases from Excel: all or nothing, every bad row reported
(行号, 列, 原因). Columns: 姓名, 公民身份号码 (optional; needed when two members share a
name), 党费类别, 月交纳基数 (在职/离退休 only). The amount is computed by the rule, never read
from the file (中组发〔2008〕3号).

Two steps, as for the roster and meetings: `preview()` reads and checks the file and writes
nothing; its `to_state()` is kept encrypted (core.spreadsheet.keep_preview) until the person
confirms; `apply_preview()` then writes exactly the rows shown, or refuses when the branch's
members, bases or farmer amount changed since (StalePreview)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from dangjian.core import crypto
from dangjian.core.errors import ServiceError
from dangjian.core.spreadsheet import IDENT, NUMBER, Column, ReadError, Spec, Table, clean_ident, read_table
from dangjian.core.xlsx import ledger_bytes
from dangjian.dues import services
from dangjian.dues.selectors import farmer_amount_for, prefill_bases, rounding
from dangjian.rules import idcard
from dangjian.rules.dues import check_base, monthly_dues, normalize_category
from dangjian.rules.errors import RuleError

MAX_ROWS = 5000
HEADERS = ["姓名", "公民身份号码", "党费类别", "月交纳基数"]
MAX_BASE = Decimal("10000000")


class ImportRefused(Exception):
    def __init__(self, errors: list[tuple[int | None, str, str]]):
        super().__init__("导入未完成")
        self.errors = errors


class StalePreview(ServiceError):
    """The preview no longer matches the database: nothing was written; upload again."""

    status = 409


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
    rows, errors = _plan(branch, year, table)
    return [r for _where, r in rows], errors


def _plan(branch, year: int, table: Table) -> tuple[list[tuple[str, services.BaseRow]], list[tuple]]:
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
            check_base(cat, base)  # what set_bases refuses is refused here, before any preview
            monthly_dues(cat, base, farmer_amount=farmer, rounding=rounding())
        except RuleError as exc:
            errors.append((i, "月交纳基数", exc.message[:120]))
            continue
        out.append((row.where, services.BaseRow(mid, cat, base)))
    if not out and not errors:
        errors.append((None, "", "文件中没有数据行"))
    return out, errors


@dataclass(frozen=True)
class PreviewRow:
    """One member's base as it will be written, and what it replaces."""

    where: str  # 第3行 / “一支部”工作表第3行
    member_id: int
    name: str
    category: str
    base: Decimal | None
    amount: Decimal
    change: str  # 新增 / 调整 / 无变化
    before: str  # the year's base now, in words ("" when none)
    version: int | None  # DuesBase.version now (None: none yet); a change since makes the preview stale


@dataclass
class BasesPreview:
    branch_id: int
    year: int
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[tuple] = field(default_factory=list)  # (行号, 列, 原因)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (行号, 原因)
    notices: list[str] = field(default_factory=list)  # columns not used, values dropped, sheets not read
    farmer_amount: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def count(self, change: str) -> int:
        return sum(1 for r in self.rows if r.change == change)

    @property
    def created(self) -> int:
        return self.count("新增")

    @property
    def updated(self) -> int:
        return self.count("调整")

    @property
    def unchanged(self) -> int:
        return self.count("无变化")

    def to_state(self) -> dict:
        def money(v):
            return None if v is None else str(v)

        return {
            "kind": "dues_bases",
            "branch": self.branch_id,
            "year": self.year,
            "farmer_amount": self.farmer_amount,
            "rows": [
                [r.where, r.member_id, r.name, r.category, money(r.base), str(r.amount), r.change, r.before, r.version]
                for r in self.rows
            ],
            "skipped": self.skipped,
            "notices": self.notices,
        }

    @classmethod
    def from_state(cls, state: dict) -> BasesPreview:
        rows = [
            PreviewRow(w, mid, name, cat, None if base is None else Decimal(base), Decimal(amount), ch, before, ver)
            for w, mid, name, cat, base, amount, ch, before, ver in state["rows"]
        ]
        return cls(
            branch_id=state["branch"],
            year=state["year"],
            rows=rows,
            skipped=[tuple(x) for x in state.get("skipped", [])],
            notices=list(state.get("notices", [])),
            farmer_amount=state.get("farmer_amount", ""),
        )


def _describe(b) -> str:
    if b is None:
        return ""
    base = f"，基数{b.base}元" if b.base is not None else ""
    return f"{b.category}{base}，每月{b.amount}元"


def preview(*, branch, year: int, data: bytes, filename: str = "") -> BasesPreview:
    """Read and check the file; nothing is written. Errors (行号, 列, 原因) refuse the whole file."""
    from dangjian.dues.models import DuesBase
    from dangjian.members.models import Member

    out = BasesPreview(branch_id=branch.pk, year=year)
    try:
        table = read_rows(data, filename)
    except ImportRefused as exc:
        out.errors = exc.errors
        return out
    out.skipped = table.skipped_rows()
    out.notices = table.notices(skipped=False)
    planned, errors = _plan(branch, year, table)
    if errors:
        out.errors = errors
        return out
    farmer = farmer_amount_for(branch)
    out.farmer_amount = str(farmer)
    wheres = {r.member_id: where for where, r in planned}
    names = dict(Member.objects.filter(pk__in=wheres).values_list("pk", "name"))
    existing = {b.member_id: b for b in DuesBase.objects.filter(year=year, member_id__in=wheres)}
    for _where, r in planned:
        amount = monthly_dues(r.category, r.base, farmer_amount=farmer, rounding=rounding())
        base = r.base if r.category in ("在职", "离退休") else None
        b = existing.get(r.member_id)
        if b is None:
            change = "新增"
        elif (b.category, b.base, b.amount) == (r.category, base, amount):
            change = "无变化"
        else:
            change = "调整"
        out.rows.append(
            PreviewRow(
                wheres[r.member_id],
                r.member_id,
                names.get(r.member_id, ""),
                r.category,
                base,
                amount,
                change,
                _describe(b),
                b.version if b is not None else None,
            )
        )
    return out


def apply_preview(state: dict, *, branch, user=None) -> tuple[int, int]:
    """Write exactly the previewed rows, all or nothing; StalePreview when the branch's members,
    the year's bases or the farmer amount changed after the preview was made."""
    from dangjian.dues.models import DuesBase
    from dangjian.members.models import Member

    p = BasesPreview.from_state(state)
    if state.get("kind") != "dues_bases" or p.branch_id != branch.pk or not p.rows:
        raise StalePreview("这份预览不是本支部的党费基数导入，请重新上传")
    stale = "预览之后，{what}，未导入任何数据：请重新上传文件，按新的检查结果确认"
    ids = [r.member_id for r in p.rows]
    try:
        with transaction.atomic():
            now = {b.member_id: b for b in DuesBase.objects.select_for_update().filter(year=p.year, member_id__in=ids)}
            current = set(
                Member.objects.filter(branch=branch, is_current=True, pk__in=ids).values_list("pk", flat=True)
            )
            gone = [r.name for r in p.rows if r.member_id not in current]
            if gone:
                raise StalePreview(stale.format(what=f"{'、'.join(gone[:5])}已不在本支部名册中"))
            moved = [r.name for r in p.rows if (now[r.member_id].version if r.member_id in now else None) != r.version]
            if moved:
                raise StalePreview(stale.format(what=f"{'、'.join(moved[:5])}的{p.year}年党费基数已被修改"))
            if str(farmer_amount_for(branch)) != p.farmer_amount:
                raise StalePreview(stale.format(what="本支部农民党员的党费标准已调整"))
            rows = [services.BaseRow(r.member_id, r.category, r.base) for r in p.rows]
            result = services.set_bases(branch=branch, year=p.year, rows=rows, user=user)
            written = {b.member_id: b.amount for b in DuesBase.objects.filter(year=p.year, member_id__in=ids)}
            if any(written.get(r.member_id) != r.amount for r in p.rows):
                raise StalePreview(stale.format(what="党费计算规则已调整"))
    except services.DuesError as exc:
        raise StalePreview(f"未导入任何数据：{exc.message}。请重新上传文件") from None
    except IntegrityError:  # a base created for the same member and year meanwhile
        raise StalePreview(stale.format(what="有人同时录入了本支部的党费基数")) from None
    return result


def import_bases(*, branch, year: int, data: bytes, user=None, filename: str = "", notices: list | None = None) -> int:
    """Preview and apply in one step (commands and tests): returns the number of members set, or
    raises ImportRefused. What the reader skipped or did not use is appended to `notices`."""
    p = preview(branch=branch, year=year, data=data, filename=filename)
    if notices is not None:
        notices.extend([f"跳过{why}：{where}" for where, why in p.skipped] + p.notices)
    if p.errors:
        raise ImportRefused(p.errors)
    if not p.rows:
        raise ImportRefused([(None, "", "文件中没有数据行")])
    try:
        apply_preview(p.to_state(), branch=branch, user=user)
    except StalePreview as exc:
        raise ImportRefused([(None, "", exc.message)]) from None
    return len(p.rows)


def template_bytes(branch, year: int, user=None) -> bytes:
    """A template with the branch's members already listed (prefilled from last year)."""
    rows = [
        [r["name"], "", r["category"], float(r["base"]) if r["base"] is not None else None]
        for r in prefill_bases(branch, year)
    ]
    return ledger_bytes(
        title="党费基数导入", headers=HEADERS, rows=rows, org=branch.name, period=f"{year}年", user=user
    )

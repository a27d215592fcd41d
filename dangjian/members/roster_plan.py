"""Roster import, step 2: the plan. Every row parsed and checked in Python, existing members
matched by the keyed hash of the 公民身份号码; nothing is written here (roster_apply does)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from dangjian.accounts.scope import orgs_in_scope
from dangjian.core import clock, crypto
from dangjian.core.collector import paused
from dangjian.core.errors import ServiceError
from dangjian.core.spreadsheet import Table
from dangjian.members.models import DuesCategory, Member, Occupation
from dangjian.members.roster_parse import (
    BOOL_FIELDS,
    DATE_FIELDS,
    ReadError,
    blank,
    parse_cell,
    parse_date_cell,
    parse_id_cell,
)
from dangjian.members.services import EDITABLE_FIELDS
from dangjian.members.validation import check_member, label
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType
from dangjian.rules import idcard
from dangjian.rules.dates import add_months, month_end, to_halfwidth
from dangjian.rules.errors import RuleError
from dangjian.rules.membership import MIN_JOIN_AGE

# What a blank 党费类别 defaults to, from the occupation (中组发〔2008〕3号 categories).
DUES_FROM_OCCUPATION = {
    Occupation.RETIRED: DuesCategory.RETIRED,
    Occupation.STUDENT: DuesCategory.STUDENT,
    Occupation.FARMER: DuesCategory.FARMER,
}

ImportError_ = ReadError  # the file cannot be read at all; .message says why


class StalePreview(ServiceError):
    """Members the preview matched (or found absent) changed before 确认导入: nothing was
    written; upload again."""

    status = 409


STALE = "预览之后，{what}，未导入任何数据：请重新上传文件，按新的检查结果确认"


@dataclass
class RowError:
    row: int  # as in the spreadsheet (1-based)
    col: int | None  # 1-based column, None when the problem is not one cell
    column: str  # header text or field label
    message: str
    sheet: str = ""
    where: str = ""  # 第12行 / “二支部”工作表第12行

    @property
    def text(self) -> str:
        """第1234行　公民身份号码　校验位不对，请核对身份证原件"""
        msg = self.message
        if self.column and msg.startswith(self.column + "："):
            msg = msg[len(self.column) + 1 :]
        return "　".join(p for p in (self.where or f"第{self.row}行", self.column, msg) if p)


@dataclass
class PlannedRow:
    row: int
    data: dict
    id_number: str
    phone: str | None
    existing: Member | None = None
    changes: dict = field(default_factory=dict)
    sheet: str = ""
    id_hash: str = ""  # the current key's lookup hash of id_number (computed once, in the plan)


@dataclass
class ImportPlan:
    table: Table
    planned: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # values the plan itself does not take
    # What the plan depended on: per 公民身份号码 in the file (its current-key hash), the
    # matched current member as [id, version, last change, branch id], or None (a new member).
    basis: dict[str, list | None] = field(default_factory=dict)
    basis_names: dict[str, str] = field(default_factory=dict)  # the same hashes → name, for messages

    @property
    def header_row(self) -> int:
        return self.table.sheets[0].header_row

    @property
    def rows(self) -> list[list]:
        return self.table.sheets[0].rows

    @property
    def ignored_columns(self) -> list[str]:
        return list(dict.fromkeys(h for _s, h in self.table.unused_columns))

    @property
    def notices(self) -> list[str]:
        return self.table.notices() + self.dropped

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.existing is None]

    @property
    def to_update(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.existing is not None and p.changes]

    @property
    def unchanged(self) -> list[PlannedRow]:
        return [p for p in self.planned if p.existing is not None and not p.changes]

    @property
    def error_rows(self) -> int:
        return len({(e.sheet, e.row) for e in self.errors})


# --- scope: which branches rows may name ------------------------------------------------


def _key(s: str) -> str:
    return "".join(to_halfwidth(str(s)).split())


class BranchIndex:
    """Branches (and their 党小组) the importing user may write into, by full or short name;
    `known` holds every active branch name, to tell a typo from a branch outside the scope."""

    def __init__(self, branches: Iterable[Organization], groups: Iterable[Organization], known: Iterable[str] = ()):
        self.branches = list(branches)
        self.by_pk = {b.pk: b for b in self.branches}
        self.by_name: dict[str, list[Organization]] = {}
        for b in self.branches:
            for n in {b.name, b.short_name}:
                if n:
                    self.by_name.setdefault(_key(n), []).append(b)
        self.known = {_key(n) for n in known if n} | set(self.by_name)
        self.groups: dict[tuple[int, str], Organization] = {}
        paths = sorted(self.branches, key=lambda b: -len(b.path))
        for g in groups:
            owner = next((b for b in paths if g.path.startswith(b.path)), None)
            if owner:
                for n in {g.name, g.short_name}:
                    if n:
                        self.groups[(owner.pk, _key(n))] = g

    @staticmethod
    def _known_names() -> list[str]:
        rows = Organization.objects.filter(is_active=True, org_type__in=BRANCH_TYPES).values_list("name", "short_name")
        return [n for pair in rows for n in pair if n]

    @classmethod
    def for_user(cls, user) -> BranchIndex:
        orgs = list(orgs_in_scope(user))
        return cls(
            [o for o in orgs if o.org_type in BRANCH_TYPES],
            [o for o in orgs if o.org_type == OrgType.GROUP],
            cls._known_names(),
        )

    @classmethod
    def everything(cls) -> BranchIndex:
        orgs = list(Organization.objects.filter(is_active=True))
        return cls([o for o in orgs if o.org_type in BRANCH_TYPES], [o for o in orgs if o.org_type == OrgType.GROUP])

    def suggest(self, name: str) -> list[str]:
        names = sorted({b.name for b in self.branches} | {b.short_name for b in self.branches if b.short_name})
        return difflib.get_close_matches(_key(name), names, n=3, cutoff=0.5)

    def find(self, name: str) -> Organization:
        found = self.by_name.get(_key(name), [])
        if not found:
            if _key(name) in self.known:
                raise RuleError(f"“{name}”不在您的权限范围内，不能导入到该党支部")
            close = self.suggest(name)
            hint = f"，是不是“{'”或“'.join(close)}”？" if close else "，请填写党支部的全称或简称"
            raise RuleError(f"没有名为“{name}”的党支部{hint}")
        if len({b.pk for b in found}) > 1:
            raise RuleError(f"“{name}”对应多个党支部，请填写全称")
        return found[0]

    def group(self, branch: Organization, name: str) -> Organization:
        g = self.groups.get((branch.pk, _key(name)))
        if g is None:
            raise RuleError(f"“{branch.name}”下没有名为“{name}”的党小组")
        return g


def _id_birth(id_number: str, today: date | None = None) -> date | None:
    """The birth date in a valid number (checked against `today`, the real date by default,
    as idcard.birth_date_from_id does), else None."""
    if not id_number:
        return None
    try:
        idcard.validate_id(id_number, today=today)
    except RuleError:
        return None
    return idcard._birth(idcard.normalize_id(id_number))  # validated just above: no second check


_ID, _PHONE, _ORG, _DATE, _CELL = "id", "phone", "org", "date", "cell"
# How the plan takes each field's cell; every other field goes through parse_cell.
_STEP = {"id_number": _ID, "phone": _PHONE, "branch": _ORG, "group": _ORG} | dict.fromkeys(DATE_FIELDS, _DATE)


def _parse_cell(v, f: str) -> tuple:
    return parse_cell(f, v), None


def _parse_date_cell(v, today: date) -> tuple:
    d = parse_date_cell(v, today)
    # (date, "month" for a date given to the month only, None): the plan looks only at that
    return (d.date, "month" if d.precision == "month" else None, None) if d is not None else (None, None, None)


def _compute(parse, v, arg) -> tuple:
    try:
        return parse(v, arg)
    except RuleError as exc:
        return (None, exc.message) if parse is _parse_cell else (None, None, exc.message)


def _key_of(v):
    """A cell's cache key: the type goes with the value (1, 1.0 and True are different cells);
    text, most cells, is its own key (a str never equals a tuple)."""
    return v if v.__class__ is str else (v.__class__, v)


def _result(results: dict, v, parse, arg) -> tuple:
    """parse(v, arg) — the value(s) then the message or None — once per distinct cell value."""
    try:
        key = _key_of(v)
        hit = results.get(key)
    except TypeError:  # an unhashable cell value: parsed every time
        return _compute(parse, v, arg)
    if hit is None:
        hit = results[key] = _compute(parse, v, arg)
    return hit


def _column(results: dict, col: list, parse, arg) -> tuple[list[tuple], bool]:
    """_result for a whole column, and whether any cell of it has an error: parsing and the
    cache are visited once per distinct value, the rest is list work."""
    try:
        keys = [v if v.__class__ is str else (v.__class__, v) for v in col]  # as _key_of
        hits_of = dict.fromkeys(keys)  # the first cell of each value is the one parsed
    except TypeError:
        hits = [_result(results, v, parse, arg) for v in col]
        return hits, any(h[-1] is not None for h in hits)
    for k in hits_of:
        hit = results.get(k)
        if hit is None:
            hit = results[k] = _compute(parse, k if k.__class__ is str else k[1], arg)
        hits_of[k] = hit
    return list(map(hits_of.__getitem__, keys)), any(h[-1] is not None for h in hits_of.values())


def _runs(rows: list) -> list[list]:
    """Consecutive rows with the same fields (one sheet's rows), parsed column by column."""
    runs: list[list] = []
    for row in rows:
        if runs and row.values.keys() == runs[-1][0].values.keys():
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


class _Cells:
    """The plan's first step: every row's cells parsed into model values (errors per cell),
    the branch and 党小组 found, birth date and sex taken from the number when left out.

    Whole columns are parsed at once, through caches by cell value; a row with a cell error
    is gone through field by field, as the messages need."""

    def __init__(self, today, branches, default_branch, header_of, plan):
        self.today = today
        self.real_today = date.today()  # what idcard.birth_date_from_id checks the number against
        self.branches = branches
        self.default_branch = default_branch
        self.header_of = header_of
        self.plan = plan
        self.cell_results: dict[str, dict] = {}
        self.date_results: dict = {}
        self.branch_results: dict[str, tuple] = {}
        self.group_results: dict[tuple, tuple] = {}

    def err(self, errs: list, row, f: str, message: str) -> None:
        col, name = self.header_of(row.sheet, f)
        msg = message if message.startswith(label(f)) else f"{label(f)}：{message}"
        errs.append(RowError(row.number, col, name, msg, row.sheet, row.where))

    def _results(self, f: str) -> dict:
        results = self.cell_results.get(f)
        if results is None:
            results = self.cell_results[f] = {}
        return results

    def run(self, rows: list, candidates: list) -> None:
        fields = list(rows[0].values)
        parsed = [f for f in fields if _STEP.get(f, _CELL) in (_CELL, _DATE, _ORG)]
        columns: list[list] = []
        bad: set[int] = set()  # rows with a cell error
        month: dict[str, set[int]] = {}  # rows whose date is given to the month only, by field
        for f in parsed:
            step = _STEP.get(f, _CELL)
            col = [r.values[f] for r in rows]
            if step is _ORG:
                columns.append(col)
                continue
            if step is _DATE:
                hits, has_error = _column(self.date_results, col, _parse_date_cell, self.today)
                at = {i for i, h in enumerate(hits) if h[1] is not None}
                if at:
                    month[f] = at
            else:
                hits, has_error = _column(self._results(f), col, _parse_cell, f)
            if has_error:
                bad.update(i for i, h in enumerate(hits) if h[-1] is not None)
            columns.append([h[0] for h in hits])
        present_base = {f for f in parsed if _STEP.get(f, _CELL) is not _ORG}
        ids = [r.values["id_number"] for r in rows] if "id_number" in rows[0].values else None
        phones = None
        if "phone" in rows[0].values:
            phones, has_error = _column(self._results("phone"), [r.values["phone"] for r in rows], _parse_cell, "phone")
            if has_error:
                bad.update(i for i, h in enumerate(phones) if h[-1] is not None)
        for i, (row, values) in enumerate(zip(rows, zip(*columns) if columns else [()] * len(rows))):
            if i in bad:
                self.by_field(row, candidates)
                continue
            errs: list[RowError] = []
            data = dict(zip(parsed, values))
            present = present_base.copy()
            precision = {f: "month" for f, at in month.items() if i in at} if month else {}
            id_number = ""
            phone: str | None = None
            if ids is not None:
                v = ids[i]
                try:
                    id_number = parse_id_cell(v) if not blank(v) else ""
                except RuleError as exc:
                    self.err(errs, row, "id_number", exc.message)
            if phones is not None:
                phone = self.phone(row, phones[i][0])
            self.finish(row, data, id_number, phone, errs, present, precision, candidates)

    def phone(self, row, p: str) -> str | None:
        if "*" in p:  # a masked phone from our export: keep the stored one
            self.plan.dropped.append(
                f"{row.where}　{self.header_of(row.sheet, 'phone')[1]}　“{p}”是脱敏号码，未导入（保留系统中已有的号码）"
            )
            return None
        return p

    def by_field(self, row, candidates: list) -> None:
        """One row, field by field (a row with a cell error)."""
        errs: list[RowError] = []
        data: dict = {}
        present: set[str] = set()
        precision: dict[str, str] = {}
        id_number = ""
        phone: str | None = None
        for f, v in row.values.items():
            step = _STEP.get(f, _CELL)
            if step is _CELL:
                value, message = _result(self._results(f), v, _parse_cell, f)
                if message is None:
                    data[f] = value
                    present.add(f)
                else:
                    self.err(errs, row, f, message)
            elif step is _DATE:
                d, precise, message = _result(self.date_results, v, _parse_date_cell, self.today)
                if message is None:
                    data[f] = d
                    if precise is not None:
                        precision[f] = precise
                    present.add(f)
                else:
                    self.err(errs, row, f, message)
            elif step is _ORG:
                data[f] = v
            elif step is _ID:
                try:
                    id_number = parse_id_cell(v) if not blank(v) else ""
                except RuleError as exc:
                    self.err(errs, row, f, exc.message)
            else:  # phone
                p, message = _result(self._results(f), v, _parse_cell, f)
                if message is not None:
                    self.err(errs, row, f, message)
                else:
                    phone = self.phone(row, p)
        self.finish(row, data, id_number, phone, errs, present, precision, candidates)

    def finish(self, row, data, id_number, phone, errs, present, precision, candidates) -> None:
        branch = None
        bname = data.pop("branch", "")
        if bname:
            found = self.branch_results.get(bname)
            if found is None:
                found = self.branch_results[bname] = _found(self.branches.find, bname)
            branch, message = found
            if message is not None:
                self.err(errs, row, "branch", message)
        elif self.default_branch is not None:
            branch = self.default_branch
        else:
            self.err(errs, row, "branch", "必填，不能为空")
        gname = data.pop("group", "")
        if branch is not None:
            data["branch"] = branch
            present.add("branch")
            if "group" in row.values:
                present.add("group")
                data["group"] = None
                if gname:
                    found = self.group_results.get((branch.pk, gname))
                    if found is None:
                        found = self.group_results[branch.pk, gname] = _found(self.branches.group, branch, gname)
                    data["group"], message = found
                    if message is not None:
                        self.err(errs, row, "group", message)
        # Birth date and sex may be left out: they are in the number (GB 11643-1999).
        id_birth = _id_birth(id_number, self.real_today)
        if id_birth is not None:
            bd = data.get("birth_date")
            month_only = precision.get("birth_date") == "month"
            if bd is None or (month_only and (bd.year, bd.month) == (id_birth.year, id_birth.month)):
                data["birth_date"] = id_birth
                precision.pop("birth_date", None)
            if not data.get("sex"):
                data["sex"] = idcard.sex_from_id(id_number)
        if not data.get("dues_category") and "dues_category" in present:
            data["dues_category"] = DUES_FROM_OCCUPATION.get(data.get("occupation"), DuesCategory.FARMER)
        candidates.append((row, data, id_number, phone, errs, [], present, precision))


def _could_be_18(birth: date | None, joined: date) -> bool:
    """A month-only 入党日期: could the member have been 18 on some day of that month?"""
    return birth is not None and add_months(birth, MIN_JOIN_AGE * 12) <= month_end(joined.year, joined.month)


def _found(find, *args) -> tuple:
    """find(*args) as (organization, None) or (None, message)."""
    try:
        return find(*args), None
    except RuleError as exc:
        return None, exc.message


# --- planning ---------------------------------------------------------------------------


@paused()  # core.collector: no cycle search over the rows being built
def plan_import(
    table: Table,
    *,
    branches: BranchIndex,
    default_branch: Organization | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Parse and validate every row; match existing current members by ID hash."""
    today = clock.or_today(today)
    plan = ImportPlan(table=table)
    for sheet in table.sheets:
        fields = set(sheet.columns.values())
        where = f"工作表“{sheet.name}”" if table.multi_sheet else "表头"
        if "id_number" not in fields:
            raise ReadError(f"{where}中没有“公民身份号码”（或“身份证号”）列，无法识别党员")
        if "branch" not in fields and default_branch is None:
            raise ReadError(f"{where}中没有“所在党支部”列：请在文件中加上该列，或在导入时选定支部")

    @cache
    def header_of(sheet: str, f: str) -> tuple[int | None, str]:
        for s in table.sheets:
            if s.name == sheet:
                for j, g in s.columns.items():
                    if g == f:
                        return j + 1, s.header[j]
        return None, label(f)

    cells = _Cells(today, branches, default_branch, header_of, plan)
    candidates: list[tuple] = []
    for rows in _runs(table.rows):
        cells.run(rows, candidates)

    # Every live key's hash is searched (during a key rotation some rows keep the old one);
    # the current key's hash identifies the number within the file.
    ring = crypto.keyring()  # once: the same keyring crypto.lookup_hashes reads per call
    hashes_of = {c[2]: ring.lookup_hashes(c[2]) for c in candidates if c[2]}
    hash_of = {k: v[0] for k, v in hashes_of.items()}
    existing = _current_members({h for v in hashes_of.values() for h in v})

    seen: dict[str, str] = {}
    for row, data, id_number, phone, errs, warns, present, precision in candidates:
        rownum = row.number
        id_col = header_of(row.sheet, "id_number")
        h = hash_of.get(id_number, "")
        current = None
        if existing:  # a file of new members matches none: no lookups
            current = next((existing[x] for x in hashes_of.get(id_number, ()) if x in existing), None)
        if h:
            plan.basis[h] = _member_basis(current)
            plan.basis_names[h] = data.get("name") or (current.name if current is not None else "")
        if current is not None:
            if current.branch_id not in branches.by_pk:
                errs.append(
                    RowError(
                        rownum,
                        id_col[0],
                        id_col[1],
                        "公民身份号码：该党员已在您权限范围以外的党组织登记在册，不能在此导入或修改",
                        row.sheet,
                        row.where,
                    )
                )
            merged = {f: getattr(current, f) for f in EDITABLE_FIELDS}
            merged.update({f: data[f] for f in present if f in data})
        else:
            merged = dict(data.items())
            merged.setdefault("occupation", Occupation.OTHER)
            merged.setdefault("dues_category", DUES_FROM_OCCUPATION.get(merged["occupation"], DuesCategory.FARMER))
            merged.setdefault("probation_extension_months", 0)
            merged.setdefault("standing", "正常")
            for b in BOOL_FIELDS:
                merged.setdefault(b, False)
        merged["id_number"] = id_number
        problems = check_member(merged, today=today)
        joined = merged.get("joined_on")
        if precision.get("joined_on") == "month" and isinstance(joined, date):
            age_msgs = [m for m in problems.get("joined_on", []) if "十八岁" in m]
            if age_msgs and _could_be_18(merged.get("birth_date"), joined):
                problems["joined_on"] = [m for m in problems["joined_on"] if m not in age_msgs]
                if not problems["joined_on"]:
                    del problems["joined_on"]
                col, name = header_of(row.sheet, "joined_on")
                warns.append(
                    RowError(
                        rownum,
                        col,
                        name,
                        f"入党日期只填到月（{joined.year}年{joined.month}月），无法确认入党时是否已满十八岁，请核对",
                        row.sheet,
                        row.where,
                    )
                )
        if h and h in seen:
            problems.setdefault("id_number", []).append(f"公民身份号码：与{seen[h]}重复")
        elif h:
            seen[h] = row.where
        if problems:  # (most rows have none)
            id_broken = "id_number" in problems or any(e.column == id_col[1] for e in errs)
            if id_broken:
                for f in ("birth_date", "sex"):
                    problems[f] = [m for m in problems.get(f, []) if "必填" not in m]
            already = {e.message for e in errs}
            cell_error_columns = {e.column for e in errs}
            for f, msgs in problems.items():
                col, name = header_of(row.sheet, f)
                if name in cell_error_columns:
                    continue  # the cell's own error already says why
                for msg in msgs:
                    if msg not in already:
                        errs.append(RowError(rownum, col, name, msg, row.sheet, row.where))
        if warns:
            plan.warnings.extend(warns)
        if errs:
            plan.errors.extend(errs)
            continue
        merged.pop("id_number")
        planned = PlannedRow(rownum, merged, id_number, phone, existing=current, sheet=row.sheet, id_hash=h)
        if current is not None:
            planned.changes = {
                f: (getattr(current, f), merged[f])
                for f in EDITABLE_FIELDS
                if f in merged and getattr(current, f) != merged[f]
            }
            if phone is not None and phone != current.phone:
                planned.changes["phone_mask"] = (current.phone_mask, idcard.mask_phone(phone) if phone else "")
        plan.planned.append(planned)
    order = {s.name: i for i, s in enumerate(table.sheets)}
    plan.errors.sort(key=lambda e: (order.get(e.sheet, 0), e.row, e.col or 0))
    return plan


MATCH_BY_SCAN = 2000  # hashes from a file above which the current members' hashes are read whole


def _current_members(hashes: set[str]) -> dict[str, Member]:
    """The current members whose ID hash is among `hashes`, by hash. A large file is matched
    against the hashes of all current members (one query on one column: a township's or a
    county's roster), not through IN-lists of 500 (sixty queries for 30,000 rows, most of them
    finding nothing); only the matched members are then loaded."""
    existing: dict[str, Member] = {}
    if len(hashes) > MATCH_BY_SCAN:
        pks = [
            pk for h, pk in Member.objects.filter(is_current=True).values_list("id_number_hash", "pk") if h in hashes
        ]
        for k in range(0, len(pks), 500):
            for m in Member.objects.filter(pk__in=pks[k : k + 500], is_current=True).select_related("branch"):
                if m.id_number_hash in hashes:  # re-checked: the member may have changed since the scan
                    existing[m.id_number_hash] = m
        return existing
    hl = list(hashes)
    for k in range(0, len(hl), 500):
        for m in Member.objects.filter(id_number_hash__in=hl[k : k + 500], is_current=True).select_related("branch"):
            existing[m.id_number_hash] = m
    return existing


def _member_basis(m) -> list | None:
    if m is None:
        return None
    return [m.pk, m.version, m.updated_at.isoformat() if m.updated_at else "", m.branch_id]


def basis_now(plan: ImportPlan, *, lock: bool = False) -> dict[str, list | None]:
    """The plan's basis read again from the database (locking the matched members): compared
    with the one kept at the preview just before writing."""
    hashes_of = {hash_ids[0]: hash_ids for hash_ids in (crypto.lookup_hashes(p.id_number) for p in plan.planned)}
    owner = {x: h for h, xs in hashes_of.items() for x in xs}
    found: dict[str, list] = {}
    hl = list(owner)
    qs = Member.objects.select_for_update() if lock else Member.objects
    for k in range(0, len(hl), 500):
        for m in qs.filter(id_number_hash__in=hl[k : k + 500], is_current=True).only(
            "id", "version", "updated_at", "branch_id", "id_number_hash"
        ):
            found.setdefault(owner[m.id_number_hash], _member_basis(m))
    return {h: found.get(h) for h in hashes_of}


def check_basis(plan: ImportPlan, kept: dict | None, now: dict | None = None) -> None:
    """StalePreview naming the members whose record changed (or was added) since the preview."""
    now = plan.basis if now is None else now
    kept = kept or {}
    changed = [h for h in {**kept, **now} if kept.get(h, "absent") != now.get(h, "absent")]
    if not changed:
        return
    names = [n for n in (plan.basis_names.get(h, "") for h in changed) if n][:5]
    who = f"{'、'.join(names)}{'等' if len(changed) > len(names) else ''}" if names else f"{len(changed)}名党员"
    raise StalePreview(STALE.format(what=f"{who}的名册信息已被修改或已被他人录入"))

"""Roster import: files as people keep them, all-or-nothing, every bad row reported.

Flow: read_rows (python-calamine) → plan_import (parse and validate every row in Python,
match existing members by the keyed hash of the 公民身份号码) → apply_plan (bulk writes
in one transaction, one audit entry per written member). Nothing is written when any row
has an error.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import itemgetter
from types import SimpleNamespace

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, models, transaction
from django.db.models import JSONField
from django.utils import timezone

from dangjian.accounts.scope import orgs_in_scope
from dangjian.core import crypto
from dangjian.core.audit import _context as audit_context
from dangjian.core.pinyin import full_pinyin, initials
from dangjian.members.models import (
    DuesCategory,
    Member,
    MemberEvent,
    Occupation,
)
from dangjian.members.roster_columns import (
    DUES_CATEGORY_VALUES,
    FALSE_VALUES,
    KIND_VALUES,
    OCCUPATION_VALUES,
    SEX_VALUES,
    STANDING_VALUES,
    TRUE_VALUES,
    find_header_row,
)
from dangjian.members.services import EDITABLE_FIELDS
from dangjian.members.validation import check_member, label
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType
from dangjian.rules import idcard
from dangjian.rules.dates import parse_cn_date, to_halfwidth
from dangjian.rules.errors import RuleError
from dangjian.rules.membership import normalize_education

MAX_ROWS = 100_000
BATCH = 1000

ID_AS_NUMBER_MESSAGE = "公民身份号码被Excel存成了数字，末几位已丢失，请将该列设为文本后重新填写"
MASKED_ID_MESSAGE = "公民身份号码是脱敏的（含*号），无法据此登记；请使用含完整身份证号的文件"

DATE_FIELDS = {"birth_date", "joined_on", "full_on", "lost_on", "mobile_since", "joined_org_on"}
BOOL_FIELDS = {"is_migrant_worker", "is_lost", "is_mobile"}
# What a blank 党费类别 defaults to, from the occupation (中组发〔2008〕3号 categories).
DUES_FROM_OCCUPATION = {
    Occupation.RETIRED: DuesCategory.RETIRED,
    Occupation.STUDENT: DuesCategory.STUDENT,
    Occupation.FARMER: DuesCategory.FARMER,
}
_SCI = re.compile(r"^\d+(\.\d+)?[eE][+]?\d+$")
_MONTH_ONLY = re.compile(r"^\d{4}(年\d{1,2}月?|[-./]\d{1,2}|\d{2})$")


class ImportError_(Exception):
    """The file cannot be read at all (not a spreadsheet, no header row)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int  # as in the spreadsheet (1-based)
    col: int | None  # 1-based column, None when the problem is not one cell
    column: str  # header text or field label
    message: str


@dataclass
class PlannedRow:
    row: int
    data: dict
    id_number: str
    phone: str | None
    existing: Member | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    rows: list[list]  # the sheet as read (for the marked error file)
    header_row: int  # 1-based
    columns: dict[int, str]  # 0-based column → field
    planned: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

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
        return len({e.row for e in self.errors})


# --- reading --------------------------------------------------------------------------


def read_rows(content: bytes) -> list[list]:
    """All cells of the first sheet that has a roster header row (xlsx, xls, ods)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception:  # calamine raises several types for non-spreadsheets
        raise ImportError_("无法读取该文件：请上传 Excel 文件（.xlsx 或 .xls）") from None
    first = None
    for name in wb.sheet_names:
        try:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:
            continue
        if first is None:
            first = rows
        if find_header_row(rows):
            return rows[: MAX_ROWS + 20]
    return first or []


# --- scope: which branches rows may name ------------------------------------------------


class BranchIndex:
    """Branches (and their 党小组) the importing user may write into, by full or short name."""

    def __init__(self, branches: Iterable[Organization], groups: Iterable[Organization]):
        self.branches = list(branches)
        self.by_pk = {b.pk: b for b in self.branches}
        self.by_name: dict[str, list[Organization]] = {}
        for b in self.branches:
            for n in {b.name, b.short_name}:
                if n:
                    self.by_name.setdefault(_key(n), []).append(b)
        self.groups: dict[tuple[int, str], Organization] = {}
        paths = sorted(self.branches, key=lambda b: -len(b.path))
        for g in groups:
            owner = next((b for b in paths if g.path.startswith(b.path)), None)
            if owner:
                for n in {g.name, g.short_name}:
                    if n:
                        self.groups[(owner.pk, _key(n))] = g

    @classmethod
    def for_user(cls, user) -> BranchIndex:
        orgs = list(orgs_in_scope(user))
        return cls([o for o in orgs if o.org_type in BRANCH_TYPES], [o for o in orgs if o.org_type == OrgType.GROUP])

    @classmethod
    def everything(cls) -> BranchIndex:
        orgs = list(Organization.objects.filter(is_active=True))
        return cls([o for o in orgs if o.org_type in BRANCH_TYPES], [o for o in orgs if o.org_type == OrgType.GROUP])

    def find(self, name: str) -> Organization:
        found = self.by_name.get(_key(name), [])
        if not found:
            raise RuleError(f"“{name}”不是您权限范围内的党支部（请填写支部全称或简称）")
        if len({b.pk for b in found}) > 1:
            raise RuleError(f"“{name}”对应多个党支部，请填写全称")
        return found[0]

    def group(self, branch: Organization, name: str) -> Organization:
        g = self.groups.get((branch.pk, _key(name)))
        if g is None:
            raise RuleError(f"“{branch.name}”下没有名为“{name}”的党小组")
        return g


def _key(s: str) -> str:
    return "".join(to_halfwidth(str(s)).split())


# --- cell parsing -----------------------------------------------------------------------


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return " ".join(to_halfwidth(str(v)).split()) if not isinstance(v, str) else " ".join(v.split())


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def parse_id_cell(v) -> str:
    """The ID from a cell, refusing numbers (Excel keeps 15 significant digits: the last
    digits of an 18-digit number are gone and cannot be recovered)."""
    if isinstance(v, bool):
        raise RuleError("公民身份号码无效")
    if isinstance(v, int | float):
        raise RuleError(ID_AS_NUMBER_MESSAGE)
    s = idcard.normalize_id(str(v))
    if _SCI.match(s) or re.fullmatch(r"\d{15,17}(\.0+)?", s) or re.fullmatch(r"\d{18}\.0+", s):
        raise RuleError(ID_AS_NUMBER_MESSAGE)
    if "*" in s:
        raise RuleError(MASKED_ID_MESSAGE)
    return s


def _parse_bool(v) -> bool:
    s = _text(v).lower()
    if s in TRUE_VALUES:
        return True
    if s in FALSE_VALUES:
        return False
    raise RuleError(f"应填“是”或“否”，当前为“{s}”")


def _parse_choice(v, choices, what: str) -> str:
    s = "".join(_text(v).split())
    if s in choices:
        return s
    raise RuleError(f"应为 {'、'.join(choices)} 之一，当前为“{s}”")


def _parse_cell(f: str, v):
    """One cell → the model value (None for blank)."""
    if f in DATE_FIELDS:
        return None if _blank(v) else parse_cn_date(v)
    if f in BOOL_FIELDS:
        return _parse_bool(v)
    s = _text(v)
    if f == "name":
        return "".join(s.split())
    if f == "sex":
        if not s:
            return None
        if s not in SEX_VALUES:
            raise RuleError(f"应为“男”或“女”，当前为“{s}”")
        return SEX_VALUES[s]
    if f == "ethnicity":
        s = "".join(s.split())
        return s + "族" if s and not s.endswith("族") and s != "穿青人" else s
    if f == "education":
        return normalize_education(s) if s else None
    if f == "kind":
        s = "".join(s.split())
        if not s:
            return None
        if s not in KIND_VALUES:
            raise RuleError(f"应为正式党员或预备党员，当前为“{s}”")
        return KIND_VALUES[s]
    if f == "occupation":
        return _parse_choice(v, OCCUPATION_VALUES, "职业类别") if s else Occupation.OTHER
    if f == "dues_category":
        return _parse_choice(v, DUES_CATEGORY_VALUES, "党费类别") if s else None
    if f == "standing":
        if not s:
            return "正常"
        if s not in STANDING_VALUES:
            raise RuleError(f"应为“正常”或“停止党籍”，当前为“{s}”")
        return STANDING_VALUES[s]
    if f == "probation_extension_months":
        if not s:
            return 0
        try:
            n = int(float(to_halfwidth(s)))
        except ValueError:
            raise RuleError(f"应为月数，当前为“{s}”") from None
        return n
    if f == "phone":
        return re.sub(r"[\s\-]", "", to_halfwidth(s))
    return s


def _id_birth(id_number: str) -> date | None:
    """The birth date in a valid number (GB 11643-1999), None for a blank or invalid one;
    one check instead of is_valid_id + birth_date_from_id."""
    if not id_number:
        return None
    try:
        return idcard.birth_date_from_id(id_number)
    except RuleError:
        return None


class _CellCache:
    """_parse_cell results (and errors) by field and cell value: a roster repeats the same
    few values (性别, 民族, 学历, 类别, blank cells, dates) in most cells."""

    def __init__(self) -> None:
        self.done: dict[tuple, tuple[object, RuleError | None]] = {}

    def parse(self, f: str, v):
        key = (f, type(v), v)
        try:
            hit = self.done.get(key)
        except TypeError:  # an unhashable cell value: parse it every time
            return _parse_cell(f, v)
        if hit is None:
            try:
                hit = (_parse_cell(f, v), None)
            except RuleError as exc:
                hit = (None, exc)
            self.done[key] = hit
        if hit[1] is not None:
            raise RuleError(hit[1].message)
        return hit[0]


# --- planning ---------------------------------------------------------------------------


def plan_import(
    rows: list[list],
    *,
    branches: BranchIndex,
    default_branch: Organization | None = None,
    today: date | None = None,
) -> ImportPlan:
    """Parse and validate every row; match existing current members by ID hash."""
    today = today or date.today()
    found = find_header_row(rows)
    if not found:
        raise ImportError_("没有找到表头行：前10行中应有一行包含“姓名”“公民身份号码（或身份证号）”“入党日期”等列名")
    header_idx, columns = found
    header = rows[header_idx]
    plan = ImportPlan(rows=rows, header_row=header_idx + 1, columns=columns)
    plan.ignored_columns = [str(c) for j, c in enumerate(header) if j not in columns and not _blank(c)]
    col_of = {f: j for j, f in columns.items()}
    if "id_number" not in col_of:
        raise ImportError_("表头中没有“公民身份号码”（或“身份证号”）列，无法识别党员")
    if "branch" not in col_of and default_branch is None:
        raise ImportError_("表头中没有“所在党支部”列：请在文件中加上该列，或在导入时选定支部")
    if len(rows) - header_idx - 1 > MAX_ROWS:
        raise ImportError_(f"一次最多导入{MAX_ROWS}行，请分批导入")

    @cache  # asked several times per row
    def header_of(f: str) -> tuple[int | None, str]:
        j = col_of.get(f)
        return (j + 1 if j is not None else None, str(header[j]).strip() if j is not None else label(f))

    cells = _CellCache()
    candidates: list[tuple] = []
    for i in range(header_idx + 1, len(rows)):
        raw = rows[i]
        if all(_blank(c) for c in raw):
            continue
        rownum = i + 1
        errs: list[RowError] = []
        data: dict = {}
        present: set[str] = set()
        id_number = ""
        phone: str | None = None

        def err(f: str, message: str, errs=errs, rownum=rownum) -> None:
            col, name = header_of(f)
            msg = message if message.startswith(label(f)) else f"{label(f)}：{message}"
            errs.append(RowError(rownum, col, name, msg))

        for j, f in columns.items():
            v = raw[j] if j < len(raw) else None
            try:
                if f == "id_number":
                    id_number = parse_id_cell(v) if not _blank(v) else ""
                elif f == "phone":
                    p = cells.parse(f, v)
                    phone = None if "*" in p else p  # a masked phone from our export: keep the stored one
                elif f in ("branch", "group"):
                    data[f] = _text(v)
                else:
                    data[f] = cells.parse(f, v)
                    present.add(f)
            except RuleError as exc:
                err(f, exc.message)
        # Branch and group by name, within the importer's scope.
        branch = None
        bname = data.pop("branch", "")
        if bname:
            try:
                branch = branches.find(bname)
            except RuleError as exc:
                err("branch", exc.message)
        elif default_branch is not None:
            branch = default_branch
        else:
            err("branch", "必填，不能为空")
        gname = data.pop("group", "")
        if branch is not None:
            data["branch"] = branch
            present.add("branch")
            if "group" in col_of:
                present.add("group")
                data["group"] = None
                if gname:
                    try:
                        data["group"] = branches.group(branch, gname)
                    except RuleError as exc:
                        err("group", exc.message)
        # Birth date and sex may be left out: they are in the number (GB 11643-1999).
        id_birth = _id_birth(id_number)
        if id_birth is not None:
            bd = data.get("birth_date")
            rawbd = rows[i][col_of["birth_date"]] if "birth_date" in col_of else None
            month_only = isinstance(rawbd, str) and _MONTH_ONLY.match("".join(to_halfwidth(rawbd).split()))
            if bd is None or (month_only and (bd.year, bd.month) == (id_birth.year, id_birth.month)):
                data["birth_date"] = id_birth
            if not data.get("sex"):
                data["sex"] = idcard.sex_from_id(id_number)
        if not data.get("dues_category") and "dues_category" in present:
            data["dues_category"] = DUES_FROM_OCCUPATION.get(data.get("occupation"), DuesCategory.FARMER)
        candidates.append((rownum, data, id_number, phone, errs, present))

    # Existing current members, by the keyed hash (one query per 500 numbers).
    hash_of = {c[2]: crypto.lookup_hash(c[2]) for c in candidates if c[2]}
    existing: dict[str, Member] = {}
    hl = list(set(hash_of.values()))
    for k in range(0, len(hl), 500):
        for m in Member.objects.filter(id_number_hash__in=hl[k : k + 500], is_current=True).select_related("branch"):
            existing[m.id_number_hash] = m

    seen: dict[str, int] = {}
    for rownum, data, id_number, phone, errs, present in candidates:
        h = hash_of.get(id_number, "")
        current = existing.get(h) if h else None
        if current is not None:
            if current.branch_id not in branches.by_pk:
                errs.append(
                    RowError(
                        rownum,
                        header_of("id_number")[0],
                        header_of("id_number")[1],
                        "公民身份号码：该党员已在您权限范围以外的党组织登记在册，不能在此导入或修改",
                    )
                )
            full = {f: getattr(current, f) for f in EDITABLE_FIELDS}
            full.update({f: data[f] for f in present if f in data})
            merged = full
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
        if h and h in seen:
            problems.setdefault("id_number", []).append(f"公民身份号码：与第{seen[h]}行重复")
        elif h:
            seen[h] = rownum
        id_broken = "id_number" in problems or any(e.column == header_of("id_number")[1] for e in errs)
        if id_broken:
            # Birth date and sex left blank would come from the number: one error is enough.
            for f in ("birth_date", "sex"):
                problems[f] = [m for m in problems.get(f, []) if "必填" not in m]
        already = {e.message for e in errs}
        cell_error_columns = {e.column for e in errs}
        for f, msgs in problems.items():
            if header_of(f)[1] in cell_error_columns:
                continue  # the cell's own error already says why
            col, name = header_of(f)
            for msg in msgs:
                if msg not in already:
                    errs.append(RowError(rownum, col, name, msg))
        if errs:
            plan.errors.extend(errs)
            continue
        merged.pop("id_number")
        planned = PlannedRow(rownum, merged, id_number, phone, existing=current)
        if current is not None:
            planned.changes = {
                f: (getattr(current, f), merged[f])
                for f in EDITABLE_FIELDS
                if f in merged and getattr(current, f) != merged[f]
            }
            if phone is not None and phone != current.phone:
                planned.changes["phone_mask"] = (current.phone_mask, idcard.mask_phone(phone) if phone else "")
        plan.planned.append(planned)
    plan.errors.sort(key=lambda e: (e.row, e.col or 0))
    return plan


# --- writing ----------------------------------------------------------------------------


def _audit_value(v) -> str:
    if v is None:
        return "None"
    if isinstance(v, Organization):
        return str(v)
    return str(v)


def _pinyin_keys(name: str, cache: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Full pinyin and initials of a name, computed once per distinct name in an import."""
    keys = cache.get(name)
    if keys is None:
        keys = cache[name] = (full_pinyin(name), initials(name))
    return keys


def _insert_columns(model) -> list:
    """The concrete columns an INSERT writes (all but an auto primary key)."""
    return [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created or f is model._meta.auto_field)
    ]


def _executemany(model, fields: list, rows: list[tuple]) -> None:
    """One INSERT statement run for all rows: Django's bulk_create builds a statement per
    batch and SQLite allows only ~16 members per statement (the bound-variable limit), which
    made the import many times slower than the file read. Goes through Django's cursor, so
    the cache's write watcher still sees the write."""
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as c:
        for k in range(0, len(rows), 5000):
            c.executemany(sql, rows[k : k + 5000])


_PLAIN = (str, int, bool, type(None))


_AS_IS_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.ForeignKey)


def _db_rows(values: Iterable[dict], fields: list) -> list[tuple]:
    """Rows of attribute values as the database takes them. Text, number, boolean and key
    columns hold str/int/bool/None, which every backend takes as they are; the other
    columns (dates, timestamps, JSON) go through the field's own conversion, once per
    distinct value where the value can be a dict key."""
    conn = connections[connection.alias]  # the wrapper itself, not the thread-local proxy
    take = itemgetter(*(f.attname for f in fields))
    convert = [(i, f) for i, f in enumerate(fields) if not isinstance(f, _AS_IS_FIELDS) or isinstance(f, JSONField)]
    converted: dict[tuple[int, type, object], object] = {}
    rows = []
    for vals in values:
        row = list(take(vals))
        for i, f in convert:
            v = row[i]
            if v is None:
                continue
            if isinstance(f, JSONField):
                row[i] = f.get_db_prep_save(v, conn)
                continue
            key = (i, type(v), v)
            if key not in converted:
                converted[key] = f.get_db_prep_save(v, conn)
            row[i] = converted[key]
        rows.append(tuple(row))
    return rows


def _touched_orgs(plan: ImportPlan) -> list | None:
    """Every organisation a planned row is in, before and after the import (None: not sure,
    then the writes count as everywhere)."""
    from dangjian.orgs.models import Organization

    ids: set[int] = set()
    for p in plan.to_create:
        ids.update(o.pk for f in ("branch", "group") if (o := p.data.get(f)) is not None)
    for p in plan.to_update:
        ids.update(i for i in (p.existing.branch_id, p.existing.group_id) if i)
        for f in ("branch", "group"):
            if f in p.changes:
                new = p.changes[f][1]
                if new is not None and not isinstance(new, Organization):
                    return None
                if new is not None:
                    ids.add(new.pk)
    return list(Organization.objects.filter(pk__in=ids)) if ids else []


def _insert_members(planned: list[PlannedRow], pinyin_cache: dict) -> list[SimpleNamespace]:
    """Insert new members in one executemany; returns their values (with pk) for the audit.

    Rows are built from the model's defaults and the planned values without a Member
    instance each (Model.__init__ was a large part of the import's time); the sensitive
    fields go through Member.set_id_number / set_phone so encryption stays in one place."""
    fields = _insert_columns(Member)
    template = Member()
    defaults = {f.attname: getattr(template, f.attname) for f in fields}
    now = timezone.now()
    defaults["created_at"] = defaults["updated_at"] = now  # a raw insert skips auto_now
    fk = {f.name: f.attname for f in fields if f.is_relation}
    editable = set(EDITABLE_FIELDS)
    members = []
    for p in planned:
        vals = defaults.copy()
        vals.update({f: v for f, v in p.data.items() if f in editable})
        for f, attname in fk.items():
            if f in vals:
                vals[attname] = vals[f].pk if vals[f] is not None else None
        m = SimpleNamespace(**vals)
        Member.set_id_number(m, p.id_number)  # encrypt once per value
        Member.set_phone(m, p.phone or "")
        # A raw insert skips save(): fill the pinyin search columns here.
        m.name_pinyin, m.name_initials = _pinyin_keys(m.name, pinyin_cache)
        members.append(m)
    _executemany(Member, fields, _db_rows((vars(m) for m in members), fields))
    hashes = [m.id_number_hash for m in members]
    by_hash: dict[str, int] = {}
    for k in range(0, len(hashes), 500):
        by_hash.update(
            Member.objects.filter(id_number_hash__in=hashes[k : k + 500], is_current=True).values_list(
                "id_number_hash", "pk"
            )
        )
    for m in members:
        m.pk = m.id = by_hash[m.id_number_hash]
    return members


def _log_entries(items: list[tuple[Member, dict, int]], actor, remote_addr) -> None:
    """One auditlog entry per written member, inserted in one executemany."""
    ct = ContentType.objects.get_for_model(Member)
    template = LogEntry(
        content_type=ct,
        changes_text="名册导入",
        actor=actor,
        remote_addr=remote_addr,
        timestamp=timezone.now(),
        additional_data={"bulk": True, "note": "名册导入"},
    )
    fields = _insert_columns(LogEntry)
    base = list(_db_rows([{f.attname: getattr(template, f.attname) for f in fields}], fields)[0])
    at = {f.attname: i for i, f in enumerate(fields)}
    changes_field = LogEntry._meta.get_field("changes")
    conn = connections[connection.alias]
    rows = []
    for m, changes, action in items:
        row = base.copy()
        row[at["object_pk"]] = str(m.pk)
        row[at["object_id"]] = m.pk
        row[at["object_repr"]] = str(m.name if isinstance(m, SimpleNamespace) else m)[:200]
        row[at["action"]] = action
        row[at["changes"]] = changes_field.get_db_prep_save(  # JSON: json.dumps or a Jsonb wrapper
            {f: [_audit_value(a), _audit_value(b)] for f, (a, b) in changes.items()}, conn
        )
        rows.append(tuple(row))
    _executemany(LogEntry, fields, rows)


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


def apply_plan(
    plan: ImportPlan, *, user=None, remote_addr: str | None = None, today: date | None = None
) -> ImportResult:
    """Write a plan without errors: insert new members (one executemany), bulk_update changed ones, one
    audit entry each with the before/after values, a 支部调整 event for branch moves."""
    if not plan.ok:
        raise ValueError("plan has errors; nothing may be written")
    ctx_actor, ctx_addr = audit_context()
    actor = user if getattr(user, "is_authenticated", False) else ctx_actor
    remote_addr = remote_addr or ctx_addr
    today = today or date.today()
    pinyin_cache: dict[str, tuple[str, str]] = {}
    from dangjian.core.cache import writes_in

    # The bulk writes below touch only these branches/groups (old and new): cached figures of
    # other townships stay valid (core.cache).
    touched = _touched_orgs(plan)
    with transaction.atomic(), writes_in(*touched) if touched is not None else nullcontext():
        new_members = _insert_members(plan.to_create, pinyin_cache)

        updated = []
        fields: set[str] = {"version", "updated_at"}
        events = []
        now = timezone.now()
        for p in plan.to_update:
            m = p.existing
            old_branch = m.branch
            for f, (_, new) in p.changes.items():
                if f in EDITABLE_FIELDS:
                    setattr(m, f, new)
                    fields.add(f)
            if "name" in p.changes:
                m.name_pinyin, m.name_initials = _pinyin_keys(m.name, pinyin_cache)
                fields |= {"name_pinyin", "name_initials"}
            if "phone_mask" in p.changes:
                m.set_phone(p.phone or "")
                fields |= {"phone_enc", "phone_mask"}
            m.version += 1
            m.updated_at = now
            updated.append(m)
            if "branch" in p.changes:
                events.append(
                    MemberEvent(
                        member=m,
                        kind=MemberEvent.Kind.BRANCH_CHANGE,
                        date=today,
                        note=f"名册导入：由“{old_branch.name}”调整到“{m.branch.name}”",
                        created_by=actor,
                    )
                )
        if updated:
            Member.objects.bulk_update(updated, sorted(fields), batch_size=BATCH)
        MemberEvent.objects.bulk_create(events, batch_size=BATCH)
        created_log = [
            (
                m,
                {f: (None, getattr(m, f)) for f in ("name", "branch", "kind", "joined_on", "id_number_mask")},
                LogEntry.Action.CREATE,
            )
            for m in new_members
        ]
        updated_log = [(p.existing, p.changes, LogEntry.Action.UPDATE) for p in plan.to_update]
        _log_entries(created_log + updated_log, actor, remote_addr)
    return ImportResult(created=len(new_members), updated=len(updated), unchanged=len(plan.unchanged))


# --- the marked copy of a file with errors ---------------------------------------------


def error_workbook(plan: ImportPlan) -> bytes:
    """The file as read, bad cells filled red with a comment, and a 错误原因 column."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    from dangjian.core.xlsx import safe_cell

    wb = Workbook()
    ws = wb.active
    ws.title = "导入错误标记"
    red = PatternFill("solid", fgColor="F8B4B4")
    for r in plan.rows:
        ws.append([safe_cell(v) if v != "" else None for v in r])
    width = max((len(r) for r in plan.rows), default=1)
    reason_col = width + 1
    ws.cell(row=plan.header_row, column=reason_col, value="错误原因").font = Font(bold=True, color="B3120F")
    by_row: dict[int, list[RowError]] = {}
    for e in plan.errors:
        by_row.setdefault(e.row, []).append(e)
    for row, errs in by_row.items():
        ws.cell(row=row, column=reason_col, value="；".join(e.message for e in errs))
        for e in errs:
            if e.col:
                c = ws.cell(row=row, column=e.col)
                c.fill = red
                text = e.message if c.comment is None else c.comment.text + "\n" + e.message
                c.comment = Comment(text, "党建工作台")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

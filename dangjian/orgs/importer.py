"""Organization tree and units from files as staff keep them (issue 15).

    table = read_file(content, ORG_COLUMNS)   # the shared reader (core.spreadsheet); keepable
    rows = rows_of(table)                     # [(row number, {field: value}), ...]
    plan = plan_orgs(rows, user=..., today=...)   # parse and check every row, write nothing
    plan.lines                                # 行号 · 新建/更新/无变化 · what changes (the preview)
    if plan.ok: apply_orgs(plan, today=...)   # one transaction

All-or-nothing: any error (行号, 列, 原因) and nothing is written. Re-importing the same file
updates organizations by full name and never creates a second one. When the database holds
no organization yet, the row without a 上级党组织 becomes the top organization.

Posts (书记/副书记/委员) need the people in the roster: a name not (yet) in the branch's
roster is a warning, and importing the file again after the roster creates the post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import editable_by
from dangjian.orgs.models import BRANCH_TYPES, AdminUnit, Organization, OrgCategory, OrgType, Post, Term
from dangjian.rules.dates import to_halfwidth
from dangjian.rules.errors import RuleError

MAX_ROWS = 20_000


class ImportFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行　{self.column}　{self.message}"


def _norm(s) -> str:
    return re.sub(r"\s+", "", to_halfwidth(str(s or ""))).strip("*:：")


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return re.sub(r"\s+", " ", str(v)).strip()


# field → (canonical header, aliases). The templates use the canonical headers.
ORG_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("党组织名称", ("党组织全称", "组织名称", "党组织", "名称", "全称")),
    "short_name": ("简称", ("党组织简称", "组织简称")),
    "parent": ("上级党组织", ("上级党组织名称", "上级组织", "上级党委", "隶属党组织")),
    "org_type": ("组织类型", ("党组织类型", "类型")),
    "category": ("组织类别", ("党组织类别", "单位类别", "类别")),
    "founded_on": ("成立日期", ("成立时间", "建立日期")),
    "unit": ("所在社区", ("所在社区（村）", "所在村（社区）", "所在社区(村)", "所在村", "服务社区")),
    "term_started_on": ("换届日期", ("本届换届日期", "换届时间", "选举日期")),
    "secretary": ("书记", ("党组织书记", "支部书记")),
    "secretary_since": ("书记任职日期", ("书记任职时间",)),
    "deputy": ("副书记", ()),
    "deputy_since": ("副书记任职日期", ("副书记任职时间",)),
    "committee": ("委员", ("支部委员", "支委")),
    "committee_since": ("委员任职日期", ("委员任职时间",)),
}
ORG_TEMPLATE_EXAMPLE = [
    ["中共桃川镇委员会", "桃川镇党委", "", "基层党委", "机关", "1949-10-01", "", "", "", "", "", "", "", ""],
    [
        "中共桃川镇机关支部委员会",
        "机关支部",
        "中共桃川镇委员会",
        "党支部",
        "机关",
        "1958-03-01",
        "",
        "2024-03-15",
        "张建国",
        "2024-03-15",
        "",
        "",
        "李红、王强",
        "2024-03-15",
    ],  # fmt: skip
    [
        "中共桃川镇东门社区支部委员会",
        "东门社区支部",
        "中共桃川镇委员会",
        "党支部",
        "社区",
        "2001-07-01",
        "东门社区",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],  # fmt: skip
    ["东门社区第一党小组", "", "中共桃川镇东门社区支部委员会", "党小组", "社区", "", "", "", "", "", "", "", "", ""],
]

UNIT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "community": ("社区（村）", ("社区", "村", "社区(村)", "村（社区）", "社区名称", "村名", "居委会", "村委会")),
    "group": ("居民（村民）小组", ("居民小组", "村民小组", "小组", "居民(村民)小组", "组名")),
    "kind": ("类型", ("社区或村", "单位类型")),
    "households_registered": ("户籍户数", ()),
    "people_registered": ("户籍人口", ("户籍人数",)),
    "households_resident": ("常住户数", ()),
    "people_resident": ("常住人口", ("常住人数",)),
    "year": ("年度", ("年份", "统计年度")),
}
UNIT_TEMPLATE_EXAMPLE = [
    ["东门社区", "", "社区", "", "", "", "", 2025],
    ["东门社区", "第一居民小组", "", 312, 958, 280, 860, 2025],
    ["东门社区", "第二居民小组", "", 298, 901, 270, 812, 2025],
    ["河口村", "第一村民小组", "村", 120, 402, 96, 310, 2025],
]

TYPE_VALUES = {
    "基层党委": OrgType.COMMITTEE,
    "党委": OrgType.COMMITTEE,
    "镇党委": OrgType.COMMITTEE,
    "街道党工委": OrgType.COMMITTEE,
    "党工委": OrgType.COMMITTEE,
    "党总支": OrgType.GENERAL_BRANCH,
    "总支": OrgType.GENERAL_BRANCH,
    "党总支部": OrgType.GENERAL_BRANCH,
    "党支部": OrgType.BRANCH,
    "支部": OrgType.BRANCH,
    "联合党支部": OrgType.JOINT_BRANCH,
    "联合支部": OrgType.JOINT_BRANCH,
    "党小组": OrgType.GROUP,
    "小组": OrgType.GROUP,
    "上级党委": OrgType.HIGHER,
    "区委": OrgType.HIGHER,
    "县委": OrgType.HIGHER,
}
CATEGORY_VALUES = {c.label: c.value for c in OrgCategory} | {
    "企业": OrgCategory.ENTERPRISE,
    "非公": OrgCategory.ENTERPRISE,
}
FIGURE_FIELDS = ("households_registered", "people_registered", "households_resident", "people_resident")


def template_headers(columns) -> list[str]:
    return [canonical for canonical, _ in columns.values()]


# --- reading ------------------------------------------------------------------------------
_KINDS = {"founded_on": "date", "term_started_on": "date", "secretary_since": "date", "deputy_since": "date",
          "committee_since": "date", "year": "number"} | dict.fromkeys(FIGURE_FIELDS, "number")  # fmt: skip
_TEXT_FIELDS = {"name", "short_name", "parent", "unit", "community", "group", "secretary", "deputy", "committee"}


def spec_for(columns):
    from dangjian.core import spreadsheet as ss

    kind = {"date": ss.DATE, "number": ss.NUMBER}
    cols = tuple(
        ss.Column(f, canonical, more, kind=kind.get(_KINDS.get(f), ss.TEXT if f in _TEXT_FIELDS else ss.IDENT))
        for f, (canonical, more) in columns.items()
    )
    first = next(iter(columns))
    title = "组织架构" if columns is ORG_COLUMNS else "社区和居民小组"
    return ss.Spec(title=title, columns=cols, must_have=(first,), min_match=2, max_rows=MAX_ROWS)


def read_file(content: bytes, columns, *, filename: str = ""):
    """The file through the shared reader (core.spreadsheet: every format, header below title
    rows, aliases, merged cells) as its Table, which a preview can keep (Table.to_state)."""
    from dangjian.core import spreadsheet as ss

    try:
        return ss.read_table(content, spec=spec_for(columns), filename=filename)
    except ss.ReadError as exc:
        raise ImportFileError(exc.message) from None


def table_from_state(state: dict, columns):
    from dangjian.core.spreadsheet import Table

    return Table.from_state(state, spec_for(columns))


def rows_of(table) -> list[tuple[int, dict]]:
    return [(r.number, dict(r.values)) for r in table.rows]


def read_table(content: bytes, columns, *, filename: str = "") -> list[tuple[int, dict]]:
    """The file as (spreadsheet row number, {field: value})."""
    return rows_of(read_file(content, columns, filename=filename))


# --- what a plan will do, row by row (the preview and --dry-run) ---------------------------
CREATE, UPDATE, UNCHANGED = "新建", "更新", "无变化"


@dataclass(frozen=True)
class PlanLine:
    row: int
    name: str
    action: str  # CREATE / UPDATE / UNCHANGED
    detail: str = ""

    def __str__(self) -> str:
        return f"第{self.row}行　{self.action}　{self.name}" + (f"：{self.detail}" if self.detail else "")


def count_lines(lines: list[PlanLine]) -> dict[str, int]:
    counts = dict.fromkeys((CREATE, UPDATE, UNCHANGED), 0)
    for line in lines:
        counts[line.action] += 1
    return counts


def summary(lines: list[PlanLine], what: str = "", per: str = "个") -> str:
    c = count_lines(lines)
    return f"新建 {c[CREATE]} {per}{what}，更新 {c[UPDATE]} {per}，无变化 {c[UNCHANGED]} {per}"


def map_headers(rows: list[tuple[int, dict]], columns) -> list[tuple[int, dict]]:
    """Rows keyed by header text → keyed by field (for callers that already have dicts)."""
    lookup = {}
    for f, (canonical, more) in columns.items():
        for h in (canonical, *more):
            lookup.setdefault(_norm(h), f)
    out = []
    for n, row in rows:
        out.append((n, {lookup[_norm(k)]: v for k, v in row.items() if _norm(k) in lookup}))
    return out


def _date(v, errors: list, row: int, column: str, today: date | None = None) -> date | None:
    from dangjian.core.dates import parse_date

    if v is None or _text(v) == "":
        return None
    try:
        return parse_date(v, today=today, allow_future=True).date
    except RuleError as exc:
        errors.append(RowError(row, column, str(exc)))
        return None


def _names(v) -> list[str]:
    return [n for n in re.split(r"[、,，;；/\s]+", _text(v)) if n]


# --- organizations ------------------------------------------------------------------------
@dataclass
class OrgRow:
    row: int
    name: str
    short_name: str
    parent_name: str
    org_type: str
    category: str | None
    founded_on: date | None
    unit_name: str
    term_started_on: date | None
    posts: list[tuple[str, str, date | None]]  # (kind, person name, started_on)
    existing: Organization | None = None
    parent_ref: object = None  # an OrgRow of this file, an Organization, or None (the top)
    resolved_posts: list = field(default_factory=list)


@dataclass
class OrgPlan:
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[PlanLine] = field(default_factory=list)  # filled when the plan is ok

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> list[OrgRow]:
        return [r for r in self.rows if r.existing is None]

    @property
    def to_update(self) -> list[OrgRow]:
        return [r for r in self.rows if r.existing is not None]


def _scope_orgs(user):
    if user is None:
        return Organization.objects.all()
    if user.role != Role.ADMIN:
        return Organization.objects.none()
    return editable_by(user, Organization)


def plan_orgs(rows: list[tuple[int, dict]], *, user=None, today: date) -> OrgPlan:
    """Parse and check every row (field-keyed dicts); writes nothing."""
    plan = OrgPlan()
    errs = plan.errors
    if not rows:
        errs.append(RowError(0, "", "文件中没有数据行"))
        return plan
    if len(rows) > MAX_ROWS:
        errs.append(RowError(0, "", f"一次最多导入{MAX_ROWS}行"))
        return plan
    label = {f: canonical for f, (canonical, _) in ORG_COLUMNS.items()}
    seen: dict[str, int] = {}
    for n, d in rows:
        if all(_text(v) == "" for v in d.values()):
            continue
        name = _text(d.get("name"))
        if not name:
            errs.append(RowError(n, label["name"], "请填写党组织全称"))
            continue
        if len(name) > 100:
            errs.append(RowError(n, label["name"], "党组织名称不能超过100个字"))
            continue
        if name in seen:
            errs.append(RowError(n, label["name"], f"与第{seen[name]}行重复"))
            continue
        seen[name] = n
        raw_type = _norm(d.get("org_type"))
        org_type = TYPE_VALUES.get(raw_type)
        if org_type is None:
            errs.append(
                RowError(
                    n,
                    label["org_type"],
                    f"“{_text(d.get('org_type'))}”不是组织类型；应为基层党委、党总支、党支部、联合党支部或党小组",
                )  # fmt: skip
            )
            continue
        raw_cat = _norm(d.get("category"))
        category = None
        if raw_cat:
            category = CATEGORY_VALUES.get(raw_cat)
            if category is None:
                errs.append(
                    RowError(
                        n, label["category"], f"“{raw_cat}”不是组织类别；应为机关、社区、村、非公企业、社会组织或其他"
                    )
                )
        founded = _date(d.get("founded_on"), errs, n, label["founded_on"])
        if founded and founded > today:
            errs.append(RowError(n, label["founded_on"], "成立日期不能晚于今天"))
        if founded and founded.year < 1921:
            errs.append(RowError(n, label["founded_on"], "成立日期不能早于1921年"))
        term = _date(d.get("term_started_on"), errs, n, label["term_started_on"])
        if term and term > today:
            errs.append(RowError(n, label["term_started_on"], "换届日期不能晚于今天"))
        posts = []
        for who, since, kind in (
            ("secretary", "secretary_since", Post.Kind.SECRETARY),
            ("deputy", "deputy_since", Post.Kind.DEPUTY),
            ("committee", "committee_since", Post.Kind.MEMBER),
        ):
            people = _names(d.get(who))
            if kind == Post.Kind.SECRETARY and len(people) > 1:
                errs.append(RowError(n, label[who], "书记只能填一人"))
                continue
            started = _date(d.get(since), errs, n, label[since]) or term
            if people and org_type == OrgType.GROUP:
                errs.append(RowError(n, label[who], "党小组不设书记、委员（党小组组长请在组织架构中任命）"))
                continue
            if people and started is None:
                errs.append(RowError(n, label[since], f"请填写{label[who]}的任职日期（或换届日期）"))
                continue
            posts += [(kind, p, started) for p in people]
        plan.rows.append(
            OrgRow(
                row=n,
                name=name,
                short_name=_text(d.get("short_name"))[:40],
                parent_name=_text(d.get("parent")),
                org_type=org_type,
                category=category,
                founded_on=founded,
                unit_name=_text(d.get("unit"))[:60],
                term_started_on=term,
                posts=posts,
            )  # fmt: skip
        )
    _resolve_tree(plan, user=user)
    if plan.ok:
        plan.lines = _describe_orgs(plan)
    return plan


def _resolve_tree(plan: OrgPlan, *, user) -> None:
    from dangjian.orgs.services import ALLOWED_CHILDREN

    label = {f: canonical for f, (canonical, _) in ORG_COLUMNS.items()}
    errs = plan.errors
    all_orgs = list(Organization.objects.select_related("unit"))
    scope = {o.pk for o in _scope_orgs(user)}
    by_name = {o.name: o for o in all_orgs}
    by_short: dict[str, list[Organization]] = {}
    for o in all_orgs:
        if o.short_name:
            by_short.setdefault(o.short_name, []).append(o)
    in_file = {r.name: r for r in plan.rows}
    short_in_file = {r.short_name: r for r in plan.rows if r.short_name}
    empty = not all_orgs
    for r in plan.rows:
        r.existing = by_name.get(r.name)
        if r.existing is not None and r.existing.pk not in scope:
            errs.append(RowError(r.row, label["name"], f"“{r.name}”不在您的管理范围内"))
            continue
        if r.existing is not None and r.existing.org_type != r.org_type:
            errs.append(
                RowError(
                    r.row,
                    label["org_type"],
                    f"“{r.name}”在系统中是{OrgType(r.existing.org_type).label}，导入不能改变组织类型",
                )  # fmt: skip
            )
    roots = [r for r in plan.rows if not r.parent_name]
    for r in roots:
        if r.existing is not None:
            continue  # updating an existing organization's own fields
        if not empty:
            tops = "、".join(o.name for o in all_orgs if o.depth == 1)
            errs.append(
                RowError(
                    r.row,
                    label["parent"],
                    f"请填写上级党组织（全称或简称）；系统中的最上级党组织是“{tops}”，"
                    "本行若就是它，请把党组织名称写成与系统一致",
                )  # fmt: skip
            )
        elif len(roots) > 1:
            errs.append(RowError(r.row, label["parent"], "只能有一个最上级党组织，其余各行请填写上级党组织"))
    # Parent of each row: a row of the file (by full name, then short name) or an existing one.
    for r in plan.rows:
        if not r.parent_name:
            r.parent_ref = None
            continue
        ref = in_file.get(r.parent_name) or short_in_file.get(r.parent_name)
        if ref is None:
            found = by_name.get(r.parent_name)
            if found is None:
                shorts = by_short.get(r.parent_name, [])
                if len(shorts) > 1:
                    errs.append(RowError(r.row, label["parent"], f"有多个党组织简称“{r.parent_name}”，请写全称"))
                    r.parent_ref = None
                    continue
                found = shorts[0] if shorts else None
            if found is None:
                errs.append(
                    RowError(r.row, label["parent"], f"没有名为“{r.parent_name}”的党组织（本文件和系统中都没有）")
                )
                r.parent_ref = None
                continue
            if found.pk not in scope:
                errs.append(RowError(r.row, label["parent"], f"“{found.name}”不在您的管理范围内"))
                r.parent_ref = None
                continue
            ref = found
        if ref is r:
            errs.append(RowError(r.row, label["parent"], "上级党组织不能是自己"))
            r.parent_ref = None
            continue
        r.parent_ref = ref
        parent_type = ref.org_type
        if r.org_type not in ALLOWED_CHILDREN.get(parent_type, ()):
            allowed = "、".join(OrgType(t).label for t in ALLOWED_CHILDREN.get(parent_type, ())) or "任何组织"
            errs.append(
                RowError(
                    r.row,
                    label["org_type"],
                    f"{OrgType(parent_type).label}下不能设立{OrgType(r.org_type).label}（只能设立：{allowed}）",
                )  # fmt: skip
            )
        if r.existing is not None and isinstance(ref, (Organization, OrgRow)):
            parent_obj = ref if isinstance(ref, Organization) else ref.existing
            if parent_obj is None or not (
                r.existing.depth > 1 and r.existing.path[: -Organization.steplen] == parent_obj.path
            ):
                errs.append(
                    RowError(
                        r.row,
                        label["parent"],
                        f"“{r.name}”在系统中的上级不是“{r.parent_name}”；导入不调整隶属关系，请在组织架构中办理",
                    )  # fmt: skip
                )
    # Cycles among the file's rows.
    for r in plan.rows:
        seen = set()
        cur = r
        while isinstance(cur, OrgRow) and getattr(cur, "parent_ref", None) is not None:
            if cur.name in seen:
                errs.append(RowError(r.row, label["parent"], "上级党组织形成了循环"))
                break
            seen.add(cur.name)
            cur = cur.parent_ref
    if errs:
        return
    # Posts: the person must be a current member of the branch (or under the committee).
    _check_posts(plan)


def _new_term(org_type, category, started: date | None, terms: set) -> bool:
    """apply_orgs records a term for this start date (no term then or later; a term length)."""
    from dangjian.orgs.selectors import default_term_years

    if started is None or any(t >= started for t in terms):
        return False
    return bool(default_term_years(org_type, category))


def _describe_orgs(plan: OrgPlan) -> list[PlanLine]:
    """What apply_orgs will do with each row (same comparisons), for the preview."""
    existing = [r.existing.pk for r in plan.rows if r.existing is not None]
    terms: dict[int, set] = {}
    for org_id, started in Term.objects.filter(org_id__in=existing).values_list("org_id", "started_on"):
        terms.setdefault(org_id, set()).add(started)
    lines = []
    for r in plan.rows:
        parts = []
        if r.existing is None:
            ref = r.parent_ref
            parts.append(f"{OrgType(r.org_type).label}，上级：{ref.name if ref is not None else '无（最上级党组织）'}")
            if r.unit_name and r.org_type != OrgType.HIGHER:
                parts.append(f"所在社区：{r.unit_name}")
            if _new_term(r.org_type, r.category, r.term_started_on, set()):
                parts.append(f"任期自{r.term_started_on:%Y-%m-%d}起")
            lines.append(PlanLine(r.row, r.name, CREATE, "；".join(parts)))
            continue
        org = r.existing
        if r.short_name and r.short_name != org.short_name:
            parts.append(f"简称：{org.short_name or '（空）'}→{r.short_name}")
        if r.category and r.category != org.category:
            parts.append(f"组织类别：{OrgCategory(org.category).label}→{OrgCategory(r.category).label}")
        if r.founded_on and r.founded_on != org.founded_on:
            parts.append(f"成立日期：{org.founded_on or '（空）'}→{r.founded_on}")
        if r.unit_name and org.org_type != OrgType.HIGHER and (org.unit is None or org.unit.name != r.unit_name):
            parts.append(f"所在社区：{org.unit.name if org.unit else '（空）'}→{r.unit_name}")
        if _new_term(org.org_type, org.category, r.term_started_on, terms.get(org.pk, set())):
            parts.append(f"新任期自{r.term_started_on:%Y-%m-%d}起")
        for kind, member, started in r.resolved_posts:
            parts.append(f"{Post.Kind(kind).label}：{member.name}（{started:%Y-%m-%d}起）")
        lines.append(PlanLine(r.row, r.name, UPDATE if parts else UNCHANGED, "；".join(parts)))
    return lines


def _member_pool(org_row: OrgRow):
    from dangjian.members.models import Member

    org = org_row.existing
    if org is None:
        return {}
    qs = Member.objects.filter(is_current=True)
    qs = qs.filter(branch=org) if org.org_type in BRANCH_TYPES else qs.filter(branch__path__startswith=org.path)
    pool: dict[str, list] = {}
    for m in qs.only("id", "name", "kind", "joined_on", "branch_id"):
        pool.setdefault(m.name, []).append(m)
    return pool


def _check_posts(plan: OrgPlan) -> None:
    label = {f: canonical for f, (canonical, _) in ORG_COLUMNS.items()}
    column = {Post.Kind.SECRETARY: "secretary", Post.Kind.DEPUTY: "deputy", Post.Kind.MEMBER: "committee"}
    for r in plan.rows:
        if not r.posts:
            r.resolved_posts = []
            continue
        pool = _member_pool(r)
        current = {}
        if r.existing is not None:
            current = {(p.member_id, p.kind): p for p in r.existing.posts.filter(ended_on__isnull=True)}
        resolved = []
        for kind, person, started in r.posts:
            found = pool.get(person, [])
            col = label[column[kind]]
            if not found:
                plan.warnings.append(
                    f"第{r.row}行　{col}　“{person}”不在“{r.name}”的党员名册中，职务暂未建立；导入名册后再导入本文件即可"
                )
                continue
            if len(found) > 1:
                plan.errors.append(
                    RowError(r.row, col, f"“{r.name}”有{len(found)}名党员叫“{person}”，请在组织架构中任命")
                )
                continue
            m = found[0]
            if (m.pk, kind) in current:
                continue  # already holds it: re-import changes nothing
            if m.kind != "正式党员":
                plan.errors.append(RowError(r.row, col, f"{person}是预备党员，不能担任支部委员等职务（党章第七条）"))
                continue
            if started < m.joined_on:
                plan.errors.append(RowError(r.row, col, f"{person}的任职日期早于其入党日期"))
                continue
            resolved.append((kind, m, started))
        r.resolved_posts = resolved


def _unit_for(township: Organization, name: str, category: str | None) -> AdminUnit:
    unit = AdminUnit.objects.filter(township=township, name=name, parent__isnull=True).first()
    if unit is None:
        kind = (
            AdminUnit.Kind.VILLAGE
            if category == OrgCategory.VILLAGE or name.endswith("村")
            else AdminUnit.Kind.COMMUNITY
        )
        unit = AdminUnit.objects.create(township=township, name=name, kind=kind)
    return unit


def _township_of(org: Organization) -> Organization:
    """The nearest 基层党委 at or above `org` (the units' owner); the org itself otherwise."""
    if org.org_type == OrgType.COMMITTEE:
        return org
    for anc in reversed(list(Organization.objects.get_ancestors(org))):
        if anc.org_type == OrgType.COMMITTEE:
            return anc
    return org


@dataclass
class OrgResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    posts: int = 0
    terms: int = 0
    units: int = 0
    top: Organization | None = None


@transaction.atomic
def apply_orgs(plan: OrgPlan, *, today: date) -> OrgResult:
    if not plan.ok:
        raise ValueError("plan has errors")
    from dangjian.orgs.selectors import default_term_years
    from dangjian.rules.terms import term_end

    result = OrgResult()
    made: dict[str, Organization] = {}
    live: dict[int, Organization] = {}  # one instance per parent: treebeard keeps its numchild current
    townships: dict[int, Organization] = {}
    units: dict[tuple[int, str], AdminUnit] = {}
    pending = list(plan.rows)
    units_before = AdminUnit.objects.count()

    def unit_for(org: Organization, parent: Organization | None, name: str):
        key = parent.pk if parent is not None else org.pk
        if key not in townships:
            townships[key] = _township_of(org)
        t = townships[key]
        if (t.pk, name) not in units:
            units[(t.pk, name)] = _unit_for(t, name, org.category)
        return units[(t.pk, name)]

    while pending:
        progressed = False
        for r in list(pending):
            ref = r.parent_ref
            parent = None
            if isinstance(ref, OrgRow):
                parent = made.get(ref.name) or ref.existing
                if parent is None:
                    continue  # parent created later in this loop
            elif isinstance(ref, Organization):
                parent = ref
            if parent is not None:
                if parent.pk not in live:  # an existing organization: fresh, once
                    live[parent.pk] = Organization.objects.get(pk=parent.pk)
                parent = live[parent.pk]
            pending.remove(r)
            progressed = True
            if r.existing is not None:
                org = r.existing
                before = (org.short_name, org.category, org.founded_on, org.unit_id)
                if r.short_name:
                    org.short_name = r.short_name
                if r.category:
                    org.category = r.category
                if r.founded_on:
                    org.founded_on = r.founded_on
                if r.unit_name and org.org_type != OrgType.HIGHER:
                    org.unit = unit_for(org, parent, r.unit_name)
                changed = (org.short_name, org.category, org.founded_on, org.unit_id) != before
                if changed:
                    org.save()
            else:
                fields = {"name": r.name, "short_name": r.short_name, "org_type": r.org_type,
                          "founded_on": r.founded_on}  # fmt: skip
                if parent is None:
                    org = Organization.objects.add_root(dict(category=r.category or OrgCategory.ORGAN, **fields))
                    result.top = org
                else:
                    org = Organization.objects.add_child(parent, dict(category=r.category or parent.category, **fields))
                if r.unit_name and org.org_type != OrgType.HIGHER:
                    org.unit = unit_for(org, parent, r.unit_name)
                    org.save()
                result.created += 1
                changed = True
                live[org.pk] = org
            made[r.name] = org
            if r.term_started_on and not Term.objects.filter(org=org, started_on=r.term_started_on).exists():
                years = default_term_years(org.org_type, org.category)
                if years:
                    later = Term.objects.filter(org=org, started_on__gt=r.term_started_on).exists()
                    if not later:
                        Term.objects.create(
                            org=org, started_on=r.term_started_on, years=years,
                            ends_on=term_end(r.term_started_on, years), note="导入",
                        )  # fmt: skip
                        result.terms += 1
                        changed = True
            for kind, member, started in getattr(r, "resolved_posts", []):
                changed = True
                if kind == Post.Kind.SECRETARY:
                    for old in Post.objects.filter(org=org, kind=kind, ended_on__isnull=True).exclude(member=member):
                        old.ended_on = max(started, old.started_on)
                        old.save()
                Post.objects.create(org=org, member=member, kind=kind, started_on=started)
                result.posts += 1
            if r.existing is not None:
                if changed:
                    result.updated += 1
                else:
                    result.unchanged += 1
        if not progressed:  # pragma: no cover - cycles are refused in planning
            raise RuntimeError("unresolvable parents")
    result.units = AdminUnit.objects.count() - units_before
    return result


# --- units --------------------------------------------------------------------------------
@dataclass
class UnitRow:
    row: int
    community: str
    group: str
    kind: str | None
    year: int | None
    figures: dict


@dataclass
class UnitPlan:
    township: Organization | None = None
    rows: list[UnitRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: list[PlanLine] = field(default_factory=list)  # filled when the plan is ok
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def communities(self) -> int:
        return len({r.community for r in self.rows})

    @property
    def groups(self) -> int:
        return len({(r.community, r.group) for r in self.rows if r.group})


def townships_for(user) -> list[Organization]:
    return list(_scope_orgs(user).filter(org_type=OrgType.COMMITTEE, is_active=True).order_by("path"))


def plan_units(
    rows: list[tuple[int, dict]], *, township: Organization | None, year: int | None, today: date
) -> UnitPlan:
    plan = UnitPlan(township=township)
    label = {f: canonical for f, (canonical, _) in UNIT_COLUMNS.items()}
    errs = plan.errors
    if township is None:
        errs.append(RowError(0, "", "请先建立镇（街道）党委，再导入社区和居民小组"))
        return plan
    if not rows:
        errs.append(RowError(0, "", "文件中没有数据行"))
        return plan
    seen: dict[tuple, int] = {}
    kinds = {"社区": AdminUnit.Kind.COMMUNITY, "居委会": AdminUnit.Kind.COMMUNITY, "村": AdminUnit.Kind.VILLAGE,
             "村委会": AdminUnit.Kind.VILLAGE}  # fmt: skip
    for n, d in rows:
        if all(_text(v) == "" for v in d.values()):
            continue
        community = _text(d.get("community"))[:60]
        group = _text(d.get("group"))[:60]
        if not community:
            errs.append(RowError(n, label["community"], "请填写所在社区（村）"))
            continue
        raw_kind = _norm(d.get("kind"))
        kind = None
        if raw_kind:
            kind = kinds.get(raw_kind)
            if kind is None:
                errs.append(RowError(n, label["kind"], f"“{raw_kind}”应为社区或村"))
        row_year = year
        if _text(d.get("year")):
            try:
                row_year = int(float(_text(d.get("year")).removesuffix("年")))
            except ValueError:
                errs.append(RowError(n, label["year"], f"“{_text(d.get('year'))}”不是年份"))
                continue
        figures = {}
        for f in FIGURE_FIELDS:
            v = d.get(f)
            if v is None or _text(v) == "":
                figures[f] = None
                continue
            try:
                num = float(_text(v).replace(",", ""))
            except ValueError:
                errs.append(RowError(n, label[f], f"“{_text(v)}”不是数字"))
                continue
            if num < 0 or not num.is_integer():
                errs.append(RowError(n, label[f], "应为非负整数"))
                continue
            figures[f] = int(num)
        for hh, ppl, what in (
            ("households_registered", "people_registered", "户籍"),
            ("households_resident", "people_resident", "常住"),
        ):
            if figures.get(hh) is not None and figures.get(ppl) is not None and figures[ppl] < figures[hh]:
                errs.append(RowError(n, label[ppl], f"{what}人口不应少于{what}户数"))
        has_figures = any(v is not None for v in figures.values())
        if has_figures and row_year is None:
            errs.append(RowError(n, label["year"], "请填写年度（或在导入时指定年度）"))
        if row_year is not None and not 1949 <= row_year <= today.year:
            errs.append(RowError(n, label["year"], f"年度应在1949至{today.year}年之间"))
        key = (community, group, row_year)
        if key in seen:
            errs.append(RowError(n, label["group"] if group else label["community"], f"与第{seen[key]}行重复"))
            continue
        seen[key] = n
        plan.rows.append(UnitRow(n, community, group, kind, row_year, figures if has_figures else {}))
    if plan.ok:
        plan.lines = _describe_units(plan)
    return plan


_COMMUNITY_KINDS = (AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE)


def _figures_differ(old, new: dict) -> list[str]:
    label = {f: canonical for f, (canonical, _) in UNIT_COLUMNS.items()}
    return [
        f"{label[k]} {getattr(old, k) if getattr(old, k) is not None else '空'}→{new.get(k) if new.get(k) is not None else '空'}"
        for k in FIGURE_FIELDS
        if getattr(old, k) != new.get(k)
    ]


def _describe_units(plan: UnitPlan) -> list[PlanLine]:
    """What apply_units will do with each row (the same look-ups), for the preview."""
    from dangjian.orgs.models import UnitYearFigure

    communities: dict[str, AdminUnit] = {}
    groups: dict[tuple[int, str], AdminUnit] = {}
    for u in AdminUnit.objects.filter(township=plan.township):
        if u.kind in _COMMUNITY_KINDS:
            communities.setdefault(u.name, u)
        if u.parent_id:
            groups.setdefault((u.parent_id, u.name), u)
    figures = {(f.unit_id, f.year): f for f in UnitYearFigure.objects.filter(unit__township=plan.township)}
    kind_label = dict(AdminUnit.Kind.choices)
    new_communities: set[str] = set()
    lines = []
    for r in plan.rows:
        parts, created = [], False
        community = communities.get(r.community)
        if community is None:
            if r.community not in new_communities:
                new_communities.add(r.community)
                parts.append(f"新建社区（村）“{r.community}”")
                created = True
        elif r.kind and community.kind != r.kind:
            parts.append(f"类型：{kind_label[community.kind]}→{kind_label[r.kind]}")
        unit = community
        if r.group:
            unit = groups.get((community.pk, r.group)) if community is not None else None
            if unit is None:
                parts.append(f"新建小组“{r.group}”")
                created = True
        if r.figures:
            old = figures.get((unit.pk, r.year)) if unit is not None else None
            if old is None:
                parts.append(f"登记{r.year}年户数人口")
            elif diff := _figures_differ(old, r.figures):
                parts.append(f"{r.year}年" + "，".join(diff))
        name = f"{r.community} {r.group}" if r.group else r.community
        action = CREATE if created else (UPDATE if parts else UNCHANGED)
        lines.append(PlanLine(r.row, name, action, "；".join(parts)))
    return lines


@dataclass
class UnitResult:
    communities: int = 0
    groups: int = 0
    figures: int = 0  # year figures registered or changed
    unchanged: int = 0  # rows that changed nothing


@transaction.atomic
def apply_units(plan: UnitPlan) -> UnitResult:
    from dangjian.orgs.models import UnitYearFigure

    if not plan.ok:
        raise ValueError("plan has errors")
    township = plan.township
    result = UnitResult()
    cache: dict[tuple, AdminUnit] = {}
    kind_changes = [0]

    def community(name: str, kind) -> AdminUnit:
        if (name, None) in cache:
            return cache[(name, None)]
        unit = AdminUnit.objects.filter(
            township=township, name=name, kind__in=[AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE]
        ).first()
        if unit is None:
            kind = kind or (AdminUnit.Kind.VILLAGE if name.endswith("村") else AdminUnit.Kind.COMMUNITY)
            unit = AdminUnit.objects.create(township=township, name=name, kind=kind)
            result.communities += 1
        elif kind and unit.kind != kind:
            unit.kind = kind
            unit.save()
            kind_changes[0] += 1
        cache[(name, None)] = unit
        return unit

    for r in plan.rows:
        before = (result.communities, result.groups, result.figures, kind_changes[0])
        unit = community(r.community, r.kind)
        if r.group:
            parent = unit
            unit = (
                cache.get((r.community, r.group))
                or AdminUnit.objects.filter(township=township, parent=parent, name=r.group).first()
            )
            if unit is None:
                unit = AdminUnit.objects.create(
                    township=township, parent=parent, name=r.group, kind=AdminUnit.Kind.GROUP
                )
                result.groups += 1
            cache[(r.community, r.group)] = unit
        if r.figures:
            fig = UnitYearFigure.objects.filter(unit=unit, year=r.year).first()
            if fig is None or _figures_differ(fig, r.figures):
                fig = fig or UnitYearFigure(unit=unit, year=r.year)
                for k in FIGURE_FIELDS:
                    setattr(fig, k, r.figures.get(k))
                fig.save()
                result.figures += 1
        if (result.communities, result.groups, result.figures, kind_changes[0]) == before:
            result.unchanged += 1
    return result


# --- templates ----------------------------------------------------------------------------
def template_bytes(which: str) -> bytes:
    """An .xlsx with the canonical headers and a few example rows (delete them before use)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns, example, note = {
        "orgs": (ORG_COLUMNS, ORG_TEMPLATE_EXAMPLE, "组织类型：基层党委/党总支/党支部/联合党支部/党小组；"
                 "组织类别：机关/社区/村/非公企业/社会组织/其他；最上级党组织的“上级党组织”留空；示例行请删除。"),
        "units": (UNIT_COLUMNS, UNIT_TEMPLATE_EXAMPLE, "每个居民（村民）小组一行；只填社区（村）的行登记社区本身；"
                  "人口按小组汇总；示例行请删除。"),
    }[which]  # fmt: skip
    wb = Workbook()
    ws = wb.active
    ws.title = "导入模板"
    headers = template_headers(columns)
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in example:
        ws.append(row)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(h) * 2 + 4)
    ws2 = wb.create_sheet("填写说明")
    ws2.append([note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

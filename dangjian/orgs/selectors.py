"""Reads about the organization tree: the overview (RULES.md §10 statistics)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Func, Max, Q, Subquery, Value

from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.core.settings_registry import setting
from dangjian.orgs.models import BRANCH_TYPES, AdminUnit, Organization, OrgType, Post, Term, UnitYearFigure

AGE_BANDS = [  # RULES.md §10 annual statistics age bands
    ("30岁及以下", 0, 30),
    ("31-35岁", 31, 35),
    ("36-40岁", 36, 40),
    ("41-45岁", 41, 45),
    ("46-50岁", 46, 50),
    ("51-55岁", 51, 55),
    ("56-60岁", 56, 60),
    ("61岁及以上", 61, 200),
]


def _born_between(today: date, min_age: int, max_age: int) -> Q:
    """Members whose age on `today` lies in [min_age, max_age]."""
    latest = date(today.year - min_age, today.month, today.day) if min_age else today
    earliest_excl = _years_before(today, max_age + 1)
    return Q(birth_date__lte=latest, birth_date__gt=earliest_excl)


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


@figure
def active_orgs_under(root: Organization) -> list[Organization]:
    """Every active organization at or under `root`, in tree order: the one read of the tree a
    request or report makes (branches, 党小组, 党委 and the overview's counts are taken from it).
    One query, once per request (core.figures)."""
    return list(Organization.objects.filter(path__startswith=root.path, is_active=True).order_by("path"))


def branches_under(root: Organization) -> list[Organization]:
    """The active 党支部 under `root` (or `root` itself when it is one), in tree order — the one
    answer every yearly figure uses (from active_orgs_under: no query of its own once read)."""
    if root.org_type in BRANCH_TYPES:
        return [root]
    return [o for o in active_orgs_under(root) if o.org_type in BRANCH_TYPES]


def parts_of(root: Organization) -> list[Organization]:
    """The organisations directly under a 上级党委 (a county's townships), in tree order, of which
    a figure over every member under root is composed: each part is cached under its own
    tokens (core.cache), so after a write in one township the county figure recomputes that
    township only, not all twenty. [] below a 上级党委 (a township's forty branches are
    cheaper as one query). Members whose branch is root itself are not in any part."""
    if root.org_type != OrgType.HIGHER:
        return []
    return list(Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path"))


def under_any(orgs: list[Organization], path_field: str = "branch__path") -> Q:
    """Rows whose `path_field` is under any of `orgs` (the townships of a county figure that are
    missing from the cache, read in one query)."""
    where = Q()
    for o in orgs:
        where |= Q(**{f"{path_field}__startswith": o.path})
    return where


def orgs_of_type(root: Organization, *types: str) -> list[Organization]:
    """The active organizations of `types` at or under `root`, in tree order (active_orgs_under)."""
    return [o for o in active_orgs_under(root) if o.org_type in types]


def ancestor_paths(org: Organization) -> list[str]:
    """Paths of `org`'s ancestors and of `org` itself, root first (materialized path)."""
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


def subtree(org: Organization):
    return Organization.objects.filter(path__startswith=org.path)


def overview(root: Organization, *, today: date | None = None, year: int | None = None, members: bool = True) -> dict:
    """Counts for the township (or district, or branch) under `root`. Fixed query count: 2
    (+ the tree, shared through active_orgs_under, + 1 for today's members unless `members` is
    False — a report counts its year's members with members.selectors.structure_as_of)."""
    from dangjian.members.models import COLLEGE_OR_ABOVE, MemberKind, Sex
    from dangjian.members.selectors import members_as_of

    today = clock.or_today(today)
    units = AdminUnit.objects.filter(township__path__startswith=root.path)
    pop = UnitYearFigure.objects.filter(unit__in=units).order_by()
    latest = Value(year) if year is not None else Subquery(pop.order_by("-year").values("year")[:1])

    def total(field: str) -> Subquery:  # SUM over the whole set (no GROUP BY): one value
        rows = pop.filter(year=latest, unit__kind=AdminUnit.Kind.GROUP)
        return Subquery(rows.annotate(s=Func(F(field), function="SUM")).values("s")[:1])

    # The units' counts and the population of the latest year (or `year`) in one query (Max of
    # a constant subquery is that value; None when there are no units, as before).
    people = units.aggregate(
        communities=Count("id", filter=Q(kind__in=[AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE])),
        villages=Count("id", filter=Q(kind=AdminUnit.Kind.VILLAGE)),
        groups=Count("id", filter=Q(kind=AdminUnit.Kind.GROUP)),
        population_year=Max(latest),
        **{
            f: Max(total(f))
            for f in ("households_registered", "people_registered", "households_resident", "people_resident")
        },
    )
    branches_by_category: dict[str, int] = {}
    branches_by_type: dict[str, int] = {}
    other_orgs: dict[str, int] = {}
    for org in active_orgs_under(root):
        if org.org_type in BRANCH_TYPES:
            branches_by_category[org.category] = branches_by_category.get(org.category, 0) + 1
            label = OrgType(org.org_type).label
            branches_by_type[label] = branches_by_type.get(label, 0) + 1
        else:
            other_orgs[org.org_type] = other_orgs.get(org.org_type, 0) + 1
    out = {
        "org": root.name,
        "as_of": today.isoformat(),
        "communities": people.pop("communities"),
        "villages": people.pop("villages"),
        "resident_groups": people.pop("groups"),
        **people,
        "branches": sum(branches_by_category.values()),
        "branches_by_category": branches_by_category,
        "branches_by_type": branches_by_type,
        "general_branches": other_orgs.get(OrgType.GENERAL_BRANCH, 0),
        "party_groups": other_orgs.get(OrgType.GROUP, 0),
    }
    if not members:
        return out
    aggregates = {
        "total": Count("id"),
        "full": Count("id", filter=Q(kind=MemberKind.FULL)),
        "probationary": Count("id", filter=Q(kind=MemberKind.PROBATIONARY)),
        "women": Count("id", filter=Q(sex=Sex.FEMALE)),
        "minorities": Count("id", filter=~Q(ethnicity="汉族")),
        "age_35_or_under": Count("id", filter=_born_between(today, 0, 35)),
        "college_or_above": Count("id", filter=Q(education__in=COLLEGE_OR_ABOVE)),
        "mobile": Count("id", filter=Q(is_mobile=True)),
        "lost": Count("id", filter=Q(is_lost=True)),
    }
    for i, (_label, lo, hi) in enumerate(AGE_BANDS):
        aggregates[f"age_{i}"] = Count("id", filter=_born_between(today, lo, hi))
    # Today's members (members.selectors.members_as_of: 停止党籍 members are not counted).
    m = members_as_of(root, today).aggregate(**aggregates)
    out["age_bands"] = {label: m.pop(f"age_{i}") for i, (label, _lo, _hi) in enumerate(AGE_BANDS)}
    out["members"] = m
    return out


def township_roots(user) -> list[Organization]:
    """The 基层党委 (or higher) organizations a staff user sees at the top of their scope."""
    from dangjian.accounts.scope import scope_root

    root = scope_root(user)
    return [root] if root else []


def is_committee_level(org: Organization) -> bool:
    return org.org_type in (OrgType.COMMITTEE, OrgType.HIGHER)


# --- terms (RULES.md §7; the lengths are settings where localities differ) -------------
# OrgType value → dangjian.rules.structure org type code.
_RULE_TYPE = {
    OrgType.COMMITTEE: "primary_committee",
    OrgType.GENERAL_BRANCH: "general_branch",
    OrgType.BRANCH: "branch",
    OrgType.JOINT_BRANCH: "joint_branch",
}


def default_term_years(org_type: str, category: str | None = None) -> int | None:
    """Term length in years: 基层委员会 5, 总支/支部 3, 村/社区 5 (2018 中办 意见; 支部工作条例
    Art. 21; RULES.md §7). Settings DANGJIAN["TERM_YEARS_BY_TYPE"/"TERM_YEARS_BY_CATEGORY"]
    override the tables. None for organizations without a committee term (上级党委, 党小组)."""
    from dangjian.rules.terms import term_years

    code = _RULE_TYPE.get(org_type)
    if code is None:
        return None
    return term_years(
        code,
        category or None,
        by_type=setting("TERM_YEARS_BY_TYPE"),
        by_category=setting("TERM_YEARS_BY_CATEGORY"),
    )


def term_warning_months() -> int:
    return setting("TERM_WARNING_MONTHS")


# --- the tree page, branch page, 换届 warnings, units -------------------------------------
def current_terms(org_ids) -> dict[int, Term]:
    """The latest term of each organization (one query)."""
    out: dict[int, Term] = {}
    rows = Term.objects.filter(org_id__in=org_ids).only("id", "org_id", "started_on", "years", "ends_on", "note")
    for t in rows.order_by("org_id", "-started_on", "-id"):
        out.setdefault(t.org_id, t)
    return out


def term_status(term, today: date) -> str | None:
    """换届 status of a term: None, "即将到期" or "已超期" (dangjian.rules.terms, RULES.md §7)."""
    from dangjian.rules.terms import renewal_status

    if term is None:
        return None
    return renewal_status(term.ends_on, today, term_warning_months())


TREE_FIELDS = ("id", "path", "depth", "numchild", "name", "short_name", "org_type", "category", "is_active")


def tree_nodes(orgs_qs, members_qs, *, today: date) -> list[dict]:
    """Organizations (in path order) with member counts per node and their subtree, and
    the 换届 status of each committee. Four queries whatever the size of the tree.

    `orgs_qs` and `members_qs` are already scoped by the caller (visible_to)."""
    # Only what the tree shows: parsing timestamps of thousands of rows costs more than the query.
    orgs = list(orgs_qs.only(*TREE_FIELDS).order_by("path"))
    counts: dict[int, int] = {}
    for branch_id, n in members_qs.filter(is_current=True).values_list("branch_id").annotate(n=Count("id")).order_by():
        counts[branch_id] = n
    group_counts = dict(
        members_qs.filter(is_current=True, group__isnull=False)
        .values_list("group_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("group_id", "n")
    )
    by_path = {o.path: o for o in orgs}
    totals: dict[int, int] = {o.pk: 0 for o in orgs}
    steplen = Organization.steplen
    for o in orgs:
        n = counts.get(o.pk, 0)
        if not n:
            continue
        # add to the node and every ancestor shown
        for cut in range(len(o.path), 0, -steplen):
            anc = by_path.get(o.path[:cut])
            if anc is not None:
                totals[anc.pk] += n
    terms = current_terms([o.pk for o in orgs if o.org_type not in (OrgType.GROUP, OrgType.HIGHER)])
    top_depth = min((o.depth for o in orgs), default=1)
    nodes = []
    by_pk = {}
    for o in orgs:
        term = terms.get(o.pk)
        node = {
            "org": o,
            "level": o.depth - top_depth,
            "members": group_counts.get(o.pk, 0) if o.org_type == OrgType.GROUP else totals[o.pk],
            "term": term,
            "status": term_status(term, today),
            "branches": 0,  # 党支部 in the subtree
            "renewals": 0,  # of which due for 换届 or overdue
        }
        nodes.append(node)
        by_pk[o.pk] = node
    for n in nodes:
        if n["org"].org_type in BRANCH_TYPES:
            o = n["org"]
            for cut in range(len(o.path) - steplen, 0, -steplen):
                anc = by_path.get(o.path[:cut])
                if anc is not None:
                    by_pk[anc.pk]["branches"] += 1
                    by_pk[anc.pk]["renewals"] += 1 if n["status"] else 0
    return nodes


def prune_large_tree(nodes: list[dict], limit: int) -> tuple[list[dict], bool]:
    """A district or city has thousands of nodes: above `limit`, show only the 上级党委 and
    基层党委 levels (each with its totals and a link to its own tree)."""
    if len(nodes) <= limit:
        return nodes, False
    return [n for n in nodes if n["org"].org_type in (OrgType.HIGHER, OrgType.COMMITTEE)], True


def nest(nodes: list[dict]) -> list[dict]:
    """Turn path-ordered nodes into a nested list (each node gets "children")."""
    roots: list[dict] = []
    stack: list[dict] = []
    for n in nodes:
        n["children"] = []
        while stack and not n["org"].path.startswith(stack[-1]["org"].path):
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(n)
        stack.append(n)
    return roots


def member_counts(members_qs) -> dict:
    """人员类别 and other counts of current members (one query)."""
    from dangjian.members.models import MemberKind, Sex

    return members_qs.filter(is_current=True).aggregate(
        total=Count("id"),
        full=Count("id", filter=Q(kind=MemberKind.FULL)),
        probationary=Count("id", filter=Q(kind=MemberKind.PROBATIONARY)),
        women=Count("id", filter=Q(sex=Sex.FEMALE)),
        mobile=Count("id", filter=Q(is_mobile=True)),
        lost=Count("id", filter=Q(is_lost=True)),
    )


def org_page(org: Organization, members_qs, *, today: date) -> dict:
    """Everything the branch page shows, in a fixed number of queries."""
    posts = list(Post.objects.filter(org=org).select_related("member").order_by("ended_on", "started_on", "id"))
    kind_order = {k: i for i, k in enumerate(Post.Kind.values)}
    # A post whose 离任 has been recorded (even with today's date) is shown as past.
    current = sorted(
        (p for p in posts if p.ended_on is None and p.started_on <= today),
        key=lambda p: (kind_order.get(p.kind, 99), p.started_on),
    )
    upcoming = [p for p in posts if p.ended_on is None and p.started_on > today]
    past = [p for p in posts if p.ended_on is not None]
    terms = list(Term.objects.filter(org=org).order_by("-started_on", "-id"))
    term = terms[0] if terms else None
    if org.org_type == OrgType.GROUP:
        scoped_members = members_qs.filter(group=org)
    elif org.is_branch:
        scoped_members = members_qs.filter(branch=org)
    else:
        scoped_members = members_qs.filter(branch__path__startswith=org.path)
    children = list(Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    child_nodes = []
    if children:
        child_counts = {n["org"].pk: n for n in tree_nodes(
            Organization.objects.filter(pk__in=[c.pk for c in children]), members_qs, today=today)}  # fmt: skip
        leaders = {
            p.org_id: p.member
            for p in Post.objects.filter(
                org__in=children, kind__in=[Post.Kind.SECRETARY, Post.Kind.GROUP_LEADER], ended_on__isnull=True
            ).select_related("member")
        }
        for c in children:
            n = child_counts[c.pk]
            n["leader"] = leaders.get(c.pk)
            child_nodes.append(n)
    return {
        "org": org,
        "parent": Organization.objects.get_parent(org) if org.depth > 1 else None,
        "current_posts": current + upcoming,
        "past_posts": past,
        "term": term,
        "terms": terms,
        "status": term_status(term, today),
        "counts": member_counts(scoped_members),
        "children": child_nodes,
        "committee_size": sum(1 for p in current if p.kind != Post.Kind.GROUP_LEADER),
    }


def renewal_due(orgs_qs, *, today: date) -> list[dict]:
    """Committees whose term ends within TERM_WARNING_MONTHS or is overdue (2 queries)."""
    orgs = {o.pk: o for o in orgs_qs.exclude(org_type__in=[OrgType.GROUP, OrgType.HIGHER]).filter(is_active=True)}
    rows = []
    for org_id, term in current_terms(list(orgs)).items():
        status = term_status(term, today)
        if status:
            rows.append({"org": orgs[org_id], "term": term, "status": status})
    rows.sort(key=lambda r: (r["status"] != "已超期", r["term"].ends_on))
    return rows


def units_table(units_qs, *, year: int | None) -> dict:
    """Communities (村) with their resident groups and the figures of one year (3 queries)."""
    units = list(units_qs.select_related("township").order_by("township__path", "kind", "name"))
    years = sorted(
        set(UnitYearFigure.objects.filter(unit__in=units_qs).values_list("year", flat=True).distinct()), reverse=True
    )
    if year is None and years:
        year = years[0]
    figures = {f.unit_id: f for f in UnitYearFigure.objects.filter(unit__in=units_qs, year=year)}
    fields = ("households_registered", "people_registered", "households_resident", "people_resident")
    communities = []
    by_id = {}
    for u in units:
        if u.kind in (AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE):
            row = {"unit": u, "groups": [], "figure": figures.get(u.pk), "sums": dict.fromkeys(fields, 0)}
            communities.append(row)
            by_id[u.pk] = row
    others = []
    for u in units:
        if u.kind == AdminUnit.Kind.GROUP and u.parent_id in by_id:
            f = figures.get(u.pk)
            row = by_id[u.parent_id]
            row["groups"].append({"unit": u, "figure": f})
            for k in fields:
                v = getattr(f, k) if f else None
                if row["sums"][k] is not None:
                    row["sums"][k] = None if v is None else row["sums"][k] + v
        elif u.kind not in (AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE, AdminUnit.Kind.GROUP):
            others.append(u)
    totals = dict.fromkeys(fields, 0)
    for row in communities:
        if not row["groups"]:  # a community without groups: its own figure counts
            f = row["figure"]
            row["sums"] = {k: (getattr(f, k) if f else None) for k in fields}
        for k in fields:
            if totals[k] is not None:
                totals[k] = None if row["sums"][k] is None else totals[k] + row["sums"][k]
    return {"year": year, "years": years, "communities": communities, "others": others, "totals": totals}

"""Reads about the organization tree: the overview (RULES.md §10 statistics)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max, Q, Sum

from dangjian.orgs.models import BRANCH_TYPES, AdminUnit, Organization, OrgType, UnitYearFigure

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


def subtree(org: Organization):
    return Organization.objects.filter(path__startswith=org.path)


def overview(root: Organization, *, today: date | None = None, year: int | None = None) -> dict:
    """Counts for the township (or district, or branch) under `root`. Fixed query count."""
    from dangjian.members.models import COLLEGE_OR_ABOVE, Member, MemberKind, Sex

    today = today or date.today()
    units = AdminUnit.objects.filter(township__path__startswith=root.path)
    unit_counts = units.aggregate(
        communities=Count("id", filter=Q(kind__in=[AdminUnit.Kind.COMMUNITY, AdminUnit.Kind.VILLAGE])),
        groups=Count("id", filter=Q(kind=AdminUnit.Kind.GROUP)),
    )
    figures = UnitYearFigure.objects.filter(unit__in=units)
    if year is None:
        year = figures.aggregate(y=Max("year"))["y"]
    people = figures.filter(year=year, unit__kind=AdminUnit.Kind.GROUP).aggregate(
        households_registered=Sum("households_registered"),
        people_registered=Sum("people_registered"),
        households_resident=Sum("households_resident"),
        people_resident=Sum("people_resident"),
    )
    orgs = subtree(root).filter(is_active=True)
    branch_rows = (
        orgs.filter(org_type__in=BRANCH_TYPES).values("org_type", "category").annotate(n=Count("id")).order_by()
    )
    branches_by_category: dict[str, int] = {}
    branches_by_type: dict[str, int] = {}
    for row in branch_rows:
        branches_by_category[row["category"]] = branches_by_category.get(row["category"], 0) + row["n"]
        label = OrgType(row["org_type"]).label
        branches_by_type[label] = branches_by_type.get(label, 0) + row["n"]
    other_orgs = dict(
        orgs.exclude(org_type__in=BRANCH_TYPES)
        .values_list("org_type")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("org_type", "n")
    )
    members = Member.objects.filter(branch__path__startswith=root.path, is_current=True)
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
    m = members.aggregate(**aggregates)
    age_bands = {label: m.pop(f"age_{i}") for i, (label, _lo, _hi) in enumerate(AGE_BANDS)}
    return {
        "org": root.name,
        "as_of": today.isoformat(),
        "communities": unit_counts["communities"],
        "resident_groups": unit_counts["groups"],
        "population_year": year,
        **people,
        "branches": sum(branches_by_category.values()),
        "branches_by_category": branches_by_category,
        "branches_by_type": branches_by_type,
        "general_branches": other_orgs.get(OrgType.GENERAL_BRANCH, 0),
        "party_groups": other_orgs.get(OrgType.GROUP, 0),
        "members": m,
        "age_bands": age_bands,
    }


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
    from django.conf import settings

    from dangjian.rules.terms import term_years

    code = _RULE_TYPE.get(org_type)
    if code is None:
        return None
    conf = getattr(settings, "DANGJIAN", {})
    return term_years(
        code,
        category or None,
        by_type=conf.get("TERM_YEARS_BY_TYPE"),
        by_category=conf.get("TERM_YEARS_BY_CATEGORY"),
    )


def term_warning_months() -> int:
    from django.conf import settings

    from dangjian.rules.terms import RENEWAL_WARN_MONTHS

    return int(getattr(settings, "DANGJIAN", {}).get("TERM_WARNING_MONTHS", RENEWAL_WARN_MONTHS))

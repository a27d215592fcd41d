"""Test helpers of the reports app: a township with the source report's structure
(shared/domain/TOWNSHIP.md) built directly, for tests that must not wait for the full
demo. The figures are data here, never in the report generator."""

from __future__ import annotations

from datetime import date

from dangjian.members.models import Education, Member, MemberKind, Occupation, Sex
from dangjian.orgs.models import AdminUnit, Organization, OrgCategory, OrgType, UnitYearFigure
from dangjian.rules.idcard import make_id

COMMUNITIES = 17
GROUPS = 106
REGISTERED = (20669, 72341)
RESIDENT = (28441, 99544)
COMMUNITY_BRANCHES = 39
MEMBERS = 1494


def _split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def build_township(
    *,
    members: int = MEMBERS,
    communities: int = COMMUNITIES,
    groups: int = GROUPS,
    community_branches: int = COMMUNITY_BRANCHES,
    population_year: int = 2022,
    district: Organization | None = None,
    name: str = "示范镇党委",
    area: str = "620102",
) -> Organization:
    """区委 → 镇党委 with communities, resident groups (figures per group), one 机关党支部,
    community branches and `members` members spread over the branches."""
    if district is None:
        district = Organization.objects.add_root(
            dict(name="示范区委", org_type=OrgType.HIGHER, category=OrgCategory.ORGAN)
        )
    township = Organization.objects.add_child(
        district, dict(name=name, org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN)
    )
    units = [
        AdminUnit.objects.create(township=township, name=f"第{i + 1}社区", kind=AdminUnit.Kind.COMMUNITY)
        for i in range(communities)
    ]
    group_units = AdminUnit.objects.bulk_create(
        [
            AdminUnit(
                township=township, parent=units[i % communities], name=f"第{i + 1}居民小组", kind=AdminUnit.Kind.GROUP
            )
            for i in range(groups)
        ]
    )
    columns = zip(
        _split(REGISTERED[0], groups),
        _split(REGISTERED[1], groups),
        _split(RESIDENT[0], groups),
        _split(RESIDENT[1], groups),
    )
    UnitYearFigure.objects.bulk_create(
        [
            UnitYearFigure(
                unit=g,
                year=population_year,
                households_registered=a,
                people_registered=b,
                households_resident=c,
                people_resident=d,
            )
            for g, (a, b, c, d) in zip(group_units, columns)
        ]
    )
    branches = [
        Organization.objects.add_child(
            township, dict(name=f"{name[:-3]}机关党支部", org_type=OrgType.BRANCH, category=OrgCategory.ORGAN)
        )
    ]
    for i in range(community_branches):
        unit = units[i % communities]
        branches.append(
            Organization.objects.add_child(
                township,
                dict(
                    name=f"{unit.name}第{i // communities + 1}党支部",
                    org_type=OrgType.BRANCH,
                    category=OrgCategory.COMMUNITY,
                    unit=unit,
                ),
            )
        )
    rows = []
    for n in range(members):
        branch = branches[n % len(branches)]
        sex = Sex.FEMALE if n % 3 == 0 else Sex.MALE
        birth = date(1940 + n % 60, 1 + n % 12, 1 + n % 28)
        m = Member(
            name=f"党员{n + 1}",
            sex=sex,
            birth_date=birth,
            education=list(Education.values)[n % 6],
            occupation=list(Occupation.values)[n % 8],
            kind=MemberKind.PROBATIONARY if n % 50 == 0 else MemberKind.FULL,
            branch=branch,
            joined_on=date(2000 + n % 20, 7, 1),
            ethnicity="回族" if n % 17 == 0 else "汉族",
            is_mobile=n % 11 == 0,
        )
        m.set_id_number(make_id(area, birth, n % 1000))
        rows.append(m)
    Member.objects.bulk_create(rows, batch_size=500)
    return township


def load_stats_demo(townships: list[Organization]) -> None:
    from auditlog.context import auditlog_value

    from dangjian.demo.context import DemoContext
    from dangjian.stats import demo

    # django-auditlog never resets its context variable after a request, so in tests an
    # earlier test client's user (rolled back since) would be picked up by log_bulk.
    auditlog_value.set({})

    demo.load(DemoContext(townships=list(townships), today=date(2026, 11, 29)))

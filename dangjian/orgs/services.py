"""Writes on the organization tree: organizations, posts, terms and unit figures.

Every function validates and raises OrgError with a plain Chinese message (never a 500);
saves go through save() so django-auditlog records them, edits through save_versioned.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from dangjian.accounts.roles import Role
from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.orgs.models import BRANCH_TYPES, AdminUnit, Organization, OrgType, Post, Term, UnitYearFigure
from dangjian.orgs.selectors import default_term_years
from dangjian.rules.structure import COMMITTEE_ABSOLUTE_MAX_SIZE
from dangjian.rules.terms import term_end


class OrgError(ServiceError):
    """A refused write, with the reason in Chinese (and the form field, if any)."""


# Which organizations may sit under which (中国共产党章程 Art. 30; 支部工作条例 Arts. 4–5, 13):
# a branch's parent is a 基层党委 or a 党总支; 党小组 are set up inside a 支部.
ALLOWED_CHILDREN: dict[str, tuple[str, ...]] = {
    OrgType.HIGHER: (OrgType.HIGHER, OrgType.COMMITTEE),
    OrgType.COMMITTEE: (OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.JOINT_BRANCH),
    OrgType.GENERAL_BRANCH: (OrgType.BRANCH, OrgType.JOINT_BRANCH),
    OrgType.BRANCH: (OrgType.GROUP,),
    OrgType.JOINT_BRANCH: (OrgType.GROUP,),
    OrgType.GROUP: (),
}
# Branch secretaries and 支委 may set up 党小组 in their own branch; everything else is the
# 镇（区）党委's decision.
BRANCH_ROLE_CHILD_TYPES = (OrgType.GROUP,)

ADMIN_FIELDS = (
    "name",
    "short_name",
    "category",
    "founded_on",
    "unit",
    "contact_name",
    "contact_phone",
    "region",
    "is_active",
)
BRANCH_ROLE_FIELDS = ("short_name", "founded_on", "contact_name", "contact_phone")


def child_types_for(user, parent: Organization) -> list[str]:
    allowed = list(ALLOWED_CHILDREN.get(parent.org_type, ()))
    if user.role != Role.ADMIN:
        allowed = [t for t in allowed if t in BRANCH_ROLE_CHILD_TYPES]
    return allowed


def editable_fields_for(user) -> tuple[str, ...]:
    return ADMIN_FIELDS if user.role == Role.ADMIN else BRANCH_ROLE_FIELDS


def _check_unit(unit: AdminUnit | None, org: Organization) -> None:
    """A branch serves a unit of its own 镇党委 (the unit's township is the org or above it)."""
    if unit is not None and not org.path.startswith(unit.township.path):
        raise OrgError("所选社区/单位不属于本党委", "unit")


def _check_dates(*, founded_on: date | None, today: date) -> None:
    if founded_on and founded_on > today:
        raise OrgError("成立日期不能晚于今天", "founded_on")
    if founded_on and founded_on.year < 1921:
        raise OrgError("成立日期不能早于1921年", "founded_on")


@transaction.atomic
def add_child(
    *, user, parent: Organization, name: str, org_type: str, short_name: str = "", category: str | None = None,
    founded_on: date | None = None, unit: AdminUnit | None = None, today: date,
) -> Organization:  # fmt: skip
    """Set up a new organization under `parent`."""
    name = (name or "").strip()
    if not name:
        raise OrgError("请填写组织全称", "name")
    if org_type not in ALLOWED_CHILDREN.get(parent.org_type, ()):
        allowed = "、".join(OrgType(t).label for t in ALLOWED_CHILDREN.get(parent.org_type, ())) or "任何组织"
        raise OrgError(
            f"{OrgType(parent.org_type).label}下不能设立{OrgType(org_type).label if org_type in OrgType.values else org_type}"
            f"（只能设立：{allowed}）。党支部的上级应为基层党委或党总支，党小组设在党支部内。",
            "org_type",
        )
    if org_type not in child_types_for(user, parent):
        raise OrgError(
            "只有镇（区）党委管理员可以设立党支部、党总支等组织；支部书记、支委可在本支部设立党小组。", "org_type"
        )
    if not parent.is_active:
        raise OrgError("上级组织已撤销，不能在其下设立组织")
    _check_dates(founded_on=founded_on, today=today)
    if Organization.objects.filter(path__startswith=parent.path, depth=parent.depth + 1, name=name).exists():
        raise OrgError(f"{parent}下已有名为“{name}”的组织", "name")
    _check_unit(unit, parent)
    parent = Organization.objects.select_for_update().get(pk=parent.pk)  # fresh numchild
    child = Organization.objects.add_child(
        parent,
        dict(
            name=name,
            short_name=(short_name or "").strip(),
            org_type=org_type,
            category=category or parent.category,
            founded_on=founded_on,
            unit=unit,
        ),
    )
    return child


def update_org(*, user, org: Organization, data: dict, expected_version: int | None, today: date) -> Organization:
    """Change an organization's record (optimistic lock: EditConflict when someone else saved)."""
    allowed = editable_fields_for(user)
    _check_dates(founded_on=data.get("founded_on"), today=today)
    if "unit" in allowed and data.get("unit") is not None:
        _check_unit(data["unit"], org)
    if "name" in data and "name" in allowed and not (data["name"] or "").strip():
        raise OrgError("请填写组织全称", "name")
    if "is_active" in allowed and data.get("is_active") is False and org.is_active:
        from dangjian.members.models import Member

        n = Member.objects.filter(branch__path__startswith=org.path, is_current=True).count()
        if n:
            raise OrgError(f"该组织（含下级）仍有在册党员 {n} 名，请先转移组织关系，再撤销组织。", "is_active")
    old_founded = org.founded_on
    changed = []
    for field in allowed:
        if field in data:
            setattr(org, field, data[field].strip() if isinstance(data[field], str) else data[field])
            changed.append(field)
    save_versioned(org, expected_version=expected_version)
    if "founded_on" in changed and org.founded_on != old_founded:
        _log_founded_change(org, old_founded, user)
    return org


def _log_founded_change(org: Organization, old: date | None, user) -> None:
    """成立日期决定组织生活从哪个周期起算（meetings.selectors）：改动它可以抹掉一段时间的“应开展”，
    因此单独记一条审计，写明新旧日期和影响（issue 20）。"""
    from dangjian.core.audit import log_bulk

    def fmt(d):
        return f"{d:%Y-%m-%d}" if d else "（未填写）"

    log_bulk(
        [org],
        action="update",
        changes={"founded_on": [fmt(old), fmt(org.founded_on)]},
        note=f"修改成立日期：{fmt(old)} → {fmt(org.founded_on)}（影响组织生活应开展的周期和落实率）",
        actor=user if getattr(user, "is_authenticated", False) else None,
    )


# --- posts --------------------------------------------------------------------------------
def _members_eligible_for(org: Organization):
    from dangjian.members.models import Member

    if org.org_type == OrgType.GROUP:
        branch = Organization.objects.get_parent(org)
        return Member.objects.filter(branch=branch, is_current=True)
    if org.is_branch:
        return Member.objects.filter(branch=org, is_current=True)
    return Member.objects.filter(branch__path__startswith=org.path, is_current=True)


def post_kinds_for(org: Organization) -> list[str]:
    if org.org_type == OrgType.GROUP:
        return [Post.Kind.GROUP_LEADER]
    return [k for k in Post.Kind.values if k != Post.Kind.GROUP_LEADER]


@transaction.atomic
def add_post(*, org: Organization, member, kind: str, started_on: date, today: date) -> tuple[Post, list[str]]:
    """Appoint `member` to a post on `org`'s committee. Returns the post and any warnings."""
    if kind not in post_kinds_for(org):
        if org.org_type == OrgType.GROUP:
            raise OrgError("党小组只设党小组组长", "kind")
        raise OrgError("党小组组长应在党小组中任命", "kind")
    if member is None or not _members_eligible_for(org).filter(pk=member.pk).exists():
        raise OrgError("任职人员应为本组织的在册党员", "member")
    if member.kind != "正式党员":
        raise OrgError("预备党员没有表决权、选举权和被选举权，不能担任支部委员等职务（党章第七条）", "member")
    if started_on > today + timedelta(days=31):
        raise OrgError("任职日期不能晚于下个月", "started_on")
    if started_on < member.joined_on:
        raise OrgError("任职日期不能早于入党日期", "started_on")
    current = Post.objects.select_for_update().filter(org=org, ended_on__isnull=True).select_related("member")
    for p in current:
        if p.member_id == member.pk:
            raise OrgError(f"{member.name}已担任本组织{p.kind}，如需调整请先办理离任", "member")
        if kind in (Post.Kind.SECRETARY, Post.Kind.GROUP_LEADER) and p.kind == kind:
            raise OrgError(f"本组织已有现任{kind}（{p.member.name}），请先办理其离任", "kind")
    warnings = []
    size = sum(1 for p in current if p.kind != Post.Kind.GROUP_LEADER) + (kind != Post.Kind.GROUP_LEADER)
    if org.is_branch and size > COMMITTEE_ABSOLUTE_MAX_SIZE:
        warnings.append(f"支部委员会现有{size}人，一般不超过{COMMITTEE_ABSOLUTE_MAX_SIZE}人（支部工作条例第二十条）")
    post = Post.objects.create(org=org, member=member, kind=kind, started_on=started_on)
    return post, warnings


def end_post(*, post: Post, ended_on: date, expected_version: int | None, today: date) -> Post:
    if post.ended_on is not None:
        raise OrgError(f"该职务已于{post.ended_on.year}年{post.ended_on.month}月{post.ended_on.day}日离任")
    if ended_on < post.started_on:
        raise OrgError("离任日期不能早于任职日期", "ended_on")
    if ended_on > today:
        raise OrgError("离任日期不能晚于今天", "ended_on")
    post.ended_on = ended_on
    save_versioned(post, expected_version=expected_version)
    return post


# --- terms --------------------------------------------------------------------------------
def add_term(*, org: Organization, started_on: date, years: int | None, note: str = "", today: date) -> Term:
    """Record a 换届 (a new term). Years default from the rules (RULES.md §7)."""
    default = default_term_years(org.org_type, org.category)
    if default is None:
        raise OrgError(f"{OrgType(org.org_type).label}不设任期")
    years = years or default
    if not 1 <= years <= 10:
        raise OrgError("任期年限应在1至10年之间", "years")
    if years != default and not (note or "").strip():
        raise OrgError(
            f"按规定本组织任期为{default}年（2018年中办意见、支部工作条例第二十一条）；任期不同时请在备注中说明批准情况",
            "note",
        )
    if started_on > today:
        raise OrgError("换届日期不能晚于今天", "started_on")
    last = Term.objects.filter(org=org).order_by("-started_on").first()
    if last and started_on <= last.started_on:
        raise OrgError(
            f"换届日期应晚于上一届的换届日期（{last.started_on.year}年{last.started_on.month}月{last.started_on.day}日）",
            "started_on",
        )
    return Term.objects.create(
        org=org, started_on=started_on, years=years, ends_on=term_end(started_on, years), note=(note or "").strip()
    )


# --- unit figures -------------------------------------------------------------------------
FIGURE_FIELDS = ("households_registered", "people_registered", "households_resident", "people_resident")


def save_figures(
    *, unit: AdminUnit, year: int, values: dict, expected_version: int | None, today: date
) -> UnitYearFigure:
    """Households and people of one unit in one year. A blank stays missing (None), never 0."""
    if not 1949 <= year <= today.year:
        raise OrgError(f"年度应在1949至{today.year}年之间", "year")
    for k in FIGURE_FIELDS:
        v = values.get(k)
        if v is not None and v < 0:
            raise OrgError("户数、人口不能为负数", k)
    for hh, ppl, label in (
        ("households_registered", "people_registered", "户籍"),
        ("households_resident", "people_resident", "常住"),
    ):
        if values.get(hh) is not None and values.get(ppl) is not None and values[ppl] < values[hh]:
            raise OrgError(f"{label}人口不应少于{label}户数", ppl)
    fig = UnitYearFigure.objects.filter(unit=unit, year=year).first()
    if fig is None:
        fig = UnitYearFigure(unit=unit, year=year)
        expected_version = None
    for k in FIGURE_FIELDS:
        setattr(fig, k, values.get(k))
    save_versioned(fig, expected_version=expected_version)
    return fig


def is_branch_like(org: Organization) -> bool:
    return org.org_type in BRANCH_TYPES

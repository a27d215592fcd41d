"""组织关系转接: letters numbered per 党委 and year, within the township or beyond
(RULES.md §10: a member counts where the 组织关系 is)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max

from dangjian.core.concurrency import save_versioned
from dangjian.lifecycle.models import Transfer
from dangjian.lifecycle.services.common import (
    EventKind,
    LifecycleError,
    _by,
    _event,
    _require_current,
    _validate_roster_fields,
)
from dangjian.members.models import Member, MemberKind
from dangjian.orgs.models import Organization, OrgType
from dangjian.rules.membership import probation_end


def township_of(org: Organization) -> Organization:
    """The nearest 基层党委 above (or at) `org`; letters are numbered per 党委 and year."""
    if org.org_type in (OrgType.COMMITTEE, OrgType.HIGHER):
        return org
    ancestors = list(Organization.objects.get_ancestors(org))
    for a in reversed(ancestors):
        if a.org_type == OrgType.COMMITTEE:
            return a
    return ancestors[-1] if ancestors else org


def transfer_destinations(branch: Organization):
    """Other active branches under the same 党委 (names only; a within-township transfer)."""
    from dangjian.orgs.models import BRANCH_TYPES

    township = township_of(branch)
    return (
        Organization.objects.filter(path__startswith=township.path, org_type__in=BRANCH_TYPES, is_active=True)
        .exclude(pk=branch.pk)
        .order_by("path")
    )


def _next_letter_no(branch: Organization, year: int) -> int:
    township = township_of(branch)
    top = Transfer.objects.filter(branch__path__startswith=township.path, letter_year=year).aggregate(
        n=Max("letter_no")
    )["n"]
    return (top or 0) + 1


def transfer_out(
    *,
    member: Member,
    on: date,
    reach: str,
    expected_version: int | None,
    to_branch: Organization | None = None,
    other_org: str = "",
    valid_days: int = 30,
    dues_paid_to: str = "",
    reason: str = "",
    user=None,
    today: date,
) -> Transfer:
    """转出. Within the 党委: the member moves to `to_branch` (转出 + 转入 events). Beyond: the
    member leaves current counts but stays on record (RULES.md §10: counted where the 组织关系 is)."""
    _require_current(member)
    if on > today:
        raise LifecycleError("转接日期不能晚于今天")
    if not 1 <= valid_days <= 365:
        raise LifecycleError("介绍信有效期应在1至365天之间")
    Reach = Transfer.Reach
    source = member.branch
    if reach == Reach.TOWNSHIP:
        if to_branch is None:
            raise LifecycleError("本镇内转接请选择转入的党支部")
        if to_branch.pk == source.pk or not transfer_destinations(source).filter(pk=to_branch.pk).exists():
            raise LifecycleError("转入的党支部应是本镇（街道）党委下的其他党支部")
        other_org = to_branch.name
    else:
        to_branch = None
        if not other_org.strip():
            raise LifecycleError("请填写转入的党组织名称")
    with transaction.atomic():
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.OUT,
            reach=reach,
            branch=source,
            to_branch=to_branch,
            other_org=other_org.strip()[:100],
            date=on,
            letter_year=on.year,
            letter_no=_next_letter_no(source, on.year),
            valid_days=valid_days,
            dues_paid_to=dues_paid_to[:20],
            reason=reason[:100],
            created_by=_by(user),
        )
        if to_branch is not None:
            member.branch, member.group = to_branch, None
            member.joined_org_on, member.joined_org_type = on, "本镇内转入"
            save_versioned(member, expected_version=expected_version)
            _event(
                member,
                EventKind.TRANSFER_OUT,
                on,
                f"由{source.name}转出至{to_branch.name}（{transfer.letter_number}）",
                user,
            )
            _event(
                member,
                EventKind.TRANSFER_IN,
                on,
                f"由{source.name}转入{to_branch.name}（{transfer.letter_number}）",
                user,
            )
        else:
            member.is_current, member.left_on, member.left_reason = False, on, "转出"
            member.is_mobile = False
            save_versioned(member, expected_version=expected_version)
            _event(member, EventKind.TRANSFER_OUT, on, f"转往{transfer.other_org}（{transfer.letter_number}）", user)
    return transfer


def transfer_in(
    *,
    branch: Organization,
    on: date,
    reach: str,
    other_org: str,
    name: str,
    sex: str,
    birth_date: date,
    id_number: str,
    kind: str,
    joined_on: date,
    full_on: date | None = None,
    ethnicity: str = "汉族",
    education: str = "",
    received_letter: str = "",
    reason: str = "",
    user=None,
    today: date,
) -> Transfer:
    """转入 from outside the 党委: a new member record, or the old record re-activated when
    the same 公民身份号码 was on our roster before (e.g. came back after a 转出)."""
    from dangjian.core import crypto
    from dangjian.members.models import Education
    from dangjian.rules.idcard import normalize_id

    if not branch.is_branch:
        raise LifecycleError("请选择转入的党支部")
    if on > today:
        raise LifecycleError("转接日期不能晚于今天")
    if not other_org.strip():
        raise LifecycleError("请填写转出的党组织名称")
    number = normalize_id(id_number)
    if kind == MemberKind.FULL and full_on is None:
        full_on = probation_end(joined_on)
    if kind == MemberKind.PROBATIONARY:
        full_on = None
    education = education if education in Education.values else Education.HIGH_SCHOOL
    _validate_roster_fields(
        number,
        name=name,
        sex=sex,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        education=education,
        kind=kind,
        branch=branch,
        joined_on=joined_on,
        full_on=full_on,
        today=today,
    )
    digests = crypto.lookup_hashes(number)  # all live keys (rows not yet re-keyed by a rotation)
    with transaction.atomic():
        member = Member.objects.filter(id_number_hash__in=digests, is_current=False).order_by("-left_on").first()
        reactivated = member is not None
        if member is None:
            member = Member(name=name.strip(), sex=sex, ethnicity=ethnicity or "汉族", birth_date=birth_date)
            member.set_id_number(number)
        member.education = education
        member.kind, member.joined_on, member.full_on = kind, joined_on, full_on
        member.branch, member.group = branch, None
        member.is_current, member.left_on, member.left_reason = True, None, ""
        member.joined_org_on, member.joined_org_type = on, "转入"
        if reactivated:
            save_versioned(member, expected_version=member.version)
        else:
            member.save()
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.IN,
            reach=reach,
            branch=branch,
            other_org=other_org.strip()[:100],
            date=on,
            received_letter=received_letter[:60],
            reason=reason[:100],
            created_by=_by(user),
        )
        note = f"由{transfer.other_org}转入{branch.name}" + ("（恢复原档案）" if reactivated else "")
        _event(member, EventKind.TRANSFER_IN, on, note, user)
    return transfer

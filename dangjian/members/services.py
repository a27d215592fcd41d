"""Writes on the roster, and the only place full 公民身份号码 / phone numbers are revealed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.accounts.models import RevealEvent
from dangjian.accounts.roles import ID_REVEAL_ROLES, PHONE_REVEAL_ROLES, Role
from dangjian.accounts.scope import can_write, orgs_in_scope, visible_to
from dangjian.core import clock, crypto
from dangjian.core.concurrency import save_versioned
from dangjian.members.models import Member, MemberEvent, MemberKind
from dangjian.members.validation import check_member, label
from dangjian.orgs.models import OrgType
from dangjian.rules import idcard

# Plain fields a writer may set (id_number and phone go through set_id_number / set_phone).
EDITABLE_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "education",
    "degree",
    "kind",
    "branch",
    "group",
    "joined_on",
    "full_on",
    "probation_extension_months",
    "job",
    "occupation",
    "dues_category",
    "address",
    "native_place",
    "registered_residence",
    "current_residence",
    "is_migrant_worker",
    "standing",
    "is_lost",
    "lost_on",
    "is_mobile",
    "mobile_destination",
    "mobile_since",
    "mobile_host_org",
    "mobile_contact",
    "introducers",
    "joined_org_on",
    "joined_org_type",
)

DUPLICATE_ID_MESSAGE = "公民身份号码：该号码已有一名在册党员登记，同一人不能重复登记（如是转入，请在原记录上办理）"


def id_taken(id_number: str, *, exclude_pk: int | None = None) -> bool:
    """Is the number already held by a current member? (unique among current members)"""
    # every live key's hash: during a key rotation some rows still carry the old one
    qs = Member.objects.filter(id_number_hash__in=crypto.lookup_hashes(idcard.normalize_id(id_number)), is_current=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _check_scope(user, data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    branch = data.get("branch")
    if branch is not None and not orgs_in_scope(user, branches_only=True).filter(pk=branch.pk).exists():
        errors["branch"] = [f"{label('branch')}：不在您的权限范围内，或不是党支部"]
    group = data.get("group")
    if group is not None:
        ok = group.org_type == OrgType.GROUP and branch is not None and group.path.startswith(branch.path)
        if not ok:
            errors["group"] = [f"{label('group')}：应为所在党支部下的党小组"]
    return errors


def _normalized(fields: dict) -> dict:
    data = dict(fields)
    for key in ("name", "ethnicity"):
        if isinstance(data.get(key), str):
            data[key] = "".join(data[key].split())
    if data.get("kind") == MemberKind.PROBATIONARY:
        data.setdefault("full_on", None)
    return data


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors.items()))


@transaction.atomic
def create_member(*, user, id_number: str, phone: str = "", today: date | None = None, **fields: Any) -> Member:
    """Add a member to the roster. Raises ValidationError ({field: [中文消息]}) on bad data,
    PermissionDenied for read-only roles."""
    if not can_write(user):
        raise PermissionDenied("您的角色只能查看，不能登记党员")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    data = _normalized(fields)
    data["id_number"] = id_number
    errors = check_member(data, today=today) | _check_scope(user, data)
    if "id_number" not in errors and id_taken(id_number):
        errors["id_number"] = [DUPLICATE_ID_MESSAGE]
    _raise(errors)
    member = Member(**{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    member.set_id_number(idcard.normalize_id(id_number))
    member.set_phone(phone)
    member.save()
    return member


@transaction.atomic
def update_member(
    *,
    user,
    member: Member,
    expected_version: int | None,
    id_number: str | None = None,
    phone: str | None = None,
    today: date | None = None,
    **fields: Any,
) -> Member:
    """Change a member. `id_number`/`phone` None = unchanged. A stale `expected_version`
    raises dangjian.core.concurrency.EditConflict (optimistic locking)."""
    if not can_write(user) or not visible_to(user, Member).filter(pk=member.pk).exists():
        raise PermissionDenied("您没有修改此党员档案的权限")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    old_branch = member.branch
    data = {f: getattr(member, f) for f in EDITABLE_FIELDS}
    data.update(_normalized(fields))
    data["id_number"] = id_number if id_number else member.id_number
    errors = check_member(data, today=today)
    if "branch" in fields or "group" in fields:
        errors |= _check_scope(user, data)
    if id_number and "id_number" not in errors and id_taken(id_number, exclude_pk=member.pk):
        errors["id_number"] = [DUPLICATE_ID_MESSAGE]
    _raise(errors)
    for f in EDITABLE_FIELDS:
        setattr(member, f, data[f])
    if id_number:
        member.set_id_number(idcard.normalize_id(id_number))
    if phone is not None:
        member.set_phone(phone)
    save_versioned(member, expected_version=expected_version)
    if member.branch_id != old_branch.pk:
        MemberEvent.objects.create(
            member=member,
            kind=MemberEvent.Kind.BRANCH_CHANGE,
            date=clock.or_today(today),
            note=f"由“{old_branch.name}”调整到“{member.branch.name}”",
            created_by=user,
        )
    return member


# --- reveal ---------------------------------------------------------------------------


def _may_reveal(user, member: Member, roles) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.member_id and user.member_id == member.pk:
        return True  # one's own record
    if user.role == Role.MEMBER or user.role not in roles:
        return False
    return visible_to(user, Member).filter(pk=member.pk).exists()


def reveal_id_number(user, member: Member, remote_addr: str | None = None) -> str:
    """The full 公民身份号码, for an entitled role in scope (or the member); logged."""
    if not _may_reveal(user, member, ID_REVEAL_ROLES):
        raise PermissionDenied("您的角色无权查看完整的公民身份号码")
    RevealEvent.objects.create(
        user=user, kind=RevealEvent.Kind.ID_NUMBER, member=member, detail=member.name, remote_addr=remote_addr
    )
    return member.id_number


def reveal_phone(user, member: Member, remote_addr: str | None = None) -> str:
    """The full phone number, for an entitled role in scope (or the member); logged."""
    if not _may_reveal(user, member, PHONE_REVEAL_ROLES):
        raise PermissionDenied("您的角色无权查看完整的联系电话")
    RevealEvent.objects.create(
        user=user, kind=RevealEvent.Kind.PHONE, member=member, detail=member.name, remote_addr=remote_addr
    )
    return member.phone


PURPOSE_MIN_CHARS = 4


def check_purpose(purpose: str) -> str:
    """A full-ID export states what it is for (logged with the reveal event)."""
    purpose = " ".join((purpose or "").split())
    if len(purpose) < PURPOSE_MIN_CHARS:
        raise ValidationError({"purpose": [f"请写明用途（至少{PURPOSE_MIN_CHARS}个字），例如“报送县委组织部年度统计”"]})
    return purpose[:200]


def log_id_export(
    user, *, count: int, purpose: str, remote_addr: str | None = None, detail: str = "", member=None
) -> None:
    if user.role not in ID_REVEAL_ROLES:
        raise PermissionDenied("您的角色无权导出完整的公民身份号码")
    RevealEvent.objects.create(
        user=user,
        kind=RevealEvent.Kind.EXPORT_IDS,
        member=member,
        detail=(detail or f"导出党员名册 {count} 人（含完整公民身份号码和电话）")[:200],
        purpose=check_purpose(purpose),
        remote_addr=remote_addr,
    )

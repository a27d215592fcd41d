"""Shared pieces of the lifecycle writes: errors, the result type, events and the status of a
member on a date (who may be an 入党介绍人, who has a vote)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dangjian.core.errors import ServiceError
from dangjian.lifecycle.models import DevelopmentStep
from dangjian.members.models import Member, MemberEvent, MemberKind, Standing
from dangjian.orgs.models import Organization
from dangjian.rules.development import Check
from dangjian.rules.membership import probation_end

Kind = DevelopmentStep.Kind
EventKind = MemberEvent.Kind


class LifecycleError(ServiceError):
    """A change that cannot be made; `message` is Chinese and shown to the user."""

    def __init__(self, message: str, checks: list[Check] | None = None):
        super().__init__(message)
        self.checks = checks or []


class StepBlocked(LifecycleError):
    """One or more hard rules fail."""

    def __init__(self, checks: list[Check]):
        super().__init__("；".join(c.message for c in checks), checks)


@dataclass
class Result:
    obj: object
    warnings: list[Check]


def _enforce(checks: list[Check]) -> list[Check]:
    """Raise on any failed hard check; return the failed soft ones (warnings)."""
    blocked = [c for c in checks if c.hard and not c.ok]
    if blocked:
        raise StepBlocked(blocked)
    return [c for c in checks if not c.ok]


def _event(member: Member, kind: str, on: date, note: str, user) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member, kind=kind, date=on, note=note[:300], created_by=user if _is_user(user) else None
    )


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _by(user):
    return user if _is_user(user) else None


def _require_current(member: Member) -> None:
    if not member.is_current:
        raise LifecycleError(f"{member.name}已不在册（{member.left_reason or '已离开'}），不能办理此事项")


# --- status of a member on a date ----------------------------------------------------------


def status_on(member: Member, on: date) -> str:
    """正式党员 / 预备党员 / 不在册 / 停止党籍 on `on` (for 入党介绍人 and voters)."""
    if not member.is_current:
        return "不在册"
    if member.standing != Standing.NORMAL:
        return "停止党籍"
    if member.joined_on > on:
        return "尚未入党"
    if member.kind == MemberKind.FULL and member.full_on and member.full_on <= on:
        return "正式党员"
    return "预备党员"


def full_members_count(branch: Organization, on: date | None = None) -> int:
    """有表决权的党员：本支部党籍正常的正式党员（党章第七条：预备党员没有表决权）。With `on`
    (the vote date): the same people as meetings.selectors.entitled_voters on that day."""
    if on is None:
        return Member.objects.filter(
            branch=branch, is_current=True, kind=MemberKind.FULL, standing=Standing.NORMAL
        ).count()
    from dangjian.meetings.selectors import entitled_voters

    return len(entitled_voters(branch, on))


def probation_due_on(member: Member) -> date:
    """预备期满之日 —— 党章第七条：支部大会通过之日起一年，延长的再加延长月数。"""
    return probation_end(member.joined_on, member.probation_extension_months or 0)


def _validate_roster_fields(id_number: str, *, today: date, **fields) -> None:
    """The roster's own validation (members.validation.check_member: ID agrees with birth date
    and sex, dates consistent, 18 at joining) plus the one-current-record-per-ID rule."""
    from dangjian.members.services import DUPLICATE_ID_MESSAGE, id_taken
    from dangjian.members.validation import check_member

    errors = check_member({**fields, "id_number": id_number}, today=today)
    if errors:
        raise LifecycleError("；".join(m for msgs in errors.values() for m in msgs))
    if id_taken(id_number):
        raise LifecycleError(DUPLICATE_ID_MESSAGE)

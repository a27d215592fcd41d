"""One recorded step of a 发展党员 case: which steps the stage allows, the checks shown on the
case page, and record_step, which hands each kind to its stage's handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction

from dangjian.core.concurrency import save_versioned
from dangjian.lifecycle.models import DevelopmentCase, DevelopmentStep, Stage
from dangjian.lifecycle.services import activist as activist_stage
from dangjian.lifecycle.services import admission, application
from dangjian.lifecycle.services import candidate as candidate_stage
from dangjian.lifecycle.services.common import Kind, LifecycleError, Result, _by, _enforce
from dangjian.lifecycle.services.steps_input import StepInput
from dangjian.members.models import Member
from dangjian.rules import development as dev
from dangjian.rules.development import Check


def _close(case: DevelopmentCase, step: StepInput) -> list[Check]:
    if not step.decision.strip():
        raise LifecycleError("请填写终止培养的原因")
    case.stage, case.closed_reason = Stage.CLOSED, step.decision.strip()[:100]
    return []


HANDLERS: dict[str, Callable[[DevelopmentCase, StepInput], list[Check]]] = {
    Kind.TALK: application.talk,
    Kind.ACTIVIST: activist_stage.activist,
    Kind.REVIEW: activist_stage.review,
    Kind.CANDIDATE: candidate_stage.candidate,
    Kind.POLITICAL_REVIEW: candidate_stage.political_review,
    Kind.TRAINING: candidate_stage.training,
    Kind.VOTE: candidate_stage.vote,
    Kind.APPROVAL: admission.approval,
    Kind.CLOSE: _close,
}


def case_checks(case: DevelopmentCase, *, today: date) -> list[Check]:
    """The checks that apply to the case at its current stage (shown on the detail page)."""
    checks = [dev.check_applicant_age(case.birth_date, case.applied_on)]
    checks.append(dev.check_talk_within_month(case.applied_on, case.talk_on, today=today))
    if case.activist_on:
        until = case.candidate_on or today
        checks.append(
            dev.check_reviews_every_six_months(case.activist_on, activist_stage.case_review_dates(case), until)
        )
    if case.candidate_on and case.activist_on:
        checks.append(dev.check_activist_year(case.activist_on, case.candidate_on))
    if case.stage == Stage.CANDIDATE:
        checks.extend(candidate_stage.candidate_checks(case, case.vote_on or today))
    if case.vote_on and case.vote_present is not None:
        checks.extend(dev.check_vote_counts(case.vote_entitled, case.vote_present, case.vote_agree))
    if case.vote_on:
        checks.append(dev.check_approval_within(case.vote_on, case.approved_on, case.approval_special, today=today))
    return checks


def next_steps(case: DevelopmentCase) -> list[str]:
    """Steps that may be recorded at the case's stage (the detail page offers these)."""
    if case.stage == Stage.APPLICANT:
        return [Kind.TALK, Kind.ACTIVIST, Kind.CLOSE]
    if case.stage == Stage.ACTIVIST:
        return [Kind.REVIEW, Kind.CANDIDATE, Kind.CLOSE]
    if case.stage == Stage.CANDIDATE:
        steps = [Kind.POLITICAL_REVIEW, Kind.TRAINING, Kind.VOTE]
        if case.vote_on:
            steps = [Kind.APPROVAL]
        return [*steps, Kind.CLOSE]
    return []


def record_step(
    *,
    case: DevelopmentCase,
    kind: str,
    on: date,
    expected_version: int | None,
    decision: str = "",
    responsible: str = "",
    documents: str = "",
    contacts: str = "",
    introducers: tuple[Member | None, Member | None] = (None, None),
    training_days: Decimal | None = None,
    training_hours: Decimal | None = None,
    vote_agree: int | None = None,
    vote_entitled: int | None = None,
    vote_present: int | None = None,
    approval_special: bool = False,
    user=None,
    today: date,
) -> Result:
    """Record one step of a case. Hard rules block (StepBlocked); soft ones are returned."""
    if kind not in next_steps(case):
        raise LifecycleError(f"“{Kind(kind).label}”不能在“{case.stage}”阶段登记")
    if on < case.applied_on:
        raise LifecycleError("日期不能早于递交入党申请书的日期")
    if on > today:
        raise LifecycleError("日期不能晚于今天")
    step = StepInput(
        on=on,
        decision=decision,
        responsible=responsible,
        contacts=contacts,
        introducers=introducers,
        training_days=training_days,
        training_hours=training_hours,
        vote_agree=vote_agree,
        vote_entitled=vote_entitled,
        vote_present=vote_present,
        approval_special=approval_special,
    )
    warnings = _enforce(HANDLERS[kind](case, step))
    member_created = None
    with transaction.atomic():
        save_versioned(case, expected_version=expected_version)
        if kind == Kind.APPROVAL:
            member_created = admission._admit(case, user=user)
            case.member = member_created
            case.save(update_fields=["member", "updated_at"])
        DevelopmentStep.objects.create(
            case=case,
            kind=kind,
            date=on,
            decision=step.decision[:200],
            responsible=step.responsible[:100],
            documents=documents[:200],
            warnings="\n".join(c.message for c in warnings),
            created_by=_by(user),
        )
    return Result(member_created or case, warnings)

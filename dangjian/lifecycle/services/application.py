"""申请 stage: 入党申请人建档 and the talk within a month (《发展党员工作细则》)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangjian.lifecycle.models import DevelopmentCase, DevelopmentStep
from dangjian.lifecycle.services.common import Kind, LifecycleError, Result, _by, _enforce
from dangjian.lifecycle.services.steps_input import StepInput
from dangjian.orgs.models import Organization
from dangjian.rules import development as dev
from dangjian.rules.development import Check
from dangjian.rules.errors import RuleError


def create_case(
    *,
    branch: Organization,
    name: str,
    sex: str,
    birth_date: date,
    applied_on: date,
    ethnicity: str = "汉族",
    id_number: str = "",
    education: str = "",
    job: str = "",
    responsible: str = "",
    user=None,
) -> Result:
    """入党申请人建档. Applicant must be 18 on the application date (hard)."""
    from dangjian.core import crypto
    from dangjian.members.models import id_mask
    from dangjian.rules.idcard import normalize_id, validate_id

    if not branch.is_branch:
        raise LifecycleError("入党申请应由党支部受理，请选择一个党支部")
    checks = [dev.check_applicant_age(birth_date, applied_on)]
    warnings = _enforce(checks)
    case = DevelopmentCase(
        branch=branch,
        name=name.strip(),
        sex=sex,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        education=education,
        job=job,
        applied_on=applied_on,
    )
    if id_number:
        try:
            validate_id(id_number, today=applied_on)
        except RuleError as exc:
            raise LifecycleError(exc.message) from None
        number = normalize_id(id_number)
        case.id_number_enc = crypto.encrypt(number)
        case.id_number_mask = id_mask(number)
    with transaction.atomic():
        case.save()
        DevelopmentStep.objects.create(
            case=case,
            kind=Kind.APPLY,
            date=applied_on,
            decision="受理入党申请",
            responsible=responsible,
            documents="入党申请书",
            created_by=_by(user),
        )
    return Result(case, warnings)


def talk(case: DevelopmentCase, step: StepInput) -> list[Check]:
    case.talk_on = step.on
    return [dev.check_talk_within_month(case.applied_on, step.on)]

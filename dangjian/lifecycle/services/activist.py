"""积极分子 stage: chosen by the 支委会 with 1–2 培养联系人, reviewed every six months
(《发展党员工作细则》)."""

from __future__ import annotations

from datetime import date

from dangjian.lifecycle.models import DevelopmentCase, Stage
from dangjian.lifecycle.services.common import Kind, LifecycleError
from dangjian.lifecycle.services.steps_input import StepInput
from dangjian.rules import development as dev
from dangjian.rules.development import Check


def case_review_dates(case: DevelopmentCase) -> list[date]:
    steps = getattr(case, "_prefetched_objects_cache", {}).get("steps")
    steps = steps if steps is not None else case.steps.all()
    return [s.date for s in steps if s.kind == Kind.REVIEW]


def activist(case: DevelopmentCase, step: StepInput) -> list[Check]:
    if not step.contacts.strip():
        raise LifecycleError("请填写培养联系人（1至2名正式党员）")
    case.activist_on, case.contacts, case.stage = step.on, step.contacts.strip(), Stage.ACTIVIST
    step.responsible = step.responsible or step.contacts
    return [dev.check_talk_within_month(case.applied_on, case.talk_on)]


def review(case: DevelopmentCase, step: StepInput) -> list[Check]:
    if step.on < case.activist_on:
        raise LifecycleError("考察日期不能早于确定为入党积极分子的日期")
    return []

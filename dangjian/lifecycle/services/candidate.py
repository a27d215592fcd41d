"""发展对象 stage: 2 入党介绍人, 政治审查, 短期集中培训 and the 支部大会 vote to accept
(《发展党员工作细则》; voters per 党章第七条)."""

from __future__ import annotations

from dangjian.lifecycle.models import DevelopmentCase, Stage
from dangjian.lifecycle.services.activist import case_review_dates
from dangjian.lifecycle.services.common import LifecycleError, full_members_count, status_on
from dangjian.lifecycle.services.steps_input import StepInput
from dangjian.rules import development as dev
from dangjian.rules import lifecycle as lrules
from dangjian.rules.development import Check
from dangjian.rules.errors import RuleError


def training_of(case):
    from dangjian.lifecycle.selectors import training_of  # selectors import this package

    return training_of(case)


def candidate(case: DevelopmentCase, step: StepInput) -> list[Check]:
    on = step.on
    chosen = [m for m in step.introducers if m is not None]
    if len({m.pk for m in chosen}) != len(chosen):
        raise LifecycleError("两名入党介绍人不能是同一人")
    checks = [
        dev.check_activist_year(case.activist_on, on),
        dev.check_introducers([status_on(m, on) for m in chosen]),
        dev.check_reviews_every_six_months(case.activist_on, [*case_review_dates(case)], on),
    ]
    case.candidate_on, case.stage = on, Stage.CANDIDATE
    case.introducer_1, case.introducer_2 = (chosen + [None, None])[:2]
    step.responsible = step.responsible or "、".join(m.name for m in chosen)
    return checks


def political_review(case: DevelopmentCase, step: StepInput) -> list[Check]:
    case.political_review_on = step.on
    return []


def training(case: DevelopmentCase, step: StepInput) -> list[Check]:
    case.training_days, case.training_hours = step.training_days, step.training_hours
    return [dev.check_training(step.training_days, step.training_hours)]


def candidate_checks(case: DevelopmentCase, on) -> list[Check]:
    """What must hold of a 发展对象 on `on` (the vote date, or today before the vote)."""
    introducers = [m for m in (case.introducer_1, case.introducer_2) if m is not None]
    return [
        dev.check_introducers([status_on(m, on) for m in introducers]),
        lrules.check_political_review(case.political_review_on, on),
        dev.check_training(*training_of(case)),
    ]


def vote(case: DevelopmentCase, step: StepInput) -> list[Check]:
    on, agree, entitled, present = step.on, step.vote_agree, step.vote_entitled, step.vote_present
    if agree is None or entitled is None or present is None:
        raise LifecycleError("请填写应到（有表决权的正式党员）、实到和赞成票数")
    checks = candidate_checks(case, on)
    checks.append(lrules.check_voters_full_members(entitled, full_members_count(case.branch, on)))
    try:
        checks.extend(dev.check_vote_counts(entitled, present, agree))
    except RuleError as exc:
        raise LifecycleError(exc.message) from None
    case.vote_on, case.vote_agree, case.vote_entitled, case.vote_present = on, agree, entitled, present
    step.decision = step.decision or f"应到{entitled}名、实到{present}名、赞成{agree}票，同意接收为预备党员"
    return checks

"""预备 stage: the 党委 approves within 3 months and the person joins the roster as
预备党员 (党章第七条; 《发展党员工作细则》)."""

from __future__ import annotations

from dangjian.lifecycle.models import DevelopmentCase, Stage
from dangjian.lifecycle.services.common import EventKind, LifecycleError, _event, _validate_roster_fields
from dangjian.lifecycle.services.steps_input import StepInput
from dangjian.members.models import Member, MemberKind
from dangjian.rules import development as dev
from dangjian.rules.development import Check


def approval(case: DevelopmentCase, step: StepInput) -> list[Check]:
    if step.on < case.vote_on:
        raise LifecycleError("党委审批日期不能早于支部大会日期")
    checks = [dev.check_approval_within(case.vote_on, step.on, step.approval_special)]
    case.approved_on, case.approval_special, case.stage = step.on, step.approval_special, Stage.PROBATIONARY
    step.decision = step.decision or "批准接收为预备党员"
    return checks


def _admit(case: DevelopmentCase, *, user) -> Member:
    """The 党委 approved: the person joins the roster as 预备党员, 入党日期 = 支部大会 date
    (党章第七条：预备期自支部大会通过之日起计算)."""
    from dangjian.core import crypto
    from dangjian.members.models import Education

    if not case.id_number_enc:
        raise LifecycleError("请先在发展党员档案中填写公民身份号码，才能建立党员档案")
    raw = crypto.decrypt(case.id_number_enc)
    education = case.education if case.education in Education.values else Education.HIGH_SCHOOL
    # The same fields are checked as the roster checks them and then saved, so they cannot drift.
    fields = dict(
        name=case.name,
        sex=case.sex,
        ethnicity=case.ethnicity,
        birth_date=case.birth_date,
        education=education,
        kind=MemberKind.PROBATIONARY,
        branch=case.branch,
        joined_on=case.vote_on,
    )
    _validate_roster_fields(raw, **fields, full_on=None, today=case.approved_on)
    member = Member(
        **fields,
        job=case.job,
        introducers="、".join(m.name for m in (case.introducer_1, case.introducer_2) if m)[:60],
        joined_org_on=case.vote_on,
        joined_org_type="发展",
    )
    member.set_id_number(raw)
    member.save()
    _event(member, EventKind.DEVELOPED, case.vote_on, f"支部大会接收，党委于{case.approved_on:%Y-%m-%d}批准", user)
    return member

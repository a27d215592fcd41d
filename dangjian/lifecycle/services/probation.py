"""转正 stage: 按期转正 / 延长预备期 / 取消预备党员资格 by 支部大会 vote and 党委 approval
(党章第七条)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangjian.core.concurrency import save_versioned
from dangjian.lifecycle.models import DevelopmentCase, ProbationDecision, Stage
from dangjian.lifecycle.services.common import (
    EventKind,
    LifecycleError,
    Result,
    _by,
    _enforce,
    _event,
    _require_current,
    full_members_count,
    probation_due_on,
)
from dangjian.members.models import Member, MemberKind
from dangjian.rules import development as dev
from dangjian.rules import lifecycle as lrules
from dangjian.rules.errors import RuleError


def record_probation_decision(
    *,
    member: Member,
    outcome: str,
    vote_on: date,
    vote_agree: int,
    vote_entitled: int,
    vote_present: int | None,
    approved_on: date,
    expected_version: int | None,
    extension_months: int = 0,
    note: str = "",
    user=None,
    today: date,
) -> Result:
    """按期转正 / 延长预备期 / 取消预备党员资格 (党章第七条), each by 支部大会 vote and approval."""
    _require_current(member)
    if member.kind != MemberKind.PROBATIONARY:
        raise LifecycleError(f"{member.name}不是预备党员")
    if vote_on > today or approved_on > today:
        raise LifecycleError("日期不能晚于今天")
    Outcome = ProbationDecision.Outcome
    due = probation_due_on(member)
    checks = [
        lrules.check_voters_full_members(vote_entitled, full_members_count(member.branch, vote_on)),
        lrules.check_full_approval_within(vote_on, approved_on),
    ]
    if vote_present is None:
        raise LifecycleError("请填写支部大会实到的有表决权正式党员人数")
    try:
        # 实到 > 应到半数 (may vote at all) is hard for every outcome; `vote` is 赞成 > 应到半数.
        present_ok, vote = dev.check_vote_counts(vote_entitled, vote_present, vote_agree)
    except RuleError as exc:
        raise LifecycleError(exc.message) from None
    checks.append(present_ok)
    if outcome == Outcome.FULL:
        checks.append(vote)
        checks.append(lrules.check_full_vote_after_due(vote_on, due))
    elif outcome == Outcome.EXTEND:
        checks.append(vote)
        checks.append(lrules.check_extension_months(extension_months, member.probation_extension_months))
    elif outcome == Outcome.CANCEL:
        # 取消资格 is itself decided by the vote: it too needs more than half of the entitled voters.
        checks.append(vote)
    else:
        raise LifecycleError("请选择转正、延长预备期或取消预备党员资格")
    warnings = _enforce(checks)
    if outcome == Outcome.FULL:
        # 党章第七条：党龄从转为正式党员之日算起 —— 转正日期是预备期满之日，不是开会或审批日期。
        effective, kind = due, EventKind.FULL
        member.kind, member.full_on = MemberKind.FULL, due
        text = f"按期转正，转正日期{due:%Y-%m-%d}"
    elif outcome == Outcome.EXTEND:
        member.probation_extension_months = extension_months
        effective, kind = probation_due_on(member), EventKind.PROBATION_EXTENDED
        text = f"延长预备期{extension_months}个月，预备期至{effective:%Y-%m-%d}"
    else:
        effective, kind = approved_on, EventKind.PROBATION_CANCELLED
        member.is_current, member.left_on, member.left_reason = False, approved_on, "取消预备党员资格"
        text = "取消预备党员资格"
    text += f"（支部大会{vote_on:%Y-%m-%d}应到{vote_entitled}、实到{vote_present}、赞成{vote_agree}，党委{approved_on:%Y-%m-%d}批准）"
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        decision = ProbationDecision.objects.create(
            member=member,
            outcome=outcome,
            due_on=due,
            vote_on=vote_on,
            vote_agree=vote_agree,
            vote_entitled=vote_entitled,
            vote_present=vote_present,
            approved_on=approved_on,
            extension_months=extension_months if outcome == Outcome.EXTEND else 0,
            effective_on=effective,
            note=note[:300],
            created_by=_by(user),
        )
        _event(member, kind, effective, text, user)
        if outcome == Outcome.FULL:
            DevelopmentCase.objects.filter(member=member).update(stage=Stage.FULL)
    return Result(decision, warnings)

"""发展党员 —— 《中国共产党发展党员工作细则》2014（RULES.md §6）。

RULES.md §6 给出各项要求（H，受理与审批期限为 H / M），但没有给出条款序号，
条款序号也未能对照原文核实：因此每条检查只引用文件名，不写“第X条”（issue 20）。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dates import add_months
from .errors import RuleError
from .membership import MIN_JOIN_AGE, age_on

SOURCE = "《中国共产党发展党员工作细则》"

# 5 个阶段 —— RULES.md §6 (H)。唯一定义：lifecycle.models.Stage 由此生成。
STAGES: list[str] = ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]

# 年满十八岁：唯一定义在 membership.MIN_JOIN_AGE（党章第一条）。
MIN_AGE = MIN_JOIN_AGE
TALK_WITHIN_MONTHS = 1
ACTIVIST_MIN_MONTHS = 12
REVIEW_INTERVAL_MONTHS = 6
INTRODUCERS = 2
TRAINING_MIN_DAYS = 3
TRAINING_MIN_HOURS = 24
APPROVAL_MONTHS = 3
APPROVAL_SPECIAL_MONTHS = 6


@dataclass(frozen=True)
class Check:
    """一项检查结果。hard=True 为硬性条件（不满足不能进入下一步），否则仅为提醒。"""

    ok: bool
    hard: bool
    message: str
    article: str


def _check(ok: bool, hard: bool, message: str, article: str = "") -> Check:
    """article 只在已对照原文核实时才写；细则各条均未核实，故一律只引用文件名。"""
    return Check(ok, hard, f"{message}（{SOURCE}{article}）", f"{SOURCE}{article}")


def check_applicant_age(birth: date, applied_on: date) -> Check:
    """入党申请人须年满十八岁 —— 细则（未引条款序号），硬性。"""
    age = age_on(birth, applied_on)
    if age >= MIN_AGE:
        return _check(True, True, f"申请入党时已满{MIN_AGE}周岁")
    return _check(False, True, f"申请入党时未满{MIN_AGE}周岁（{age}周岁）")


def check_talk_within_month(applied_on: date, talk_on: date | None, *, today: date | None = None) -> Check:
    """收到入党申请书后一个月内派人谈话 —— 细则（未引条款序号），提醒。"""
    deadline = add_months(applied_on, TALK_WITHIN_MONTHS)
    if talk_on is None:
        if today is not None and today <= deadline:
            return _check(True, False, f"尚未谈话，应于{deadline:%Y-%m-%d}前谈话")
        return _check(False, False, f"未记录谈话，应于{deadline:%Y-%m-%d}前谈话")
    if talk_on < applied_on:
        return _check(False, False, "谈话日期早于申请日期")
    if talk_on > deadline:
        return _check(False, False, f"谈话超过一个月（应于{deadline:%Y-%m-%d}前）")
    return _check(True, False, "已在一个月内谈话")


def check_activist_year(activist_on: date, candidate_on: date) -> Check:
    """经过一年以上培养教育方可列为发展对象 —— 细则（未引条款序号），硬性。"""
    earliest = add_months(activist_on, ACTIVIST_MIN_MONTHS)
    if candidate_on >= earliest:
        return _check(True, True, "入党积极分子培养已满一年")
    return _check(
        False,
        True,
        f"入党积极分子培养不满一年，最早可于{earliest:%Y-%m-%d}列为发展对象",
    )


def check_reviews_every_six_months(activist_on: date, review_dates: Iterable[date], until: date) -> Check:
    """对入党积极分子每半年进行一次考察 —— 细则（未引条款序号），提醒。"""
    reviews = sorted(d for d in review_dates if activist_on <= d <= until)
    previous = activist_on
    for d in [*reviews, until]:
        due = add_months(previous, REVIEW_INTERVAL_MONTHS)
        if d > due:
            return _check(False, False, f"应于{due:%Y-%m-%d}前进行考察")
        previous = d
    return _check(True, False, "已按每半年一次进行考察")


def check_introducers(introducer_statuses: list[str]) -> Check:
    """须有两名正式党员作入党介绍人 —— 细则（未引条款序号），硬性。"""
    if len(introducer_statuses) != INTRODUCERS:
        return _check(
            False,
            True,
            f"入党介绍人应为两名，当前为{len(introducer_statuses)}名",
        )
    if any(s != "正式党员" for s in introducer_statuses):
        return _check(False, True, "入党介绍人必须是正式党员")
    return _check(True, True, "有两名正式党员作入党介绍人")


def check_training(days: int | Decimal | None, hours: int | Decimal | None) -> Check:
    """发展对象集中培训不少于三天（或不少于24学时）—— 细则（未引条款序号），硬性。"""
    if (days or 0) < 0 or (hours or 0) < 0:
        raise RuleError("培训天数和学时不能为负数")
    if (days or 0) >= TRAINING_MIN_DAYS or (hours or 0) >= TRAINING_MIN_HOURS:
        return _check(True, True, "集中培训已达要求")
    return _check(False, True, "集中培训不少于3天或24学时")


def check_branch_vote(agree: int, entitled_voters: int) -> Check:
    """赞成票超过应到会有表决权党员的半数 —— 细则（未引条款序号），硬性。

    预备党员没有表决权（党章第七条），不计入 entitled_voters。
    """
    if entitled_voters <= 0 or agree < 0 or agree > entitled_voters:
        raise RuleError("赞成票数或有表决权的党员人数不正确")
    if agree * 2 > entitled_voters:
        return _check(True, True, f"赞成票{agree}票，超过有表决权党员的半数")
    return _check(
        False,
        True,
        f"赞成票{agree}票，未超过有表决权党员（{entitled_voters}名）的半数",
    )


def check_vote_present(present: int, entitled_voters: int) -> Check:
    """到会的有表决权党员须超过应到会有表决权党员的半数 —— 细则（RULES.md §6：支部大会
    more than half of the members entitled to vote），硬性。恰好一半不够。"""
    if entitled_voters <= 0 or present < 0:
        raise RuleError("到会人数或有表决权的党员人数不正确")
    if present > entitled_voters:
        return _check(False, True, f"到会有表决权党员{present}名，多于应到的{entitled_voters}名")
    if present * 2 > entitled_voters:
        return _check(True, True, f"到会有表决权党员{present}名，超过应到{entitled_voters}名的半数")
    return _check(False, True, f"到会有表决权党员{present}名，未超过应到{entitled_voters}名的半数，不能表决")


def check_vote_counts(entitled: int, present: int, agree: int) -> list[Check]:
    """应到、实到、赞成三个数合起来核对（issue 20：实到须登记）——
    实到 ≤ 应到、赞成 ≤ 实到（数字本身不可能时为错误）；实到超过应到半数方可表决；
    赞成超过应到半数方为通过 —— 细则（RULES.md §6：more than half of the members entitled
    to vote），均为硬性。恰好一半不够。"""
    if entitled <= 0 or present < 0 or agree < 0:
        raise RuleError("应到、实到或赞成人数不正确")
    if present > entitled:
        raise RuleError(f"实到{present}名多于应到的{entitled}名有表决权党员")
    if agree > present:
        raise RuleError(f"赞成票{agree}票多于实到的{present}名有表决权党员")
    return [check_vote_present(present, entitled), check_branch_vote(agree, entitled)]


def check_approval_within(
    vote_on: date,
    approved_on: date | None,
    special: bool = False,
    *,
    today: date | None = None,
) -> Check:
    """党委在支部大会后三个月内审批（特殊情况不超过六个月）—— 细则（未引条款序号），提醒。"""
    months = APPROVAL_SPECIAL_MONTHS if special else APPROVAL_MONTHS
    deadline = add_months(vote_on, months)
    if approved_on is None:
        if today is not None and today <= deadline:
            return _check(True, False, f"待审批，应于{deadline:%Y-%m-%d}前审批")
        return _check(False, False, f"未记录审批，应于{deadline:%Y-%m-%d}前审批")
    if approved_on < vote_on:
        return _check(False, False, "审批日期早于支部大会日期")
    if approved_on > deadline:
        return _check(
            False,
            False,
            f"审批超过{months}个月（应于{deadline:%Y-%m-%d}前）",
        )
    return _check(True, False, f"已在{months}个月内审批")

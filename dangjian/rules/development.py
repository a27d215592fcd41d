"""发展党员 —— 《中国共产党发展党员工作细则》2014（RULES.md §6）。

RULES.md §6 给出各项要求（H，受理与审批期限为 H / M），但没有给出条款序号；
下列“第X条”序号为推定，置信度 M。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dates import add_months
from .errors import RuleError
from .membership import age_on

SOURCE = "《中国共产党发展党员工作细则》"

# 5 个阶段 —— RULES.md §6 (H)。
STAGES: list[str] = ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]

MIN_AGE = 18
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


def _check(ok: bool, hard: bool, message: str, article: str) -> Check:
    return Check(ok, hard, f"{message}（{SOURCE}{article}）", f"{SOURCE}{article}")


def check_applicant_age(birth: date, applied_on: date) -> Check:
    """入党申请人须年满十八岁 —— 第七条（序号 M），硬性。"""
    age = age_on(birth, applied_on)
    if age >= MIN_AGE:
        return _check(True, True, f"申请入党时已满{MIN_AGE}周岁", "第七条")
    return _check(False, True, f"申请入党时未满{MIN_AGE}周岁（{age}周岁）", "第七条")


def check_talk_within_month(applied_on: date, talk_on: date | None, *, today: date | None = None) -> Check:
    """收到入党申请书后一个月内派人谈话 —— 第九条（序号 M），提醒。"""
    deadline = add_months(applied_on, TALK_WITHIN_MONTHS)
    if talk_on is None:
        if today is not None and today <= deadline:
            return _check(True, False, f"尚未谈话，应于{deadline:%Y-%m-%d}前谈话", "第九条")
        return _check(False, False, f"未记录谈话，应于{deadline:%Y-%m-%d}前谈话", "第九条")
    if talk_on < applied_on:
        return _check(False, False, "谈话日期早于申请日期", "第九条")
    if talk_on > deadline:
        return _check(False, False, f"谈话超过一个月（应于{deadline:%Y-%m-%d}前）", "第九条")
    return _check(True, False, "已在一个月内谈话", "第九条")


def check_activist_year(activist_on: date, candidate_on: date) -> Check:
    """经过一年以上培养教育方可列为发展对象 —— 第十四条（序号 M），硬性。"""
    earliest = add_months(activist_on, ACTIVIST_MIN_MONTHS)
    if candidate_on >= earliest:
        return _check(True, True, "入党积极分子培养已满一年", "第十四条")
    return _check(
        False,
        True,
        f"入党积极分子培养不满一年，最早可于{earliest:%Y-%m-%d}列为发展对象",
        "第十四条",
    )


def check_reviews_every_six_months(activist_on: date, review_dates: Iterable[date], until: date) -> Check:
    """对入党积极分子每半年进行一次考察 —— 第十二条（序号 M），提醒。"""
    reviews = sorted(d for d in review_dates if activist_on <= d <= until)
    previous = activist_on
    for d in [*reviews, until]:
        due = add_months(previous, REVIEW_INTERVAL_MONTHS)
        if d > due:
            return _check(False, False, f"应于{due:%Y-%m-%d}前进行考察", "第十二条")
        previous = d
    return _check(True, False, "已按每半年一次进行考察", "第十二条")


def check_introducers(introducer_statuses: list[str]) -> Check:
    """须有两名正式党员作入党介绍人 —— 第十五条（序号 M），硬性。"""
    if len(introducer_statuses) != INTRODUCERS:
        return _check(
            False,
            True,
            f"入党介绍人应为两名，当前为{len(introducer_statuses)}名",
            "第十五条",
        )
    if any(s != "正式党员" for s in introducer_statuses):
        return _check(False, True, "入党介绍人必须是正式党员", "第十五条")
    return _check(True, True, "有两名正式党员作入党介绍人", "第十五条")


def check_training(days: int | Decimal | None, hours: int | Decimal | None) -> Check:
    """发展对象集中培训不少于三天（或不少于24学时）—— 第十八条（序号 M），硬性。"""
    if (days or 0) < 0 or (hours or 0) < 0:
        raise RuleError("培训天数和学时不能为负数")
    if (days or 0) >= TRAINING_MIN_DAYS or (hours or 0) >= TRAINING_MIN_HOURS:
        return _check(True, True, "集中培训已达要求", "第十八条")
    return _check(False, True, "集中培训不少于3天或24学时", "第十八条")


def check_branch_vote(agree: int, entitled_voters: int) -> Check:
    """赞成票超过应到会有表决权党员的半数 —— 第二十三条（序号 M），硬性。

    预备党员没有表决权（党章 Art. 7），不计入 entitled_voters。
    """
    if entitled_voters <= 0 or agree < 0 or agree > entitled_voters:
        raise RuleError("赞成票数或有表决权的党员人数不正确")
    if agree * 2 > entitled_voters:
        return _check(True, True, f"赞成票{agree}票，超过有表决权党员的半数", "第二十三条")
    return _check(
        False,
        True,
        f"赞成票{agree}票，未超过有表决权党员（{entitled_voters}名）的半数",
        "第二十三条",
    )


def check_approval_within(
    vote_on: date,
    approved_on: date | None,
    special: bool = False,
    *,
    today: date | None = None,
) -> Check:
    """党委在支部大会后三个月内审批（特殊情况不超过六个月）—— 第二十六条（序号 M），提醒。"""
    months = APPROVAL_SPECIAL_MONTHS if special else APPROVAL_MONTHS
    deadline = add_months(vote_on, months)
    if approved_on is None:
        if today is not None and today <= deadline:
            return _check(True, False, f"待审批，应于{deadline:%Y-%m-%d}前审批", "第二十六条")
        return _check(False, False, f"未记录审批，应于{deadline:%Y-%m-%d}前审批", "第二十六条")
    if approved_on < vote_on:
        return _check(False, False, "审批日期早于支部大会日期", "第二十六条")
    if approved_on > deadline:
        return _check(
            False,
            False,
            f"审批超过{months}个月（应于{deadline:%Y-%m-%d}前）",
            "第二十六条",
        )
    return _check(True, False, f"已在{months}个月内审批", "第二十六条")

"""发展党员与预备党员管理中 development.py / membership.py 尚未包含的几项检查。

出处：《中国共产党发展党员工作细则》2014（RULES.md §6）；《中国共产党章程》第七条（RULES.md §4）。
细则条款序号未能对照原文核实，只引用文件名（与 development.py 一致）。
"""

from __future__ import annotations

from datetime import date

from .dates import add_months
from .development import APPROVAL_MONTHS, SOURCE, Check
from .membership import EXTENSION_MAX_MONTHS, EXTENSION_MIN_MONTHS

CHARTER = "《中国共产党章程》"
# 转正：预备期满后支部大会讨论，党委三个月内审批 —— 细则（RULES.md §6, H）。
# 与接收预备党员的审批期限是同一个“3个月”：唯一定义 development.APPROVAL_MONTHS。
FULL_APPROVAL_MONTHS = APPROVAL_MONTHS


def _rule(ok: bool, hard: bool, message: str, article: str = "", source: str = SOURCE) -> Check:
    return Check(ok, hard, f"{message}（{source}{article}）", f"{source}{article}")


def check_political_review(reviewed_on: date | None, vote_on: date) -> Check:
    """发展对象须经政治审查，未经政治审查或政治审查不合格的不能发展入党 —— 细则（未引条款序号），硬性。"""
    if reviewed_on is None:
        return _rule(False, True, "未进行政治审查，不能发展入党")
    if reviewed_on > vote_on:
        return _rule(False, True, "政治审查应在支部大会讨论之前完成")
    return _rule(True, True, "已进行政治审查")


def check_voters_full_members(entitled_voters: int, full_members: int) -> Check:
    """应到会有表决权的党员 = 表决之日本支部在册、党籍正常的正式党员，一人不少也一人不多。

    预备党员没有表决权 —— 党章第七条；少填应到人数会让“超过半数”更容易达到，因此少填同样是
    硬性错误（issue 20）。硬性。
    """
    if entitled_voters != full_members:
        more_less = "多于" if entitled_voters > full_members else "少于"
        return _rule(
            False,
            True,
            f"有表决权的党员填写为{entitled_voters}名，{more_less}表决之日本支部党籍正常的正式党员"
            f"{full_members}名；应到人数应为全部有表决权的正式党员（预备党员没有表决权，停止党籍的党员不参加表决）",
            "第七条",
            CHARTER,
        )
    return _rule(True, True, f"有表决权的正式党员{entitled_voters}名", "第七条", CHARTER)


def check_extension_months(months: int, already_extended: int) -> Check:
    """延长预备期不能少于半年，最长不超过一年 —— 党章第七条，硬性。"""
    if already_extended:
        return _rule(False, True, f"预备期已延长{already_extended}个月，延长总计不能超过一年", "第七条", CHARTER)
    if not EXTENSION_MIN_MONTHS <= months <= EXTENSION_MAX_MONTHS:
        return _rule(False, True, "延长预备期不能少于半年，最长不超过一年", "第七条", CHARTER)
    return _rule(True, True, f"延长预备期{months}个月", "第七条", CHARTER)


def check_full_vote_after_due(vote_on: date, due_on: date) -> Check:
    """预备党员预备期满，党支部才能讨论其能否转正 —— 党章第七条，硬性（issue 20：不再只是提醒）。

    预备期满之日当天即可讨论。
    """
    if vote_on < due_on:
        return _rule(
            False,
            True,
            f"支部大会日期早于预备期满日期（{due_on:%Y-%m-%d}），预备期未满不能讨论转正",
            "第七条",
            CHARTER,
        )
    return _rule(True, True, "预备期满后讨论", "第七条", CHARTER)


def check_full_approval_within(vote_on: date, approved_on: date) -> Check:
    """党委对预备党员转正在三个月内审批 —— 细则（未引条款序号），提醒。"""
    deadline = add_months(vote_on, FULL_APPROVAL_MONTHS)
    if approved_on < vote_on:
        return _rule(False, True, "审批日期早于支部大会日期")
    if approved_on > deadline:
        return _rule(False, False, f"审批超过三个月（应于{deadline:%Y-%m-%d}前）")
    return _rule(True, False, "已在三个月内审批")

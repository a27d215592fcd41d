"""民主评议党员与不合格党员处置。

出处：《中国共产党支部工作条例（试行）》2018 Art. 18（RULES.md §2）；
《中国共产党不合格党员组织处置办法》(2024)（RULES.md §3）。
系统不会给出“不合格”等次，也不会自动处置任何党员。
"""

from __future__ import annotations

from datetime import date

from .dates import add_months
from .errors import RuleError

# 等次：优秀 / 合格 / 基本合格 / 不合格 —— RULES.md §2 (H)。预备党员参加评议但不评等次。
GRADES: list[str] = ["优秀", "合格", "基本合格", "不合格"]

# 处置方式 —— 《中国共产党不合格党员组织处置办法》(2024) (H)。
DISPOSAL_MEASURES: list[str] = ["限期改正", "劝其退党", "除名"]
# 限期改正一般6个月，最长不超过1年 —— 同上 (H)。
CORRECTION_DEFAULT_MONTHS = 6
CORRECTION_MAX_MONTHS = 12
# 劝退或除名的，5年内不得重新入党 —— 同上 (H)。
REJOIN_BAN_YEARS = 5


# “优秀”一般不超过正式党员的1/3、预备党员不评等次：RULES.md §2 记为普遍做法（H），但没有找到规定它的
# 条款——《支部工作条例》第十八条只规定民主评议本身，没有比例。因此标注为本地做法（设置项），
# 只提醒、不阻止保存（有的地方不设比例）。
EXCELLENT_CAP_SOURCE = "本地做法设置项：民主评议“优秀”一般不超过正式党员的1/3，条例未规定比例"
NO_GRADE_SOURCE = "本地做法：预备党员参加民主评议，但不评定等次、不参加测评打分"


def excellent_cap_exceeded(n_excellent: int, n_full_members: int) -> bool:
    """“优秀”是否超过正式党员的1/3 —— RULES.md §2 (H)。

    只作提醒，不阻止保存（有的地方不设比例）。
    """
    if n_excellent < 0 or n_full_members < 0:
        raise RuleError("人数不能为负数")
    return n_excellent * 3 > n_full_members


def correction_deadline(start: date, months: int = CORRECTION_DEFAULT_MONTHS) -> date:
    """限期改正的截止日期；期限最长1年 —— 《中国共产党不合格党员组织处置办法》(2024)。"""
    if not 1 <= months <= CORRECTION_MAX_MONTHS:
        raise RuleError("限期改正期限一般为6个月，最长不超过1年")
    return add_months(start, months)


def rejoin_allowed_from(disposed_on: date) -> date:
    """劝退或除名后可重新申请入党的最早日期（5年后）。"""
    return add_months(disposed_on, 12 * REJOIN_BAN_YEARS)


# 处置程序 —— 《中国共产党不合格党员组织处置办法》(2024)：支部委员会提出处置意见并事先向
# 基层党委报告（备案）→ 调查核实 → 支部党员大会讨论决定 → 报基层党委审批。
# 原则 H，具体步骤 M（RULES.md §3）：各地可在此增减步骤名称。
DISPOSAL_STEPS: list[str] = ["支委会提出处置意见", "报基层党委备案", "调查核实", "党员大会讨论决定", "基层党委审批"]
# 处置方式为“劝其退党”“除名”时，党员离开组织的事项名称（members.MemberEvent.Kind）。
LEAVING_MEASURES: dict[str, str] = {"劝其退党": "劝其退党", "除名": "除名"}


def grade_allowed(member_kind: str) -> bool:
    """预备党员参加民主评议，但不评定等次 —— RULES.md §2 (H)。"""
    return member_kind == "正式党员"


def correction_months_valid(months: int) -> bool:
    """限期改正期限 1–12 个月 —— 《中国共产党不合格党员组织处置办法》(2024)。"""
    return isinstance(months, int) and 1 <= months <= CORRECTION_MAX_MONTHS

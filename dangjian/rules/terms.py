"""任期与换届 —— Terms (2018 中办 意见 and Art. 21)，见 RULES.md §7。

基层委员会 5 years；总支 and 支部 3 years；村 and 社区 organizations 5 years (H)。
"""

from __future__ import annotations

from datetime import date

from .dates import add_months
from .errors import RuleError
from .structure import org_category_code, org_type_code

# 按组织类型的默认任期（年）。区县委、党小组不在 RULES.md 范围内，需要时请传入 by_type。
DEFAULT_TERM_YEARS: dict[str, int] = {
    "primary_committee": 5,
    "general_branch": 3,
    "branch": 3,
    "joint_branch": 3,
}
# 按组织类别覆盖：村、社区党组织任期5年（H）。
DEFAULT_CATEGORY_TERM_YEARS: dict[str, int] = {
    "village": 5,
    "community": 5,
}
# 距期满多少个月开始提醒换届（设置项）。
RENEWAL_WARN_MONTHS = 6


def term_years(
    org_type: str,
    category: str | None = None,
    *,
    by_type: dict[str, int] | None = None,
    by_category: dict[str, int] | None = None,
) -> int:
    """某组织的任期年数。org_type、category 可为代码或中文名称。"""
    type_code = org_type_code(org_type)
    table = DEFAULT_TERM_YEARS if by_type is None else by_type
    if type_code not in table:
        raise RuleError(f"未设置{org_type}的任期年限")
    if category:
        cat_code = org_category_code(category)
        cat_table = DEFAULT_CATEGORY_TERM_YEARS if by_category is None else by_category
        if cat_code in cat_table:
            return cat_table[cat_code]
    return table[type_code]


def term_end(start: date, years: int) -> date:
    """任期届满日期。"""
    if years <= 0:
        raise RuleError("任期年限应为正整数")
    return add_months(start, 12 * years)


def renewal_status(term_end: date, today: date, warn_months: int = RENEWAL_WARN_MONTHS) -> str | None:
    """换届提醒：None、"即将到期"（期满前 warn_months 个月内）或 "已超期"。"""
    if today > term_end:
        return "已超期"
    if today >= add_months(term_end, -warn_months):
        return "即将到期"
    return None

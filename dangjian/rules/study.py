"""党员学习培训 —— 2019 《党员教育管理工作条例》（RULES.md §1，M）。"""

from __future__ import annotations

from decimal import Decimal

# 每名党员每年集中学习培训不少于32学时 —— 2019 《党员教育管理工作条例》(M)，设置项。
STUDY_HOURS_PER_YEAR = 32

STUDY_KINDS: list[str] = [
    "集中学习",
    "党课",
    "主题教育",
    "警示教育",
    "专题培训",
    "自学",
]


def study_shortfall(hours: int | Decimal, required: int | Decimal = STUDY_HOURS_PER_YEAR) -> Decimal:
    """距年度学时要求还差多少学时（已达到为0）。"""
    return max(Decimal(required) - Decimal(hours), Decimal(0))

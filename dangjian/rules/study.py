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
# 自学不是集中学习培训：单独统计，不计入32学时（issue 20）。
SELF_STUDY = "自学"
CONCENTRATED_KINDS: tuple[str, ...] = tuple(k for k in STUDY_KINDS if k != SELF_STUDY)


def counts_toward_required(kind: str) -> bool:
    """该类学习是否计入每年32学时的集中学习培训。"""
    return kind in CONCENTRATED_KINDS


def study_shortfall(hours: int | Decimal, required: int | Decimal = STUDY_HOURS_PER_YEAR) -> Decimal:
    """距年度学时要求还差多少学时（已达到为0）。"""
    return max(Decimal(required) - Decimal(hours), Decimal(0))

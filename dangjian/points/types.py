"""The read contract of 党员积分 for other apps (dashboard, report, rating, appraisal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PointsSummary:
    """points_summary: coverage of points management and each member's total."""

    year: int
    branches: int
    branches_applied: int
    coverage: float  # branches applying / branches (积分管理覆盖率)
    branches_not_applied: list[str]  # branch names
    branch_ids_not_applied: list[int]
    member_totals: dict[int, Decimal]

    @property
    def has_records(self) -> bool:
        return bool(self.branches_applied)

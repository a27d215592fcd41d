"""The read contract of 党费 for other apps (dashboard, report, rating)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class BranchDues:
    branch_id: int
    branch: str
    due: Decimal
    paid: Decimal
    rate: float


@dataclass(frozen=True)
class DuesSummary:
    """dues_summary: the year's months fallen due by the day it is judged at."""

    year: int
    through: date | None  # last month counted (None: no month of the year has fallen due)
    due: Decimal
    paid: Decimal
    rate: float
    members_in_arrears: int
    arrears_amount: Decimal
    art9_over: int  # 党章第九条: six months or more without paying
    art9_warning: int
    by_branch: list[BranchDues]

    @property
    def has_records(self) -> bool:
        return bool(self.due or self.paid)

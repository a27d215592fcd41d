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


@dataclass(frozen=True)
class MonthDues:
    """this_month: one month's dues of a set of members (a branch, a township, or one member).
    The staff home panel (已交 x/y 人) and the member's 本月党费 tile read the same selector."""

    month: date
    due_count: int  # members with dues for the month
    paid_count: int
    due_amount: Decimal
    paid_amount: Decimal

    @property
    def unpaid_count(self) -> int:
        return self.due_count - self.paid_count

    @property
    def unpaid_amount(self) -> Decimal:
        return self.due_amount - self.paid_amount

    @property
    def all_paid(self) -> bool:
        return self.due_count > 0 and self.paid_count == self.due_count

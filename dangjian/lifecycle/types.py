"""The read contract of 党员发展与流动 for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LifecycleSummary:
    applicants: int
    activists: int
    candidates: int
    developed: int
    probation_due: int
    transfers_in: int
    transfers_out: int
    mobile: int
    mobile_contact_overdue: int
    lost: int
    lost_over_six_months: int = 0  # more than 6 months and up to 2 years (a ground for 限期改正)
    lost_over_two_years: int = 0

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

"""The read contract of 督查整改 for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OverdueItem:
    branch: str
    title: str
    deadline: date


@dataclass(frozen=True)
class InspectionSummary:
    """inspection_summary: the year's inspections and the rectification items in play that
    year — those found in it, and those found earlier still open at its start (carried_over)."""

    inspections: int
    findings: int  # items found in the year
    carried_over: int  # items found in earlier years, not yet closed when the year began
    closed: int  # of all those, closed (销号) by the day the year is judged at
    open: int
    overdue: list[OverdueItem]

    @property
    def has_records(self) -> bool:
        return bool(self.inspections or self.findings or self.carried_over)

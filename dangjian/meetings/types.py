"""The read contract of 组织生活 for other apps (dashboard, report, rating, points, appraisal)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypedDict


class ComplianceRow(TypedDict, total=False):
    """One branch × kind: periods required by `as_of` and periods held (see compliance_rows);
    also category, minimum, article, meetings, missing, current, periods (and members/covered
    for 谈心谈话)."""

    branch_id: int
    branch: str
    kind: str
    kind_code: str
    period: str
    required: int
    held: int
    shortfall: int


class Art9Row(TypedDict):
    """A member near or over 党章第九条's six months without 组织生活 (an alert only)."""

    member_id: int
    name: str
    branch_id: int
    branch: str
    gap_months: int
    status: str | None
    last_attended: str | None
    is_mobile: bool


@dataclass(frozen=True)
class Art9Counts:
    over: int = 0
    warning: int = 0


@dataclass(frozen=True)
class ComplianceSummary:
    """The year's 组织生活 under an organization (compliance_summary)."""

    year: int
    as_of: date
    meetings_by_kind: dict[str, int]
    party_lectures: int
    meetings: int
    rate: float  # 落实率: held periods / required periods (1.0 when nothing was required yet)
    required_periods: int
    held_periods: int
    branches: list[ComplianceRow]
    art9: Art9Counts
    heatmap: dict  # {"year", "kind", "months": ["1月", …], "rows": [{"branch_id", "branch", "cells", "gaps"}]}

    @property
    def has_records(self) -> bool:
        return bool(self.meetings) or any(self.meetings_by_kind.values())


@dataclass(frozen=True)
class MemberAttendance:
    """One member's year (member_attendance): rate = attended / expected (None: nothing expected)."""

    attended: int = 0
    excused: int = 0
    unexcused: int = 0
    expected: int = 0
    rate: float | None = None
    longest_gap: int = 0

    def as_dict(self) -> dict:
        return {
            "attended": self.attended,
            "excused": self.excused,
            "unexcused": self.unexcused,
            "expected": self.expected,
            "rate": self.rate,
            "longest_gap": self.longest_gap,
        }

"""The read contract of 学习 for other apps (dashboard, report, rating, appraisal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BranchStudy:
    branch_id: int
    branch: str
    members: int
    hours_total: float  # 学时 of the branch's members in the year
    avg_hours: float  # per member
    completion: float  # share of members meeting the yearly requirement (0–1)


@dataclass(frozen=True)
class StudySummary:
    """study_summary: sessions, 学时 and completion of the members of the year."""

    year: int
    required: float  # 学时 a member must reach (setting STUDY_HOURS_PER_YEAR)
    sessions: int  # study activities + 党课 meetings
    hours_total: float
    members: int  # members at the year's end (members.selectors.members_as_of)
    members_meeting_target: int
    by_branch: list[BranchStudy]
    member_hours: dict[int, Decimal]  # {member_id: 学时} for those members

    @property
    def has_records(self) -> bool:
        return bool(self.sessions or self.hours_total)

"""The read contract of 民主评议 and 支部评星 for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppraisalSummary:
    branches: int
    branches_done: int
    grades: dict[str, int]  # {grade: members}
    not_done: list[str]  # branch names

    @property
    def has_records(self) -> bool:
        return bool(self.branches_done or any(self.grades.values()))


@dataclass(frozen=True)
class RatingSummary:
    rated: int
    stars: dict[int, int]  # {stars: branches}
    model_branches: list[str]

    @property
    def has_records(self) -> bool:
        return bool(self.rated)

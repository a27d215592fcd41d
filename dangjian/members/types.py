"""What other apps may import from members: one row of the roster of a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RosterRow:
    """A member under an organization in a year (members.selectors.year_roster).

    `on_day`: counted among the members on the day the year is judged at (members_as_of);
    `in_year`: counted among the members during the year (members_during). 停止党籍 members
    are neither while their 党籍 is stopped (rules.membership.SUSPENDED_COUNTED_IN_FIGURES)."""

    id: int
    name: str
    branch_id: int
    branch: str  # the branch's short name (or name)
    kind: str
    full_on: date | None
    sex: str
    ethnicity: str
    birth_date: date
    education: str
    is_mobile: bool
    is_lost: bool
    lost_on: date | None  # 失联日期
    is_current: bool
    on_day: bool
    in_year: bool

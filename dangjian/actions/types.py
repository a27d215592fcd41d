"""The read contract of “三抓三促” tasks for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TaskRow:
    title: str
    org: str
    deadline: date | None
    last_report_on: date | None


@dataclass(frozen=True)
class TaskSummary:
    """task_summary: the year's plan tasks and unfinished tasks of earlier plans (carried_over)."""

    tasks: int
    carried_over: int
    done: int
    in_progress: int
    overdue: list[TaskRow]
    stalled: list[TaskRow]  # not overdue, but no progress report for STALLED_TASK_DAYS days

    @property
    def has_records(self) -> bool:
        return bool(self.tasks)

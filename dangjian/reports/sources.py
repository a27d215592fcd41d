"""The one place where reports read other capabilities.

Each capability (meetings, dues, study, …) is built by another app; the report reads it
only through that app's selector and the typed (frozen dataclass) result it returns,
imported directly. A capability that holds no record for the year is None here and listed in
`unavailable` (the report says 暂无数据); it never invents a figure. A selector that breaks is
not hidden: `SourceError` names the capability (a Chinese message for the page) and carries
the original exception, so a test fails and the user sees what could not be read.

Every source is computed as of the report's day (`core.clock.as_of(today)`: ``report --today
D`` reaches every selector) and within one figures scope (`core.figures`), so the dashboard,
the report, the rating and the compliance page share each figure instead of recomputing it.

    src = Sources(root, year, today=today)
    src.compliance          # ComplianceSummary or None
    src.unavailable         # {"compliance": "组织生活（三会一课）", …} for sources with no data
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import cached_property
from typing import TypeVar

from dangjian.actions import selectors as actions
from dangjian.actions.types import TaskSummary
from dangjian.core import clock, figures
from dangjian.core.errors import ServiceError
from dangjian.dues import selectors as dues
from dangjian.dues.types import DuesSummary
from dangjian.inspections import selectors as inspections
from dangjian.inspections.types import InspectionSummary
from dangjian.integrity import selectors as integrity
from dangjian.integrity.types import SignalSummary
from dangjian.lifecycle import selectors as lifecycle
from dangjian.lifecycle.types import LifecycleSummary
from dangjian.meetings import selectors as meetings
from dangjian.meetings.types import Art9Row, ComplianceSummary, MemberAttendance
from dangjian.orgs import selectors as orgs
from dangjian.points import selectors as points
from dangjian.points.types import PointsSummary
from dangjian.reviews import selectors as reviews
from dangjian.reviews.types import AppraisalSummary, RatingSummary
from dangjian.stats import selectors as stats
from dangjian.stats.types import Trend
from dangjian.study import plan_selectors as study_plans
from dangjian.study import selectors as study
from dangjian.study.plan_selectors import PlanProgress, TrainingSummary
from dangjian.study.types import StudySummary

logger = logging.getLogger(__name__)
T = TypeVar("T")

LABELS = {
    "compliance": "组织生活（三会一课）",
    "attendance": "党员参加组织生活情况",
    "art9_members": "连续六个月未参加组织生活党员名单",
    "dues": "党费收缴",
    "study": "学习教育",
    "study_plan": "学习计划落实",
    "training": "入党积极分子、发展对象培训",
    "points": "党员积分管理",
    "appraisal": "民主评议党员",
    "rating": "支部评星定级",
    "inspections": "督查整改",
    "tasks": "“三抓三促”任务",
    "signals": "诚信信号（形式主义、弄虚作假线索）",
    "lifecycle": "党员发展与流动",
}


class SourceError(ServiceError):
    """A capability's selector raised: the page says which one could not be read."""

    status = 500
    title = "数据读取出错"

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"读取“{LABELS[key]}”的数据时出错（已记录），请联系管理员。")


class Sources:
    """Every figure a report or the dashboard needs from other apps, read once."""

    def __init__(self, root, year: int, *, today: date | None = None):
        self.root = root
        self.year = year
        self.today = clock.or_today(today)
        self.unavailable: dict[str, str] = {}
        self._memo: dict = {}

    def _read(self, key: str, compute: Callable[[], T], has_data: Callable[[T], bool] | None = None) -> T | None:
        """`compute()` as of the report's day; None (and listed as unavailable) when it holds
        no record for the year. An exception becomes SourceError naming the capability."""
        try:
            with clock.as_of(self.today), figures.scope(self._memo):
                data = compute()
        except Exception as exc:
            logger.exception("report source %s failed", key)
            raise SourceError(key) from exc
        if has_data is not None and not has_data(data):
            self.unavailable.setdefault(key, LABELS[key])
            return None
        return data

    @property
    def as_of(self) -> date:
        """The day the year is judged at: its last day, or today while it runs."""
        return clock.judged_at(self.year, self.today)

    # --- the foundation -----------------------------------------------------------------
    @cached_property
    def overview(self) -> dict:
        """The tree and population counts, with today's members (the dashboard)."""
        with clock.as_of(self.today), figures.scope(self._memo):
            return orgs.overview(self.root, today=self.today)

    @cached_property
    def organizations(self) -> dict:
        """The tree and population counts only: a report counts its year's members itself
        (members.selectors.structure_as_of), so today's are not read."""
        if "overview" in self.__dict__:
            return self.overview
        with clock.as_of(self.today), figures.scope(self._memo):
            return orgs.overview(self.root, today=self.today, members=False)

    @cached_property
    def trend(self) -> Trend:
        with clock.as_of(self.today), figures.scope(self._memo):
            return stats.trend(self.root)

    # --- other capabilities -------------------------------------------------------------
    @cached_property
    def compliance(self) -> ComplianceSummary | None:
        return self._read(
            "compliance",
            lambda: meetings.compliance_summary(self.root, self.year, today=self.today),
            lambda d: d.has_records,
        )

    @cached_property
    def attendance(self) -> dict[int, MemberAttendance] | None:
        return self._read("attendance", lambda: meetings.member_attendance(self.root, self.year, today=self.today))

    @cached_property
    def art9_members(self) -> list[Art9Row] | None:
        """[] is data (nobody near the line)."""
        return self._read("art9_members", lambda: list(meetings.art9_members(self.root, today=self.as_of)))

    @cached_property
    def dues(self) -> DuesSummary | None:
        return self._read(
            "dues", lambda: dues.dues_summary(self.root, self.year, today=self.today), lambda d: d.has_records
        )

    @cached_property
    def study(self) -> StudySummary | None:
        return self._read(
            "study", lambda: study.study_summary(self.root, self.year, today=self.today), lambda d: d.has_records
        )

    @cached_property
    def study_plan(self) -> PlanProgress | None:
        """The year's study plan items carried out per branch (`has_plan` False: no plan; a plan
        is optional, so its absence is not listed as missing data)."""
        return self._read("study_plan", lambda: study_plans.plan_progress(self.root, self.year, as_of=self.as_of))

    @cached_property
    def training(self) -> TrainingSummary:
        """The year's 培训班 for 积极分子 and 发展对象: enrolled, completed by rule, passed."""
        return self._read("training", lambda: study_plans.training_summary(self.root, self.year))

    @cached_property
    def points(self) -> PointsSummary | None:
        return self._read(
            "points", lambda: points.points_summary(self.root, self.year, today=self.today), lambda d: d.has_records
        )

    @cached_property
    def appraisal(self) -> AppraisalSummary | None:
        return self._read("appraisal", lambda: reviews.appraisal_summary(self.root, self.year), lambda d: d.has_records)

    @cached_property
    def rating(self) -> RatingSummary | None:
        return self._read(
            "rating", lambda: reviews.rating_summary(self.root, self.year, today=self.today), lambda d: d.has_records
        )

    @cached_property
    def inspections(self) -> InspectionSummary | None:
        return self._read(
            "inspections",
            lambda: inspections.inspection_summary(self.root, self.year, today=self.today),
            lambda d: d.has_records,
        )

    @cached_property
    def tasks(self) -> TaskSummary | None:
        return self._read(
            "tasks", lambda: actions.task_summary(self.root, self.year, today=self.today), lambda d: d.has_records
        )

    @cached_property
    def signals(self) -> SignalSummary | None:
        return self._read("signals", lambda: integrity.signal_summary(self.root, self.year))

    @cached_property
    def lifecycle(self) -> LifecycleSummary | None:
        return self._read("lifecycle", lambda: lifecycle.lifecycle_summary(self.root, self.year, today=self.today))

    def load_all(self) -> Sources:
        """Touch every source (so `unavailable` is complete)."""
        for name in LABELS:
            getattr(self, name)
        return self

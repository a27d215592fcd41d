"""The one place where reports read other capabilities.

Each capability (meetings, dues, study, …) is built by another app; the report reads
it only through that app's selector contract, imported lazily here. When the module or
the function does not exist yet, or it returns nothing, the adapter returns None and
the report says plainly that the capability has no data yet ("暂无数据") — it never
invents a figure. Every adapter fills in the contract's keys, so callers may index.

    src = Sources(root, year, today=today)
    src.compliance          # dict or None
    src.unavailable         # {"compliance": "组织生活（三会一课）", …} for sources with no data
"""

from __future__ import annotations

import importlib
import logging
from datetime import date
from functools import cached_property

from dangjian.core.cache import cached

logger = logging.getLogger(__name__)

LABELS = {
    "compliance": "组织生活（三会一课）",
    "attendance": "党员参加组织生活情况",
    "art9_members": "连续六个月未参加组织生活党员名单",
    "dues": "党费收缴",
    "study": "学习教育",
    "points": "党员积分管理",
    "appraisal": "民主评议党员",
    "rating": "支部评星定级",
    "inspections": "督查整改",
    "tasks": "“三抓三促”任务",
    "signals": "诚信信号（形式主义、弄虚作假线索）",
    "lifecycle": "党员发展与流动",
}


MISSING = None  # what `call` answers for a capability that is not built yet


def call(module: str, func: str, *args, **kwargs):
    """`module.func(*args, **kwargs)`, or None when the capability is not there yet. A selector that crashes is logged and treated as no data, so one
    broken capability cannot take the whole report down (the note says 读取出错)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    fn = getattr(mod, func, None)
    if fn is None:
        return None
    try:
        # Yearly figures are cached at the current data version (core.cache): any write
        # anywhere invalidates them, so the dashboard and the report are never stale.
        result = cached((module, func, args, kwargs), lambda: fn(*args, **kwargs))
    except Exception:  # noqa: BLE001 — see docstring
        logger.exception("report source %s.%s failed", module, func)
        return _Failed()
    return result


class _Failed:
    """Marker for a selector that raised (reported as 读取出错, not as 暂无数据)."""

    def __bool__(self) -> bool:
        return False


def _with_defaults(data: dict | None, defaults: dict) -> dict | None:
    if not isinstance(data, dict):
        return None
    return {**defaults, **data}


class Sources:
    """Every figure a report or the dashboard needs from other apps, read once."""

    def __init__(self, root, year: int, *, today: date | None = None):
        self.root = root
        self.year = year
        self.today = today or date.today()
        self.unavailable: dict[str, str] = {}
        self.failed: dict[str, str] = {}

    def _get(self, key: str, module: str, func: str, *args, defaults: dict | None = None, empty=None, **kwargs):
        """`empty(data)` says when a capability that exists holds no record for the year:
        a township that recorded nothing is reported as "暂无数据", not as failing."""
        raw = call(module, func, *args, **kwargs)
        if isinstance(raw, _Failed):
            self.failed[key] = LABELS[key]
            raw = None
        data = _with_defaults(raw, defaults or {}) if defaults is not None else raw
        if data is None or (empty is not None and empty(data)):
            self.unavailable.setdefault(key, LABELS[key])
            return None
        return data

    @property
    def as_of(self) -> date:
        """The day the year is judged at: its last day, or today while it runs."""
        return min(self.today, date(self.year, 12, 31))

    # --- the foundation (exists) ------------------------------------------------------
    @cached_property
    def overview(self) -> dict:
        from dangjian.orgs.selectors import overview

        return overview(self.root, today=self.today)

    # --- other capabilities (contracts in the issue) ----------------------------------
    @cached_property
    def compliance(self) -> dict | None:
        data = self._get(
            "compliance",
            "dangjian.meetings.selectors",
            "compliance_summary",
            self.root,
            self.year,
            today=self.today,
            defaults={
                "meetings_by_kind": {},
                "party_lectures": None,
                "rate": None,
                "branches": [],
                "art9": {},
                "heatmap": {"months": [], "rows": []},
            },
            empty=lambda d: not any((d.get("meetings_by_kind") or {}).values()) and not d.get("meetings"),
        )
        if data is not None:
            data["art9"] = {"over": 0, "warning": 0, **(data.get("art9") or {})}
            data["heatmap"] = {"months": [], "rows": [], **(data.get("heatmap") or {})}
        return data

    @cached_property
    def attendance(self) -> dict | None:
        return self._get("attendance", "dangjian.meetings.selectors", "member_attendance", self.root, self.year)

    @cached_property
    def art9_members(self) -> list | None:
        """[] is data (nobody near the line); None means the capability is missing."""
        data = self._get("art9_members", "dangjian.meetings.selectors", "art9_members", self.root, today=self.as_of)
        return list(data) if data is not None else None

    @cached_property
    def dues(self) -> dict | None:
        data = self._get(
            "dues",
            "dangjian.dues.selectors",
            "dues_summary",
            self.root,
            self.year,
            defaults={
                "due": None,
                "paid": None,
                "rate": None,
                "members_in_arrears": 0,
                "arrears_amount": 0,
                "art9_over": 0,
                "art9_warning": 0,
                "by_branch": [],
            },
            empty=lambda d: not d["due"] and not d["paid"],
        )
        return data

    @cached_property
    def study(self) -> dict | None:
        return self._get(
            "study",
            "dangjian.study.selectors",
            "study_summary",
            self.root,
            self.year,
            defaults={"sessions": 0, "hours_total": 0, "members": 0, "members_meeting_target": None, "by_branch": []},
            empty=lambda d: not d["sessions"] and not d["hours_total"],
        )

    @cached_property
    def points(self) -> dict | None:
        return self._get(
            "points",
            "dangjian.points.selectors",
            "points_summary",
            self.root,
            self.year,
            defaults={"branches": 0, "branches_applied": 0, "coverage": None, "branches_not_applied": []},
            empty=lambda d: not d["branches_applied"],
        )

    @cached_property
    def appraisal(self) -> dict | None:
        return self._get(
            "appraisal",
            "dangjian.reviews.selectors",
            "appraisal_summary",
            self.root,
            self.year,
            defaults={"branches": 0, "branches_done": 0, "grades": {}, "not_done": []},
            empty=lambda d: not d["branches_done"] and not any((d.get("grades") or {}).values()),
        )

    @cached_property
    def rating(self) -> dict | None:
        return self._get(
            "rating",
            "dangjian.reviews.selectors",
            "rating_summary",
            self.root,
            self.year,
            # the report's day, so the rating reuses the compliance figures read above
            today=self.today,
            defaults={"rated": 0, "stars": {}, "model_branches": []},
            empty=lambda d: not d["rated"],
        )

    @cached_property
    def inspections(self) -> dict | None:
        return self._get(
            "inspections",
            "dangjian.inspections.selectors",
            "inspection_summary",
            self.root,
            self.year,
            defaults={"inspections": 0, "findings": 0, "closed": 0, "open": 0, "overdue": []},
            empty=lambda d: not d["inspections"] and not d["findings"],
        )

    @cached_property
    def tasks(self) -> dict | None:
        return self._get(
            "tasks",
            "dangjian.actions.selectors",
            "task_summary",
            self.root,
            self.year,
            defaults={"tasks": 0, "done": 0, "in_progress": 0, "overdue": [], "stalled": []},
            empty=lambda d: not d["tasks"],
        )

    @cached_property
    def signals(self) -> dict | None:
        return self._get(
            "signals",
            "dangjian.integrity.selectors",
            "signal_summary",
            self.root,
            self.year,
            defaults={"open": 0, "by_kind": {}},
        )

    @cached_property
    def lifecycle(self) -> dict | None:
        return self._get(
            "lifecycle",
            "dangjian.lifecycle.selectors",
            "lifecycle_summary",
            self.root,
            self.year,
            defaults={
                "applicants": 0,
                "activists": 0,
                "candidates": 0,
                "developed": 0,
                "probation_due": 0,
                "transfers_in": 0,
                "transfers_out": 0,
                "mobile": 0,
                "mobile_contact_overdue": 0,
                "lost": 0,
            },
        )

    def load_all(self) -> Sources:
        """Touch every source (so `unavailable` is complete)."""
        for name in LABELS:
            getattr(self, name)
        return self

"""Reads for the "三抓三促" task ledger: lists, the 日周月季年 schedule, overdue and stalled."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, Q

from dangjian.accounts.scope import visible_to
from dangjian.actions.models import Milestone, Task, stalled_days
from dangjian.actions.types import TaskRow, TaskSummary
from dangjian.core import clock
from dangjian.core.figures import figure

PERIODS = {"日": "今日", "周": "本周", "月": "本月", "季": "本季度", "年": "本年度"}


def overdue_q(today: date) -> Q:
    return ~Q(status=Task.Status.DONE) & Q(deadline__lt=today)


def stalled_q(today: date) -> Q:
    """Not done, started, and no progress report for STALLED_TASK_DAYS days."""
    limit = today - timedelta(days=stalled_days())
    return (
        ~Q(status=Task.Status.DONE)
        & Q(starts_on__lte=today)
        & (Q(last_report_on__lt=limit) | Q(last_report_on__isnull=True, starts_on__lt=limit))
    )


def _org_label(short: str, name: str) -> str:
    return short or name


@figure
def task_summary(root, year: int, *, today: date | None = None) -> TaskSummary:
    """The year's plan tasks and the unfinished tasks of earlier plans (still to be done this
    year): counts, overdue and stalled ones. 2 queries."""
    today = clock.or_today(today)
    this_year = Q(plan__year=year)
    qs = Task.objects.filter(org__path__startswith=root.path).filter(
        this_year | (Q(plan__year__lt=year) & ~Q(status=Task.Status.DONE))
    )
    counts = qs.aggregate(
        tasks=Count("id"),
        carried_over=Count("id", filter=~this_year),
        done=Count("id", filter=Q(status=Task.Status.DONE)),
        in_progress=Count("id", filter=Q(status=Task.Status.IN_PROGRESS)),
    )
    cols = ("title", "org__short_name", "org__name", "deadline", "last_report_on", "is_overdue")
    # Overdue and stalled in one read; a task already overdue is listed there only, not again
    # as stalled.
    overdue, stalled = [], []
    for t, s, n, d, lr, is_overdue in (
        qs.filter(overdue_q(today) | stalled_q(today))
        .annotate(is_overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))
        .order_by("deadline", "id")
        .values_list(*cols)
    ):
        (overdue if is_overdue else stalled).append(
            TaskRow(title=t, org=_org_label(s, n), deadline=d, last_report_on=lr)
        )
    return TaskSummary(**counts, overdue=overdue, stalled=stalled)


def tasks_for(user, *, plan=None, kind: str = "", flag: str = "", category_id: int | None = None, today: date):
    qs = visible_to(user, Task).select_related("org", "category", "plan")
    if plan is not None:
        qs = qs.filter(plan=plan)
    if kind in Task.Kind.values:
        qs = qs.filter(kind=kind)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if flag == "overdue":
        qs = qs.filter(overdue_q(today))
    elif flag == "stalled":
        qs = qs.filter(stalled_q(today))
    elif flag in Task.Status.values:
        qs = qs.filter(status=flag)
    return qs.order_by("category__order", "deadline", "id")


def period_bounds(by: str, today: date) -> tuple[date, date]:
    if by == "日":
        return today, today
    if by == "周":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if by == "月":
        start = today.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt - timedelta(days=1)
    if by == "季":
        q0 = (today.month - 1) // 3 * 3 + 1
        start = date(today.year, q0, 1)
        end = date(today.year + (q0 == 10), 1 if q0 == 10 else q0 + 3, 1) - timedelta(days=1)
        return start, end
    return date(today.year, 1, 1), date(today.year, 12, 31)


def schedule(user, *, by: str, today: date) -> dict:
    """日周月季年: tasks due in the period (or overdue before it), tasks whose cycle matches,
    and milestones falling due in it. 2 queries."""
    start, end = period_bounds(by, today)
    tasks = list(
        visible_to(user, Task)
        .filter(
            Q(deadline__range=(start, end))
            | (~Q(status=Task.Status.DONE) & Q(cycle=by, starts_on__lte=end))
            | (~Q(status=Task.Status.DONE) & Q(deadline__lt=start))
        )
        .select_related("org", "category")
        .order_by("deadline", "id")
    )
    milestones = list(
        visible_to(user, Milestone)
        .filter(due_on__range=(start, end))
        .select_related("task", "task__org")
        .order_by("due_on", "id")
    )
    return {
        "by": by,
        "label": PERIODS.get(by, by),
        "start": start,
        "end": end,
        "tasks": tasks,
        "milestones": milestones,
    }

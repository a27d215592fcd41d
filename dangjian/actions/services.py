"""Writes for the "三抓三促" task ledger (RULES.md §9)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import can_write, visible_to
from dangjian.actions.models import DEFAULT_CATEGORIES, ActionPlan, Milestone, ProgressReport, Task, TaskCategory
from dangjian.core import clock
from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.orgs.models import Organization
from dangjian.rules.errors import RuleError


class ActionError(ServiceError, RuleError):
    """A refused write (core.errors.ServiceError; still a RuleError for existing handlers)."""


def _in_scope(user, obj) -> bool:
    return visible_to(user, type(obj)).filter(pk=obj.pk).exists()


def _require_planner(user, org) -> None:
    if user.role != Role.ADMIN or not _in_scope(user, org):
        raise ActionError("工作方案和任务由镇（区）党委管理员制定")


@transaction.atomic
def create_plan(
    *,
    user,
    org: Organization,
    title: str,
    year: int,
    started_on: date,
    ends_on: date | None = None,
    goals: str = "",
    categories: list[str] | None = None,
) -> ActionPlan:
    """A 工作方案 with its categories (default 抓学习促提升、抓执行促落实、抓效能促发展)."""
    _require_planner(user, org)
    title = (title or "").strip()
    if not title:
        raise ActionError("请填写方案名称")
    if ends_on and ends_on < started_on:
        raise ActionError("结束日期不能早于开始日期")
    names = [c.strip() for c in (categories or DEFAULT_CATEGORIES) if c and c.strip()]
    if not names:
        raise ActionError("请至少设置一个任务类别")
    if len(set(names)) != len(names):
        raise ActionError("任务类别不能重复")
    plan = ActionPlan.objects.create(
        org=org, title=title, year=year, started_on=started_on, ends_on=ends_on, goals=goals, created_by=user
    )
    for i, name in enumerate(names, start=1):
        TaskCategory.objects.create(plan=plan, name=name[:40], order=i)
    return plan


def add_category(*, user, plan: ActionPlan, name: str) -> TaskCategory:
    _require_planner(user, plan)
    name = (name or "").strip()
    if not name:
        raise ActionError("请填写类别名称")
    if plan.categories.filter(name=name).exists():
        raise ActionError("该类别已存在")
    order = (plan.categories.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return TaskCategory.objects.create(plan=plan, name=name[:40], order=order)


@transaction.atomic
def create_task(
    *,
    user,
    plan: ActionPlan,
    category: TaskCategory,
    title: str,
    org: Organization,
    responsible: str,
    starts_on: date,
    deadline: date,
    kind: str = Task.Kind.KEY_WORK,
    cycle: str = Task.Cycle.ONCE,
    detail: str = "",
    milestones: list[tuple[str, date]] = (),
) -> Task:
    _require_planner(user, plan)
    if category.plan_id != plan.pk:
        raise ActionError("类别不属于该工作方案")
    if not _in_scope(user, org):
        raise ActionError("责任单位不在您的权限范围内")
    if not (title or "").strip() or not (responsible or "").strip():
        raise ActionError("请填写任务和责任人")
    if deadline < starts_on:
        raise ActionError("完成时限不能早于开始日期")
    if kind not in Task.Kind.values or cycle not in Task.Cycle.values:
        raise ActionError("清单或推进周期无效")
    task = Task.objects.create(
        plan=plan,
        category=category,
        title=title.strip(),
        org=org,
        responsible=responsible.strip()[:40],
        starts_on=starts_on,
        deadline=deadline,
        kind=kind,
        cycle=cycle,
        detail=detail,
    )
    for name, due in milestones:
        add_milestone(user=user, task=task, title=name, due_on=due)
    return task


def add_milestone(*, user, task: Task, title: str, due_on: date) -> Milestone:
    _require_planner(user, task.plan)
    if not (title or "").strip():
        raise ActionError("请填写节点名称")
    if due_on < task.starts_on or due_on > task.deadline:
        raise ActionError("节点时间应在任务开始日期和完成时限之间")
    return Milestone.objects.create(task=task, title=title.strip()[:100], due_on=due_on)


def complete_milestone(*, user, milestone: Milestone, on: date, expected_version: int) -> Milestone:
    if not can_write(user) or not _in_scope(user, milestone):
        raise ActionError("您不能修改此任务")
    milestone.done_on = on
    save_versioned(milestone, expected_version=expected_version)
    return milestone


@transaction.atomic
def report_progress(
    *,
    user,
    task: Task,
    on: date,
    text: str,
    percent: int,
    done: bool = False,
    evidence: str = "",
    evidence_name: str = "",
) -> ProgressReport:
    """A dated progress report (by the responsible organization or the township)."""
    if not can_write(user) or not _in_scope(user, task):
        raise ActionError("只有责任单位或镇党委可以报告进展")
    if task.status == Task.Status.DONE:
        raise ActionError("任务已完成")
    text = (text or "").strip()
    if len(text) < 5:
        raise ActionError("请写明进展情况（至少5个字）")
    if not 0 <= percent <= 100:
        raise ActionError("完成进度应在0至100之间")
    today = clock.today()
    if on > today:
        raise ActionError("进展日期不能晚于今天")
    if on < task.starts_on:
        raise ActionError("进展日期不能早于任务开始日期")
    report = ProgressReport.objects.create(
        task=task,
        date=on,
        text=text,
        percent=100 if done else percent,
        evidence=evidence,
        evidence_name=evidence_name[:200],
        reported_by=user,
    )
    fields = {"status": Task.Status.DONE if done else Task.Status.IN_PROGRESS}
    if done:
        fields["done_on"] = on
    if task.last_report_on is None or on > task.last_report_on:
        fields["last_report_on"] = on
    for k, v in fields.items():
        setattr(task, k, v)
    save_versioned(task, expected_version=task.version)
    return report

"""Views for the "三抓三促" task ledger."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import can_write, orgs_in_scope, scope_root, visible_to
from dangjian.actions import selectors, services
from dangjian.actions.forms import MilestoneForm, PlanForm, ProgressForm, TaskForm
from dangjian.actions.models import ActionPlan, Milestone, ProgressReport, Task, stalled_days
from dangjian.core import clock, params
from dangjian.core.concurrency import EditConflict
from dangjian.core.uploads import serve_upload, store_upload
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.orgs.models import Organization
from dangjian.rules.errors import RuleError

FLAGS = {"": "全部", "overdue": "逾期", "stalled": "停滞", "未开始": "未开始", "进行中": "进行中", "已完成": "已完成"}


def _errors(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _status_label(task: Task, today) -> str:
    if task.status == Task.Status.DONE:
        return "已完成"
    if task.is_overdue(today):
        return "逾期"
    if task.is_stalled(today):
        return f"{task.status}（停滞）"
    return task.status


def _decorate(tasks, today):
    for t in tasks:
        t.label = _status_label(t, today)
        t.overdue = t.is_overdue(today)
        t.stalled = t.is_stalled(today)
    return tasks


@scoped(roles=STAFF_ROLES)
def action_list(request):
    """Plans in scope and the 重点工作清单/问题清单 of tasks, flagged."""
    today = clock.today()
    plans = list(visible_to(request.user, ActionPlan).order_by("-year", "-started_on"))
    plan_id = params.pk_or_none(request.GET.get("plan")) or 0
    plan = next((p for p in plans if p.pk == plan_id), None)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Task.Kind.values else ""
    flag = request.GET.get("flag", "")
    flag = flag if flag in FLAGS else ""
    tasks = _decorate(list(selectors.tasks_for(request.user, plan=plan, kind=kind, flag=flag, today=today)), today)
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                i,
                t.plan.title,
                t.category.name,
                t.kind,
                t.title,
                t.org.name,
                t.responsible,
                t.cycle,
                t.starts_on,
                t.deadline,
                t.label,
                t.last_report_on,
                t.done_on,
            ]
            for i, t in enumerate(tasks, start=1)
        ]
        content = ledger_bytes(
            title="三抓三促任务台账",
            headers=[
                "序号",
                "工作方案",
                "类别",
                "清单",
                "任务",
                "责任单位",
                "责任人",
                "推进周期",
                "开始日期",
                "完成时限",
                "状态",
                "最近进展",
                "完成日期",
            ],
            rows=rows,
            org=str(scope_root(request.user) or ""),
            period=plan.title if plan else "全部方案",
            user=request.user,
            filters="、".join(x for x in (kind, FLAGS.get(flag, "") if flag else "") if x),
        )
        return xlsx_response(content, "三抓三促任务台账.xlsx")
    groups: dict[str, list] = {}
    for t in tasks:
        groups.setdefault(t.category.name, []).append(t)
    return render(
        request,
        "actions/list.html",
        {
            "plans": plans,
            "plan": plan,
            "kind": kind,
            "flag": flag,
            "flags": FLAGS,
            "kinds": Task.Kind.values,
            "groups": groups,
            "n_tasks": len(tasks),
            "n_overdue": sum(t.overdue for t in tasks),
            "n_stalled": sum(t.stalled for t in tasks),
            "stalled_days": stalled_days(),
            "is_admin": request.user.role == Role.ADMIN,
        },
    )


@scoped(roles=ADMIN_ONLY, write=True)
def plan_new(request):
    today = clock.today()
    form = PlanForm(request.POST or None, initial={"year": today.year, "started_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.create_plan(
                user=request.user,
                org=scope_root(request.user),
                title=d["title"],
                year=d["year"],
                started_on=d["started_on"],
                ends_on=d["ends_on"],
                goals=d["goals"],
                categories=d["categories"].splitlines(),
            )
        except RuleError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已创建工作方案")
            return redirect("actions:plan", plan=plan.pk)
    return render(request, "actions/plan_new.html", {"form": form})


@scoped(roles=STAFF_ROLES, plan=ActionPlan)
def plan_detail(request, plan: ActionPlan):
    today = clock.today()
    form = TaskForm(initial={"starts_on": today, "deadline": today})
    if request.method == "POST":
        if request.user.role != Role.ADMIN or not can_write(request.user):
            raise PermissionDenied("任务由镇（区）党委管理员制定")
        try:
            if request.POST.get("action") == "category":
                services.add_category(user=request.user, plan=plan, name=request.POST.get("name", ""))
                messages.success(request, "已新增类别")
                return redirect("actions:plan", plan=plan.pk)
            form = TaskForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                category = plan.categories.filter(pk=d["category"]).first()
                org = visible_to(request.user, Organization).filter(pk=d["org"]).first()
                if category is None or org is None:
                    raise RuleError("请选择类别和责任单位")
                services.create_task(
                    user=request.user,
                    plan=plan,
                    category=category,
                    title=d["title"],
                    org=org,
                    responsible=d["responsible"],
                    starts_on=d["starts_on"],
                    deadline=d["deadline"],
                    kind=d["kind"],
                    cycle=d["cycle"],
                    detail=d["detail"],
                )
                messages.success(request, "已新增任务")
                return redirect("actions:plan", plan=plan.pk)
            _errors(request, form)
        except RuleError as e:
            messages.error(request, e.message)
    tasks = _decorate(list(selectors.tasks_for(request.user, plan=plan, today=today)), today)
    groups = [(c, [t for t in tasks if t.category_id == c.pk]) for c in plan.categories.all()]
    return render(
        request,
        "actions/plan.html",
        {
            "plan": plan,
            "groups": groups,
            "form": form,
            "orgs": orgs_in_scope(request.user),
            "is_admin": request.user.role == Role.ADMIN and can_write(request.user),
            "today": today,
        },
    )


@scoped(roles=STAFF_ROLES, task=Task)
def task_detail(request, task: Task):
    today = clock.today()
    _decorate([task], today)
    return render(
        request,
        "actions/task.html",
        {
            "t": task,
            "milestones": task.milestones.all(),
            "reports": task.reports.select_related("reported_by"),
            "form": ProgressForm(initial={"date": today, "percent": 0}),
            "mform": MilestoneForm(),
            "can_write": can_write(request.user),
            "is_admin": request.user.role == Role.ADMIN,
            "today": today,
        },
    )


@scoped(roles=WRITER_ROLES, write=True, task=Task)
@require_POST
def task_report(request, task: Task):
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
        return redirect("actions:task", task=task.pk)
    d = form.cleaned_data
    try:
        path, name = ("", "")
        if d["evidence"]:
            path, name = store_upload(d["evidence"], subdir="actions", kinds=("image", "pdf")), d["evidence"].name
        services.report_progress(
            user=request.user,
            task=task,
            on=d["date"],
            text=d["text"],
            percent=d["percent"],
            done=d["done"],
            evidence=path,
            evidence_name=name,
        )
        messages.success(request, "已报告进展")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("actions:task", task=task.pk)


@scoped(roles=ADMIN_ONLY, write=True, task=Task)
@require_POST
def milestone_new(request, task: Task):
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        try:
            services.add_milestone(
                user=request.user, task=task, title=form.cleaned_data["title"], due_on=form.cleaned_data["due_on"]
            )
            messages.success(request, "已新增节点")
        except RuleError as e:
            messages.error(request, e.message)
    return redirect("actions:task", task=task.pk)


@scoped(roles=WRITER_ROLES, write=True, milestone=Milestone)
@require_POST
def milestone_done(request, milestone: Milestone):
    try:
        version = int(request.POST.get("version", ""))
        services.complete_milestone(user=request.user, milestone=milestone, on=clock.today(), expected_version=version)
        messages.success(request, "节点已完成")
    except ValueError:
        messages.error(request, "请刷新页面后重试")
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("actions:task", task=milestone.task_id)


@scoped(roles=STAFF_ROLES, report=ProgressReport)
def report_evidence(request, report: ProgressReport):
    if not report.evidence:
        raise Http404("没有佐证材料")
    return serve_upload(request, report.evidence, download_name=report.evidence_name or None)


@scoped(roles=STAFF_ROLES)
def schedule(request):
    """日周月季年 schedule."""
    today = clock.today()
    by = request.GET.get("by", "周")
    by = by if by in selectors.PERIODS else "周"
    data = selectors.schedule(request.user, by=by, today=today)
    _decorate(data["tasks"], today)
    return render(request, "actions/schedule.html", {**data, "periods": selectors.PERIODS, "today": today})

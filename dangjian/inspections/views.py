"""Views for inspections (督查), findings and rectification items (整改销号)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES, TOWNSHIP_ROLES, WRITER_ROLES
from dangjian.accounts.scope import orgs_in_scope, scope_root, visible_to
from dangjian.core import clock, params
from dangjian.core.concurrency import EditConflict
from dangjian.core.uploads import serve_upload, store_upload
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.inspections import selectors, services
from dangjian.inspections.forms import CloseForm, FindingForm, InspectionForm, ReportForm
from dangjian.inspections.models import Finding, Inspection, RectificationItem
from dangjian.orgs.models import Organization
from dangjian.rules.errors import RuleError

STATUS_FILTERS = ["未开始", "整改中", "待销号", "逾期", "已完成"]


def _year(request) -> int | None:
    return params.optional_year(request.GET)


def _errors(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


def _store(f) -> tuple[str, str]:
    if not f:
        return "", ""
    return store_upload(f, subdir="inspections", kinds=("image", "pdf")), f.name


@scoped(roles=STAFF_ROLES)
def inspection_list(request):
    today = clock.today()
    year = _year(request)
    inspections = list(selectors.inspections_for(request.user, year).select_related("org"))
    items = list(selectors.items_for(request.user, year=year, today=today)[:200])
    overdue = [i for i in items if i.is_overdue(today)]
    return render(
        request,
        "inspections/list.html",
        {
            "inspections": inspections,
            "items": items,
            "overdue": overdue,
            "today": today,
            "year": year,
            "may_inspect": services.may_inspect(request.user),
        },
    )


@scoped(roles=TOWNSHIP_ROLES)
def inspection_new(request):
    root = scope_root(request.user)
    branches = list(orgs_in_scope(request.user, branches_only=True))
    form = InspectionForm(request.POST or None, initial={"date": clock.today(), "mode": "暗访"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [b for b in branches if str(b.pk) in request.POST.getlist("branches")]
        try:
            insp = services.create_inspection(
                user=request.user,
                org=root,
                title=d["title"],
                on=d["date"],
                mode=d["mode"],
                team=d["team"],
                method=d["method"],
                branches=chosen,
                kind=d["kind"],
            )
        except RuleError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已创建督查，请登记发现的问题")
            return redirect("inspections:detail", inspection=insp.pk)
    return render(request, "inspections/new.html", {"form": form, "branches": branches})


@scoped(roles=STAFF_ROLES, inspection=Inspection)
def inspection_detail(request, inspection: Inspection):
    today = clock.today()
    findings = list(selectors.findings_of(inspection, request.user))
    form = FindingForm(initial={"deadline": today + timedelta(days=30)})
    if request.method == "POST":
        if not services.may_inspect(request.user):
            raise PermissionDenied("只有督查人员可以登记问题")
        form = FindingForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            branch = visible_to(request.user, Organization).filter(pk=d["branch"]).first()
            try:
                if branch is None:
                    raise RuleError("请选择所在支部")
                path, name = _store(d["evidence"])
                services.add_finding(
                    user=request.user,
                    inspection=inspection,
                    branch=branch,
                    category=d["category"],
                    description=d["description"],
                    evidence_note=d["evidence_note"],
                    evidence=path,
                    evidence_name=name,
                    measure=d["measure"],
                    responsible=d["responsible"],
                    deadline=d["deadline"],
                )
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
            except RuleError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, "已登记问题和整改事项")
                return redirect("inspections:detail", inspection=inspection.pk)
        else:
            _errors(request, form)
    return render(
        request,
        "inspections/detail.html",
        {
            "i": inspection,
            "findings": findings,
            "today": today,
            "form": form,
            "visited": inspection.branches.all(),
            "branches": orgs_in_scope(request.user, branches_only=True),
            "may_inspect": services.may_inspect(request.user),
        },
    )


@scoped(roles=STAFF_ROLES, finding=Finding)
def finding_detail(request, finding: Finding):
    item = RectificationItem.objects.select_related("closed_by", "reported_by").get(finding=finding)
    return render(
        request,
        "inspections/finding.html",
        {
            "f": finding,
            "item": item,
            "today": clock.today(),
            "may_close": services.may_close(request.user, item),
            "may_report": services.may_report(request.user, item),
            "inspection_visible": visible_to(request.user, Inspection).filter(pk=finding.inspection_id).exists(),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, item=RectificationItem)
@require_POST
def item_report(request, item: RectificationItem):
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        _errors(request, form)
    else:
        d = form.cleaned_data
        try:
            path, name = _store(d["evidence"])
            services.report_progress(
                user=request.user,
                item=item,
                note=d["note"],
                done=d["done"],
                evidence=path,
                evidence_name=name,
                expected_version=d["version"],
            )
            messages.success(request, "已报告整改完成，等待督查人员销号" if d["done"] else "已更新整改情况")
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        except (RuleError, EditConflict) as e:
            messages.error(request, e.message)
    return redirect("inspections:finding", finding=item.finding_id)


# 销号 is done by the inspector role, which is read-only elsewhere: the service decides
# (creator of the inspection or inspector role), so this view is not `write=True`.
@scoped(roles=TOWNSHIP_ROLES, item=RectificationItem)
@require_POST
def item_close(request, item: RectificationItem):
    form = CloseForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("inspections:finding", finding=item.finding_id)
    try:
        if request.POST.get("action") == "reopen":
            services.reopen_item(
                user=request.user,
                item=item,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, "已退回整改")
        else:
            services.close_item(
                user=request.user,
                item=item,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
            messages.success(request, "已销号")
    except RuleError as e:
        if not services.may_close(request.user, item):
            raise PermissionDenied(e.message) from None
        messages.error(request, e.message)
    except EditConflict as e:
        messages.error(request, e.message)
    return redirect("inspections:finding", finding=item.finding_id)


@scoped(roles=STAFF_ROLES, finding=Finding)
def finding_evidence(request, finding: Finding):
    if not finding.evidence:
        raise Http404("没有证据材料")
    return serve_upload(request, finding.evidence, download_name=finding.evidence_name or None)


@scoped(roles=STAFF_ROLES, item=RectificationItem)
def item_evidence(request, item: RectificationItem):
    if not item.completion_evidence:
        raise Http404("没有整改佐证")
    return serve_upload(request, item.completion_evidence, download_name=item.completion_evidence_name or None)


@scoped(roles=STAFF_ROLES)
def problems(request):
    """问题清单: every rectification item in scope, filterable; xlsx with the same figures."""
    today = clock.today()
    year = _year(request)
    status = request.GET.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    items = list(selectors.items_for(request.user, year=year, status=status, today=today))
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                n,
                it.finding.inspection.date,
                it.finding.inspection.title,
                it.finding.inspection.mode,
                it.finding.branch.name,
                it.finding.category,
                it.finding.description,
                it.measure,
                it.responsible,
                it.deadline,
                it.display_status(today),
                it.reported_on,
                it.closed_on,
                str(it.closed_by or ""),
            ]
            for n, it in enumerate(items, start=1)
        ]
        content = ledger_bytes(
            title="督查问题清单",
            headers=[
                "序号",
                "督查日期",
                "督查",
                "方式",
                "党支部",
                "问题类别",
                "问题描述",
                "整改措施",
                "责任人",
                "整改时限",
                "状态",
                "报告完成日期",
                "销号日期",
                "销号人",
            ],
            rows=rows,
            org=str(scope_root(request.user) or ""),
            period=f"{year}年" if year else "全部",
            user=request.user,
            filters=status,
        )
        return xlsx_response(content, "督查问题清单.xlsx")
    return render(
        request,
        "inspections/problems.html",
        {"items": items, "today": today, "year": year, "status": status, "statuses": STATUS_FILTERS},
    )

"""Roster pages: list, detail (with its audit history), add/edit, reveal, import, export."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ALL_ROLES, ID_REVEAL_ROLES, PHONE_REVEAL_ROLES, STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import can_write, orgs_in_scope, scope_root
from dangjian.core import clock, jobs
from dangjian.core.audit import change_rows, history_for
from dangjian.core.concurrency import EditConflict
from dangjian.core.spreadsheet import Table, drop_preview, keep_preview, load_preview
from dangjian.core.xlsx import xlsx_response
from dangjian.members import selectors, services
from dangjian.members.forms import MemberForm
from dangjian.members.models import Member
from dangjian.members.roster_export import template_bytes
from dangjian.members.roster_import import (
    SPEC,
    BranchIndex,
    ImportError_,
    StalePreview,
    apply_plan,
    error_workbook,
    plan_import,
    read_rows,
)
from dangjian.members.roster_plan import check_basis


def _addr(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


# --- list -------------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def member_list(request):
    f, qs = selectors.filtered_roster(request.user, request.GET)
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/list.html",
        {
            "filter": f,
            "page": page,
            "sort": request.GET.get("sort") or "name",
            "sort_labels": selectors.SORT_LABELS,
            "can_write": can_write(request.user),
            "can_export_ids": request.user.role in ID_REVEAL_ROLES,
        },
    )


@scoped(roles=STAFF_ROLES)
def export(request):
    full = request.GET.get("full") == "1"
    if full and request.user.role not in ID_REVEAL_ROLES:
        raise PermissionDenied("您的角色无权导出完整的公民身份号码")
    if full and request.method != "POST":
        # A full-ID export is a POST with a stated purpose (a link from elsewhere cannot start one).
        return render(request, "members/export_confirm.html", {"query": request.GET.urlencode(), "error": ""})
    from dangjian.core import exports

    f, qs = selectors.filtered_roster(request.user, request.GET)
    total = qs.count()
    if full:
        try:
            services.log_id_export(
                request.user, count=total, purpose=request.POST.get("purpose", ""), remote_addr=_addr(request)
            )
        except ValidationError as e:
            error = "；".join(e.message_dict.get("purpose", e.messages))
            ctx = {"query": request.GET.urlencode(), "error": error}
            return render(request, "members/export_confirm.html", ctx, status=400)
    name = "党员名册（含完整身份证号）.xlsx" if full else "党员名册.xlsx"
    return exports.respond(request, "roster", total=total, filename=name, org=scope_root(request.user))


# --- one member -------------------------------------------------------------------------


def _history(member: Member) -> list[dict]:
    """The member's 修改记录, in words (core.audit.change_rows: labels, names, 是/否, 空)."""
    return [{"entry": entry, "items": change_rows(entry)} for entry in history_for(member)]


def _detail_context(request, member: Member) -> dict:
    user = request.user
    own = user.member_id == member.pk
    return {
        "m": member,
        "events": selectors.events_for(user, member),
        "history": _history(member),
        "can_write": can_write(user),
        "can_reveal_id": own or user.role in ID_REVEAL_ROLES,
        "can_reveal_phone": own or user.role in PHONE_REVEAL_ROLES,
        "age": _age(member),
        "large_print_on": get_user_model().objects.filter(member=member, large_print=True).exists(),
    }


def _age(member: Member) -> int:

    from dangjian.rules.membership import age_on

    return age_on(member.birth_date, clock.today())


@scoped(member=Member)
def detail(request, member):
    return render(request, "members/detail.html", _detail_context(request, member))


@scoped()
def me(request):
    if not request.user.member_id:
        raise Http404("您的账号没有对应的党员档案")
    member = Member.objects.select_related("branch", "group").get(pk=request.user.member_id)
    ctx = _detail_context(request, member) | {"is_me": True}
    return render(request, "members/detail.html", ctx)


@scoped(member=Member, roles=ALL_ROLES)
@require_POST
def reveal(request, member):
    field = request.POST.get("field")
    try:
        if field == "id_number":
            value = services.reveal_id_number(request.user, member, _addr(request))
        elif field == "phone":
            value = services.reveal_phone(request.user, member, _addr(request))
        else:
            raise Http404("未知字段")
    except PermissionDenied as exc:
        if request.htmx:
            return render(request, "members/_reveal.html", {"error": str(exc)}, status=403)
        raise
    ctx = {"value": value or "（未填）", "field": field, "m": member}
    if request.htmx:
        return render(request, "members/_reveal.html", ctx)
    return render(request, "members/reveal.html", ctx)


def _save(request, form: MemberForm, member: Member | None):
    kwargs = form.service_kwargs()
    try:
        if member is None:
            return services.create_member(user=request.user, **kwargs)
        return services.update_member(
            user=request.user, member=member, expected_version=form.cleaned_data.get("version"), **kwargs
        )
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    except EditConflict as exc:
        form.add_error(None, exc.message)
    return None


@scoped(member=Member, write=True, roles=WRITER_ROLES)
@require_http_methods(["GET", "POST"])
def edit(request, member):
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, member)
        if saved:
            messages.success(request, f"已保存 {saved.name} 的档案。")
            return redirect("members:detail", member=saved.pk)
    return render(request, "members/form.html", {"form": form, "m": member})


@scoped(roles=WRITER_ROLES, write=True)
@require_http_methods(["GET", "POST"])
def add(request):
    form = MemberForm(request.POST or None, user=request.user)
    if request.method == "GET" and form.fields["branch"].queryset.count() == 1:
        form.initial["branch"] = form.fields["branch"].queryset.first().pk
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, None)
        if saved:
            messages.success(request, f"已登记 {saved.name}。")
            return redirect("members:detail", member=saved.pk)
    return render(request, "members/form.html", {"form": form, "m": None})


# --- import -----------------------------------------------------------------------------

SESSION_KEY = "members_import"


def _stored(request) -> tuple[dict, Table] | None:
    """The preview kept at upload (encrypted; the file itself was deleted once read)."""
    info, table, _basis = _stored_state(request) or (None, None, None)
    return (info, table) if info is not None else None


def _stored_state(request) -> tuple[dict, Table, dict] | None:
    """The kept preview with its basis: what the members it matched were at the preview."""
    info = request.session.get(SESSION_KEY)
    if not info:
        return None
    state = load_preview(info.get("token"))
    if state is None:
        return None
    return info, Table.from_state(state["table"], SPEC), state.get("basis") or {}


def _plan(request, table: Table, branch_id):
    index = BranchIndex.for_user(request.user)
    default_branch = index.by_pk.get(int(branch_id)) if branch_id else None
    return plan_import(table, branches=index, default_branch=default_branch)


@scoped(roles=WRITER_ROLES, write=True)
@require_http_methods(["GET", "POST"])
def import_roster(request):
    branches = orgs_in_scope(request.user, branches_only=True)
    ctx: dict = {"branches": branches}
    if request.method == "GET":
        return render(request, "members/import.html", ctx)
    action = request.POST.get("action", "upload")
    if action == "upload":
        upload = request.FILES.get("file")
        if upload is None:
            ctx["error"] = "请选择要导入的表格文件"
            return render(request, "members/import.html", ctx, status=400)
        if upload.size > settings.UPLOAD_MAX_BYTES:
            ctx["error"] = f"文件太大（上限 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
            return render(request, "members/import.html", ctx, status=400)
        try:
            table = read_rows(upload.read(), upload.name)  # bounded, in a child process; nothing kept on disk
        except ImportError_ as exc:
            ctx["error"] = exc.message
            return render(request, "members/import.html", ctx, status=400)
        branch_id = request.POST.get("branch") or ""
        if branch_id and not branches.filter(pk=branch_id if branch_id.isdigit() else 0).exists():
            branch_id = ""
        old = request.session.get(SESSION_KEY) or {}
        drop_preview(old.get("token"))
        request.session.pop(SESSION_KEY, None)
        try:
            plan = _plan(request, table, branch_id)
        except ImportError_ as exc:
            ctx["error"] = exc.message
            return render(request, "members/import.html", ctx, status=400)
        # Kept with the plan's basis: 确认导入 refuses when a matched member changed since.
        token = keep_preview({"table": table.to_state(), "basis": plan.basis})
        info = request.session[SESSION_KEY] = {"token": token, "name": upload.name[:200], "branch": branch_id}
        ctx |= {"plan": plan, "file_name": info["name"]}
        return render(request, "members/import.html", ctx, status=200 if plan.ok else 422)
    stored = _stored_state(request)
    if stored is None:
        ctx["error"] = "上传的文件已过期（超过1小时未确认），请重新上传"
        return render(request, "members/import.html", ctx, status=400)
    info, table, basis = stored
    try:
        plan = _plan(request, table, info.get("branch"))
        if action == "confirm":
            check_basis(plan, basis)
    except ImportError_ as exc:
        ctx["error"] = exc.message
        return render(request, "members/import.html", ctx, status=400)
    except StalePreview as exc:
        drop_preview(info["token"])
        request.session.pop(SESSION_KEY, None)
        ctx["error"] = exc.message
        return render(request, "members/import.html", ctx, status=409)
    ctx |= {"plan": plan, "file_name": info["name"]}
    if action == "confirm" and plan.ok and len(table.rows) > jobs.background_rows():
        # A large file is written by the task worker (members.jobs); the page shows its progress.
        from urllib.parse import urlencode

        params = urlencode({"token": info["token"], "branch": info.get("branch") or "", "addr": _addr(request) or ""})
        job = jobs.start(request, "roster_import", total=2, params=params, org=scope_root(request.user))
        request.session.pop(SESSION_KEY, None)
        return redirect("core:job", job=str(job.pk))
    if action == "confirm" and plan.ok:
        try:
            result = apply_plan(plan, user=request.user, remote_addr=_addr(request), basis=basis)
        except StalePreview as exc:  # changed between the check above and the write
            drop_preview(info["token"])
            request.session.pop(SESSION_KEY, None)
            ctx = {"branches": branches, "error": exc.message}
            return render(request, "members/import.html", ctx, status=409)
        drop_preview(info["token"])
        request.session.pop(SESSION_KEY, None)
        messages.success(
            request,
            f"导入完成：新增 {result.created} 人，更新 {result.updated} 人，无变化 {result.unchanged} 人。",
        )
        return redirect("members:list")
    return render(request, "members/import.html", ctx, status=200 if plan.ok else 422)


@scoped(roles=WRITER_ROLES, write=True)
def import_errors(request):
    """The marked copy, built from the kept preview: the upload is never parsed again."""
    stored = _stored(request)
    if stored is None:
        raise Http404("没有待处理的导入文件")
    info, table = stored
    try:
        plan = _plan(request, table, info.get("branch"))
    except ImportError_ as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_response(error_workbook(plan), f"导入错误标记_{Path(info['name']).stem}.xlsx")


@scoped(roles=WRITER_ROLES)
def import_template(request):
    return xlsx_response(template_bytes(), "党员名册导入模板.xlsx")

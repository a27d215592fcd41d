"""Browser imports of the organization tree and the units (issue 15), in two steps like the
roster and meetings imports: upload → every row checked and a preview of what each row will do
(新建/更新/无变化 with 行号; refusals with 行号/列/原因) → 确认导入 writes all or nothing.
Nothing is written before the confirmation; the parsed file is kept encrypted between the two
steps (core.spreadsheet.keep_preview), the upload itself is not stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY
from dangjian.accounts.scope import get_in_scope
from dangjian.core import clock
from dangjian.core.spreadsheet import drop_preview, keep_preview, load_preview
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs import importer
from dangjian.orgs.models import Organization

EXPIRED = "上传的文件已过期（超过1小时未确认），请重新上传"


@dataclass
class TwoStep:
    """One import's parts for the shared upload → preview → confirm flow."""

    what: str  # "orgs" / "units"
    columns: dict
    plan: Any  # (request, rows, options, today) -> plan
    apply: Any  # (request, plan, today) -> the success message
    done_url: str
    noun: str
    per: str = "个"

    @property
    def session_key(self) -> str:
        return f"orgs_import_{self.what}"


def _two_step(request, step: TwoStep, ctx: dict, options: dict):
    """GET: the form. POST upload: read, keep, plan, preview. POST confirm: plan again against
    the data as it is now and write it in one transaction, or show why not."""
    template = "orgs/import.html"
    if request.method != "POST":
        return render(request, template, ctx)
    today = clock.today()
    if request.POST.get("action") == "confirm":
        info = request.session.get(step.session_key) or {}
        state = load_preview(info.get("token"))
        if state is None:
            return render(request, template, ctx | {"error": EXPIRED}, status=400)
        table = importer.table_from_state(state["table"], step.columns)
        options = state.get("options", {})
    else:
        upload = request.FILES.get("file")
        if upload is None:
            return render(request, template, ctx | {"error": "请选择要导入的表格文件"}, status=400)
        if upload.size > settings.UPLOAD_MAX_BYTES:
            error = f"文件太大（上限 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
            return render(request, template, ctx | {"error": error}, status=400)
        try:
            table = importer.read_file(upload.read(), step.columns, filename=upload.name or "")
        except importer.ImportFileError as exc:
            return render(request, template, ctx | {"error": exc.message}, status=400)
        old = request.session.pop(step.session_key, None) or {}
        drop_preview(old.get("token"))
        info = {"name": (upload.name or "")[:200]}
    plan = step.plan(request, importer.rows_of(table), options, today)
    if "token" not in info and plan.ok:  # only a file that passed is kept for 确认导入
        info["token"] = keep_preview({"table": table.to_state(), "options": options})
        request.session[step.session_key] = info
    ctx |= {
        "plan": plan,
        "file_name": info.get("name", ""),
        "notices": table.notices(),
        "summary": importer.summary(plan.lines, step.noun, step.per),
        "lines": [ln for ln in plan.lines if ln.action != importer.UNCHANGED],
        "unchanged": [ln for ln in plan.lines if ln.action == importer.UNCHANGED],
    }
    if request.POST.get("action") == "confirm" and plan.ok:
        message = step.apply(request, plan, today)
        drop_preview(info.get("token"))
        request.session.pop(step.session_key, None)
        for w in plan.warnings[:50]:
            messages.warning(request, w)
        messages.success(request, message)
        return redirect(step.done_url)
    return render(request, template, ctx, status=200 if plan.ok else 422)


def _plan_orgs(request, rows, options, today):
    return importer.plan_orgs(rows, user=request.user, today=today)


def _apply_orgs(request, plan, today) -> str:
    r = importer.apply_orgs(plan, today=today)
    return (
        f"组织架构导入完成：新建 {r.created} 个，更新 {r.updated} 个，无变化 {r.unchanged} 个党组织；"
        f"职务 {r.posts} 条，任期 {r.terms} 条，新建社区（村） {r.units} 个。"
    )


ORGS = TwoStep("orgs", importer.ORG_COLUMNS, _plan_orgs, _apply_orgs, "orgs:tree", "党组织")


@scoped(roles=ADMIN_ONLY, write=True)
def import_orgs(request):
    ctx: dict = {"what": "orgs", "title": "导入组织架构", "columns": importer.template_headers(importer.ORG_COLUMNS)}
    return _two_step(request, ORGS, ctx, {})


def _township(request, pk) -> Organization | None:
    """The township chosen (kept with the preview), checked against the user's scope again."""
    townships = importer.townships_for(request.user)
    if pk:
        township = get_in_scope(request.user, Organization, pk, write=True)
        return township if township in townships else None
    return townships[0] if len(townships) == 1 else None


def _plan_units(request, rows, options, today):
    township = _township(request, options.get("township"))
    return importer.plan_units(rows, township=township, year=options.get("year"), today=today)


def _apply_units(request, plan, today) -> str:
    r = importer.apply_units(plan)
    return (
        f"导入完成：新建社区（村） {r.communities} 个、小组 {r.groups} 个，户数人口 {r.figures} 条，"
        f"无变化 {r.unchanged} 行。"
    )


UNITS = TwoStep("units", importer.UNIT_COLUMNS, _plan_units, _apply_units, "orgs:units", "", per="行")


@scoped(roles=ADMIN_ONLY, write=True)
def import_units(request):
    ctx: dict = {
        "what": "units",
        "title": "导入社区和居民小组",
        "columns": importer.template_headers(importer.UNIT_COLUMNS),
        "townships": importer.townships_for(request.user),
        "year": clock.today().year - 1,
    }
    try:
        year = int(request.POST.get("year") or 0) or None
    except ValueError:
        year = None
    township = request.POST.get("township") or ""
    options = {"township": int(township) if township.isdigit() else None, "year": year}
    return _two_step(request, UNITS, ctx, options)


@scoped(roles=ADMIN_ONLY)
def import_template(request, what: str):
    names = {"orgs": "组织架构导入模板.xlsx", "units": "社区和居民小组导入模板.xlsx"}
    if what not in names:
        from django.http import Http404

        raise Http404("未找到")
    return xlsx_response(importer.template_bytes(what), names[what])

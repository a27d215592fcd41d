"""Browser imports of the organization tree and the units (issue 15): upload, check every row,
write all or nothing; templates to download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY
from dangjian.accounts.scope import get_in_scope
from dangjian.core import clock
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs import importer
from dangjian.orgs.models import Organization


def _upload(request, ctx) -> tuple[bytes | None, str]:
    upload = request.FILES.get("file")
    if upload is None:
        ctx["error"] = "请选择要导入的 Excel 文件"
    elif upload.size > settings.UPLOAD_MAX_BYTES:
        ctx["error"] = f"文件太大（上限 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB）"
    else:
        return upload.read(), upload.name or ""
    return None, ""


@scoped(roles=ADMIN_ONLY, write=True)
def import_orgs(request):
    ctx: dict = {"what": "orgs", "title": "导入组织架构", "columns": importer.template_headers(importer.ORG_COLUMNS)}
    if request.method == "POST":
        content, filename = _upload(request, ctx)
        if content is not None:
            today = clock.today()
            try:
                rows = importer.read_table(content, importer.ORG_COLUMNS, filename=filename)
            except importer.ImportFileError as exc:
                ctx["error"] = exc.message
            else:
                plan = importer.plan_orgs(rows, user=request.user, today=today)
                ctx["plan"] = plan
                if plan.ok:
                    r = importer.apply_orgs(plan, today=today)
                    for w in plan.warnings[:50]:
                        messages.warning(request, w)
                    messages.success(
                        request,
                        f"组织架构导入完成：新建 {r.created} 个，更新 {r.updated} 个党组织；职务 {r.posts} 条，"
                        f"任期 {r.terms} 条，新建社区（村） {r.units} 个。",
                    )
                    return redirect("orgs:tree")
        return render(request, "orgs/import.html", ctx, status=400 if ctx.get("error") else 422)
    return render(request, "orgs/import.html", ctx)


@scoped(roles=ADMIN_ONLY, write=True)
def import_units(request):
    townships = importer.townships_for(request.user)
    ctx: dict = {
        "what": "units",
        "title": "导入社区和居民小组",
        "columns": importer.template_headers(importer.UNIT_COLUMNS),
        "townships": townships,
        "year": clock.today().year - 1,
    }
    if request.method == "POST":
        content, filename = _upload(request, ctx)
        township = None
        if request.POST.get("township"):
            township = get_in_scope(request.user, Organization, request.POST["township"], write=True)
            if township not in townships:
                township = None
        elif len(townships) == 1:
            township = townships[0]
        try:
            year = int(request.POST.get("year") or 0) or None
        except ValueError:
            year = None
        if content is not None:
            today = clock.today()
            try:
                rows = importer.read_table(content, importer.UNIT_COLUMNS, filename=filename)
            except importer.ImportFileError as exc:
                ctx["error"] = exc.message
            else:
                plan = importer.plan_units(rows, township=township, year=year, today=today)
                ctx["plan"] = plan
                if plan.ok:
                    r = importer.apply_units(plan)
                    messages.success(
                        request,
                        f"导入完成：新建社区（村） {r.communities} 个、小组 {r.groups} 个，户数人口 {r.figures} 条。",
                    )
                    return redirect("orgs:units")
        return render(request, "orgs/import.html", ctx, status=400 if ctx.get("error") else 422)
    return render(request, "orgs/import.html", ctx)


@scoped(roles=ADMIN_ONLY)
def import_template(request, what: str):
    names = {"orgs": "组织架构导入模板.xlsx", "units": "社区和居民小组导入模板.xlsx"}
    if what not in names:
        from django.http import Http404

        raise Http404("未找到")
    return xlsx_response(importer.template_bytes(what), names[what])

"""Township statistics: list with trends, the yearly form, template download and import."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES
from dangjian.accounts.scope import orgs_in_scope, scope_root, visible_to
from dangjian.core import clock
from dangjian.core.concurrency import EditConflict
from dangjian.core.spreadsheet import hold_preview, posted_preview, release_preview
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs.models import OrgType
from dangjian.stats import services
from dangjian.stats.forms import ImportForm, IndustryFormSet, YearStatsForm
from dangjian.stats.models import TownshipYearStats
from dangjian.stats.services import MAX_YEAR, MIN_YEAR


def _townships(user):
    return list(orgs_in_scope(user).filter(org_type=OrgType.COMMITTEE))


def _township(request):
    """The township chosen by ?org= among those in scope; default the user's own."""
    townships = _townships(request.user)
    wanted = request.POST.get("org") or request.GET.get("org")
    if wanted:
        for t in townships:
            if str(t.pk) == str(wanted):
                return t, townships
        raise Http404("未找到或无权查看")
    root = scope_root(request.user)
    for t in townships:
        if root and t.pk == root.pk:
            return t, townships
    return (townships[0] if townships else None), townships


def _change(cur, prev):
    if cur is None or prev is None or not prev:
        return None
    return float(cur - prev) / float(prev)


@scoped(roles=STAFF_ROLES)
def stats_list(request):
    township, townships = _township(request)
    years = []
    if township is not None:
        rows = list(
            visible_to(request.user, TownshipYearStats)
            .filter(org=township)
            .prefetch_related("industries")
            .order_by("year")
        )
        prev = None
        for s in rows:
            figures = []
            for f, label, unit in TownshipYearStats.FIGURES:
                v = getattr(s, f)
                figures.append(
                    {"label": label, "unit": unit, "value": v, "change": _change(v, getattr(prev, f) if prev else None)}
                )
            years.append({"stats": s, "figures": figures, "industries": list(s.industries.all())})
            prev = s
        years.reverse()
    return render(
        request,
        "stats/list.html",
        {
            "township": township,
            "townships": townships,
            "years": years,
            "figure_labels": TownshipYearStats.FIGURES,
            "next_year": clock.today().year - 1,
            "can_edit": request.user.role in ADMIN_ONLY,
        },
    )


@scoped(roles=ADMIN_ONLY, write=True)
def stats_edit(request, year: int):
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise Http404("年份不正确")
    township, _ = _township(request)
    if township is None:
        raise Http404("您的权限范围内没有镇（乡）党委")
    stats = visible_to(request.user, TownshipYearStats).filter(org=township, year=year).first()
    instance = stats or TownshipYearStats(org=township, year=year)
    initial = [
        {"crop": i.crop, "area_mu": i.area_mu, "revenue": i.revenue} for i in (stats.industries.all() if stats else [])
    ]
    if request.method == "POST":
        form = YearStatsForm(request.POST, instance=instance)
        formset = IndustryFormSet(request.POST, prefix="ind")
        if form.is_valid() and formset.is_valid():
            values = {k: form.cleaned_data[k] for k in form.Meta.fields}
            try:
                services.save_year_stats(
                    org=township,
                    year=year,
                    values=values,
                    industries=formset.rows(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except EditConflict as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{year}年统计数据已保存。")
                return redirect(f"{reverse('stats:list')}?org={township.pk}")
    else:
        form = YearStatsForm(instance=instance)
        formset = IndustryFormSet(initial=initial, prefix="ind")
    return render(
        request,
        "stats/edit.html",
        {"form": form, "formset": formset, "year": year, "township": township, "stats": stats},
    )


@scoped(roles=STAFF_ROLES)
def stats_template(request):
    township, _ = _township(request)
    if township is None:
        raise Http404("您的权限范围内没有镇（乡）党委")
    content = services.template_bytes(org=township, user=request.user)
    return xlsx_response(content, f"{township.name}年度统计导入模板.xlsx")


IMPORT_SESSION_KEY = "stats_import"


@scoped(roles=ADMIN_ONLY, write=True)
def stats_import(request):
    """Upload → a checked preview (nothing written; the checked years kept encrypted, the upload
    itself not stored) → 确认导入 writes exactly those years, or refuses a stale preview."""
    township, townships = _township(request)
    if township is None:
        raise Http404("您的权限范围内没有镇（乡）党委")
    action = request.POST.get("action", "upload") if request.method == "POST" else ""
    ctx = {"township": township, "townships": townships}
    if action in ("confirm", "cancel"):
        return _import_confirm(request, township, action, ctx)
    form = ImportForm(request.POST or None, request.FILES or None)
    ctx["form"] = form
    if request.method != "POST" or not form.is_valid():
        return render(request, "stats/import.html", ctx, status=200 if request.method != "POST" else 400)
    upload = form.cleaned_data["file"]
    from django.conf import settings

    if upload.size > settings.UPLOAD_MAX_BYTES:
        form.add_error("file", f"文件太大（上限 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB）")
        return render(request, "stats/import.html", ctx, status=400)
    result = services.plan_workbook(org=township, content=upload.read(), filename=upload.name)
    ctx["result"] = result
    if not result.ok:
        return render(request, "stats/import.html", ctx, status=422)
    token = hold_preview(request.session, IMPORT_SESSION_KEY, result.to_state(), upload.name)
    return render(request, "stats/import.html", ctx | {"token": token, "file_name": upload.name[:200]})


def _import_confirm(request, township, action: str, ctx: dict):
    posted = posted_preview(request.session, IMPORT_SESSION_KEY, request.POST.get("token", ""))
    token, state = posted.token, posted.state
    if action == "cancel":
        release_preview(request.session, IMPORT_SESSION_KEY)
        messages.info(request, "已取消，未导入任何数据。")
        return redirect(f"{reverse('stats:import')}?org={township.pk}")
    form = ImportForm()
    if state is None:
        return render(request, "stats/import.html", ctx | {"form": form, "refused": posted.refused}, status=400)
    try:
        result = services.apply_state(org=township, state=state)
    except services.StalePreview as exc:
        release_preview(request.session, IMPORT_SESSION_KEY, token)
        return render(request, "stats/import.html", ctx | {"form": form, "refused": exc.message}, status=409)
    release_preview(request.session, IMPORT_SESSION_KEY, token)
    messages.success(
        request,
        f"已导入{len(result.years)}个年度（{'、'.join(str(y) for y in result.years)}），特色产业{result.industries}行。",
    )
    return redirect(f"{reverse('stats:list')}?org={township.pk}")

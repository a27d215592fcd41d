"""支部评星: the yearly ratings, one branch's scores and the administrator's rating template."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, Role
from dangjian.accounts.scope import can_write, orgs_in_scope, scope_root
from dangjian.core import clock
from dangjian.core.concurrency import EditConflict
from dangjian.core.uploads import serve_upload
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.orgs.models import Organization
from dangjian.reviews import selectors, services
from dangjian.reviews.forms import CriterionForm, ManualScoreForm, int_or_none, save_document, year_param
from dangjian.reviews.models import BranchRating, Indicator, ManualScore
from dangjian.reviews.views.common import form_error
from dangjian.rules.errors import RuleError

# --- 支部评星 ------------------------------------------------------------------------------


def _default_rating_year() -> int:
    latest = BranchRating.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or clock.today().year


@scoped(roles=STAFF_ROLES)
def ratings(request):
    year = year_param(request, _default_rating_year())
    root = scope_root(request.user)
    if root is None:
        raise Http404("没有权限范围")
    template = selectors.active_template(root)
    branches = list(orgs_in_scope(request.user, branches_only=True))
    rows = selectors.rating_rows(root, year, template, branches)
    if request.GET.get("format") == "xlsx":
        crit = list(template.criteria.all()) if template else []
        data = []
        for i, r in enumerate(rows, start=1):
            data.append(
                [
                    i,
                    r["branch"].name,
                    *[_fmt_pct(r["indicators"].get(code)) for code in Indicator.values],
                    *[_fmt_score(c["score"]) for c in r["criteria"]],
                    _fmt_score(r["total"]),
                    f"{r['stars'].stars}星" if r["stars"] else "待评",
                    "是" if r["rating"] and r["rating"].is_model else "",
                ]
            )
        content = ledger_bytes(
            title="支部评星结果",
            headers=["序号", "党支部", *Indicator.labels, *[c.name for c in crit], "总分", "星级", "示范点"],
            rows=data,
            org=str(root),
            period=f"{year}年度",
            user=request.user,
        )
        return xlsx_response(content, f"{year}年支部评星结果.xlsx")
    return render(
        request,
        "reviews/ratings.html",
        {
            "year": year,
            "rows": rows,
            "template": template,
            "indicator_labels": Indicator.labels,
            "indicator_codes": Indicator.values,
            "is_admin": request.user.role == Role.ADMIN,
        },
    )


def _fmt_pct(v):
    return selectors.NO_DATA if v is None else f"{v * 100:.1f}%"


def _fmt_score(v):
    return "待评" if v is None else round(v, 1)


@scoped(roles=STAFF_ROLES, branch=Organization)
def rating_detail(request, branch: Organization):
    year = year_param(request, _default_rating_year())
    if not branch.is_branch:
        raise Http404("不是党支部")
    template = selectors.active_template(branch)
    if request.method == "POST":
        if request.user.role != Role.ADMIN or not can_write(request.user):
            raise PermissionDenied("支部评星由镇（区）党委评定")
        try:
            if template is None:  # the first rating creates the default template (a POST, never a GET)
                services.default_template(org=scope_root(request.user), user=request.user)
                template = selectors.active_template(branch)
            rating = services.get_or_create_rating(user=request.user, branch=branch, year=year, template=template)
            if request.POST.get("action") == "model":
                services.set_model_branch(
                    user=request.user,
                    rating=rating,
                    is_model=request.POST.get("is_model") == "1",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, "已保存示范点标记")
            else:
                form = ManualScoreForm(request.POST, request.FILES)
                if not form.is_valid():
                    form_error(request, form)
                else:
                    d = form.cleaned_data
                    criterion = template.criteria.filter(pk=d["criterion"]).first()
                    if criterion is None:
                        raise RuleError("评星标准不存在")
                    path, _name = save_document(d["document"], "ratings")
                    services.set_manual_score(
                        user=request.user,
                        rating=rating,
                        criterion=criterion,
                        score=d["score"],
                        evidence=d["evidence"],
                        document=path,
                    )
                    messages.success(request, f"已保存“{criterion.name}”的评分")
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        except RuleError as e:
            messages.error(request, e.message)
        return redirect(f"{reverse('reviews:rating', kwargs={'branch': branch.pk})}?year={year}")
    row = selectors.rating_rows(branch, year, template, [branch])[0]
    return render(
        request,
        "reviews/rating.html",
        {
            "branch": branch,
            "year": year,
            "row": row,
            "template": template,
            "is_admin": request.user.role == Role.ADMIN and can_write(request.user),
            "indicator_labels": dict(Indicator.choices),
        },
    )


@scoped(roles=STAFF_ROLES, score=ManualScore)
def score_document(request, score: ManualScore):
    if not score.document:
        raise Http404("没有佐证材料")
    return serve_upload(request, score.document)


@scoped(roles=ADMIN_ONLY)
def rating_template(request):
    root = scope_root(request.user)
    if request.method == "POST":
        try:
            saved = selectors.own_template(root)
            template = saved or services.default_template(org=root, user=request.user)
            if request.POST.get("action") == "level":
                services.save_level(
                    user=request.user,
                    template=template,
                    stars=int(request.POST.get("stars", 0)),
                    min_score=int(request.POST.get("min_score", -1)),
                    label=request.POST.get("label", ""),
                )
                messages.success(request, "已保存星级分数线")
            else:
                form = CriterionForm(request.POST)
                if not form.is_valid():
                    form_error(request, form)
                else:
                    d = form.cleaned_data
                    cid = int_or_none(request.POST.get("criterion"))
                    criterion = template.criteria.filter(pk=cid).first() if cid else None
                    if cid and criterion is None:
                        raise RuleError("评星标准不存在")
                    if saved is None and not cid and request.POST.get("default") == "1":
                        # a default criterion shown before the template existed
                        criterion = template.criteria.filter(order=d["order"] or 0).first()
                    services.save_criterion(
                        user=request.user,
                        template=template,
                        criterion=criterion,
                        name=d["name"],
                        weight=d["weight"],
                        indicators=request.POST.getlist("indicators"),
                        manual=d["manual"],
                        description=d["description"],
                        order=d["order"] or 0,
                        expected_version=criterion.version
                        if saved is None and criterion is not None
                        else int_or_none(request.POST.get("version")),
                    )
                    messages.success(request, "已保存评星标准")
        except ValueError:
            messages.error(request, "请填写有效的数字")
        except (RuleError, EditConflict) as e:
            messages.error(request, e.message)
        return redirect("reviews:rating_template")
    template, criteria, levels = selectors.template_preview(root)
    return render(
        request,
        "reviews/template.html",
        {
            "t": template,
            "unsaved": template.pk is None,
            "criteria": criteria,
            "levels": levels,
            "indicators": Indicator.choices,
            "total_weight": sum(c.weight for c in criteria),
        },
    )

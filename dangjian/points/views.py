"""Views for 党员量化积分: parse input, call a service or selector, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import get_in_scope, orgs_in_scope, scope_root, visible_to
from dangjian.core import clock, params
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization
from dangjian.points import selectors, services
from dangjian.points.models import ManualPoint

MEMBER_ONLY = frozenset({Role.MEMBER})
# Rankings, when a township turns them on, are for branch and township leaders only.
LEADERS = frozenset({Role.ADMIN, Role.SECRETARY})


def _int(value, default=None):
    """A number from the query string (core.params: one policy; a value no key can hold → default)."""
    return params.integer({"v": value}, "v", default=default, lo=-params.MAX_ID, hi=params.MAX_ID)


def _year(request, source=None) -> int:
    return params.year(source or request.GET)


def _root(request, source=None):
    bid = params.branch(source or request.GET)
    if bid:
        return get_in_scope(request.user, Organization, bid)
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有关联党组织")
    return root


@scoped(roles=STAFF_ROLES)
def points_list(request):
    root = _root(request)
    year = _year(request)
    summary = selectors.points_summary(root, year)
    rows = selectors.branch_totals(root, year) if root.org_type in BRANCH_TYPES else None
    pending = selectors.pending_for(
        visible_to(request.user, ManualPoint).filter(member__branch__path__startswith=root.path)
    )
    return render(
        request,
        "points/list.html",
        {
            "root": root,
            "year": year,
            "years": range(2023, clock.today().year + 1),
            "branches": list(orgs_in_scope(request.user, branches_only=True)),
            "summary": summary,
            "rows": rows,
            "pending": pending[:100],
            "can_write": request.user.role in WRITER_ROLES,
            "can_confirm": request.user.role in LEADERS and root.org_type in BRANCH_TYPES,
            "ranking": selectors.ranking_enabled(root, year) and request.user.role in LEADERS,
        },
    )


def _member_context(member, year):
    lines = selectors.member_points(member, year)
    return {"member": member, "year": year, "lines": lines, "total": sum(p for _, _, p, _ in lines)}


@scoped(roles=STAFF_ROLES, member=Member)
def member_detail(request, member):
    year = _year(request)
    _, items = selectors.ruleset_for(member.branch, year)
    return render(
        request,
        "points/member.html",
        {
            **_member_context(member, year),
            "manual_items": selectors.manual_items(items),
            "proposals": ManualPoint.objects.filter(member=member, year=year).select_related(
                "proposed_by", "decided_by"
            ),
            "can_write": request.user.role in WRITER_ROLES,
            "today": clock.today(),
        },
    )


@scoped(roles=MEMBER_ONLY)
def mine(request):
    member = request.user.member
    if member is None:
        raise Http404("账号未关联党员")
    return render(request, "points/mine.html", _member_context(member, _year(request)))


@scoped(roles=WRITER_ROLES, write=True, member=Member)
@require_POST
def propose(request, member):
    P = request.POST
    year = _year(request, P)
    try:
        on = date.fromisoformat(P.get("date", ""))
    except ValueError:
        on = None
    try:
        services.propose(
            member=member,
            year=year,
            code=P.get("code", ""),
            on=on,
            description=P.get("description", ""),
            evidence=P.get("evidence", ""),
            user=request.user,
        )
        messages.success(request, "已登记，待另一名支委或上级审核后生效。")
    except services.PointsError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("points:member", args=[member.pk]) + f"?year={year}")


@scoped(roles=WRITER_ROLES, write=True, manual_point=ManualPoint)
@require_POST
def decide(request, manual_point):
    try:
        services.decide(
            item=manual_point,
            user=request.user,
            approve=request.POST.get("approve") == "1",
            note=request.POST.get("note", ""),
        )
        messages.success(request, "已审核。")
    except services.PointsError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("points:list") + f"?branch={manual_point.member.branch_id}&year={manual_point.year}")


@scoped(roles=LEADERS, write=True)
@require_POST
def confirm(request):
    branch = _root(request, request.POST)
    if branch.org_type not in BRANCH_TYPES:
        raise Http404("请选择党支部")
    get_in_scope(request.user, Organization, branch.pk, write=True)
    year = _year(request, request.POST)
    services.confirm_year(branch=branch, year=year, user=request.user)
    messages.success(request, f"{branch}{year}年积分已确认。")
    return redirect(reverse("points:list") + f"?branch={branch.pk}&year={year}")


@scoped(roles=ADMIN_ONLY)
def rules(request):
    root = scope_root(request.user)
    year = _year(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.org_id:
            raise Http404("账号没有关联党组织")
        P = request.POST
        rows = []
        for i in range(_int(P.get("count"), 0) or 0):
            if not P.get(f"code_{i}") and not P.get(f"label_{i}"):
                continue
            rows.append(
                services.RuleRow(
                    code=P.get(f"code_{i}", "").strip()[:30],
                    label=P.get(f"label_{i}", "").strip()[:40],
                    points=_int(P.get(f"points_{i}"), 0),
                    cap_per_year=_int(P.get(f"cap_{i}")),
                    source=P.get(f"source_{i}", "manual"),
                    per=max(1, _int(P.get(f"per_{i}"), 1)),
                    basis=P.get(f"basis_{i}", "").strip()[:100],
                    is_base=P.get(f"code_{i}") == "base",
                )
            )
        try:
            services.save_ruleset(
                org=root, year=year, rows=rows, ranking_enabled=P.get("ranking") == "1", user=request.user
            )
            messages.success(request, f"{year}年积分规则已保存。")
            return redirect(reverse("points:rules") + f"?year={year}")
        except services.PointsError as exc:
            messages.error(request, exc.message)
    rs, items = selectors.ruleset_for(root, year)
    return render(
        request,
        "points/rules.html",
        {
            "root": root,
            "year": year,
            "items": items,
            "ruleset": rs,
            "blank": range(len(items), len(items) + 2),
            "ranking": selectors.ranking_enabled(root, year),
            "count": len(items) + 2,
        },
    )


@scoped(roles=LEADERS)
def ranking(request):
    root = _root(request)
    year = _year(request)
    if not selectors.ranking_enabled(root, year):
        raise Http404("本年度未启用积分排名")
    totals = selectors.points_summary(root, year).member_totals
    names = dict(visible_to(request.user, Member).filter(pk__in=list(totals)).values_list("pk", "name"))
    rows = sorted(((names[m], t) for m, t in totals.items() if m in names), key=lambda r: -r[1])
    return render(request, "points/ranking.html", {"root": root, "year": year, "rows": rows})

"""Views for 学习: parse input, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import get_in_scope, orgs_in_scope, scope_root, visible_to
from dangjian.core import clock, params
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.members.models import Member
from dangjian.study import plan_selectors, selectors, services
from dangjian.study.models import PlanItem, StudyActivity, StudyKind

MEMBER_ONLY = frozenset({Role.MEMBER})


def _int(value, default=None):
    """A number from the query string (core.params: one policy; a value no key can hold → default)."""
    return params.integer({"v": value}, "v", default=default, lo=-params.MAX_ID, hi=params.MAX_ID)


def _year(request) -> int:
    return params.year(request.GET)


def _root(request, source=None):
    src = source or request.GET
    bid = params.branch(src) or params.pk(src, "org", label="党组织编号")
    if bid:
        from dangjian.orgs.models import Organization

        return get_in_scope(request.user, Organization, bid)
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有关联党组织")
    return root


def _prefill(data, plan_item) -> dict:
    """GET values, with the plan item's topic, form and hours when recording from a plan item."""
    out = {k: data.get(k) for k in ("kind", "date", "hours", "topic")}
    if plan_item is not None:
        out["kind"] = out["kind"] or plan_item.kind
        out["hours"] = out["hours"] or plan_item.hours
        out["topic"] = out["topic"] or plan_item.topic
    return out


@scoped(roles=STAFF_ROLES)
def study_list(request):
    root = _root(request)
    year = _year(request)
    qs = visible_to(request.user, StudyActivity).filter(org__path__startswith=root.path)
    if request.GET.get("export") == "xlsx":  # 党员学时台账: the same members and hours as the page
        return xlsx_response(
            ledger_bytes(
                title="党员学习学时台账",
                headers=selectors.HOURS_LEDGER_HEADERS,
                rows=selectors.hours_ledger_rows(selectors.branch_member_hours(root, year)),
                org=root.name,
                period=f"{year}年",
                user=request.user,
            ),
            f"{root.short_name or root.name}{year}年党员学习学时台账.xlsx",
        )
    return render(
        request,
        "study/list.html",
        {
            "root": root,
            "year": year,
            "years": range(2023, clock.today().year + 1),
            "branches": list(orgs_in_scope(request.user, branches_only=True)),
            "summary": selectors.study_summary(root, year),
            "activities": selectors.activities_for(qs, year)[:200],
            "lectures": selectors.lecture_meetings_for(root, year)[:100],
            "member_rows": selectors.branch_member_hours(root, year) if root.is_branch else None,
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def study_add(request):
    from dangjian.meetings.selectors import present_member_ids, visible_meeting

    data = request.POST if request.method == "POST" else request.GET
    org = _root(request, data)
    get_in_scope(request.user, type(org), org.pk, write=True)
    meeting = None
    if _int(data.get("meeting")):
        meeting = visible_meeting(request.user, _int(data.get("meeting")))
        if meeting is None:
            raise Http404("会议不存在或不在您的权限范围内")
    plan_item = None
    if _int(data.get("plan_item")):
        plan_item = get_in_scope(request.user, PlanItem, data.get("plan_item"))
    members = list(
        Member.objects.filter(branch__path__startswith=org.path, is_current=True).order_by("branch_id", "name_pinyin")
    )
    if request.method == "POST":
        try:
            hours = Decimal(str(data.get("hours", "")).strip())
        except InvalidOperation:
            hours = None
        try:
            on = date.fromisoformat(data.get("date", ""))
        except ValueError:
            on = None
        try:
            a = services.add_activity(
                org=org,
                kind=data.get("kind", ""),
                on=on,
                hours=hours,
                topic=data.get("topic", ""),
                member_ids=[i for i in (_int(x) for x in data.getlist("members")) if i],
                meeting=meeting,
                plan_item=plan_item,
                user=request.user,
            )
            messages.success(request, f"已记录：{a.topic}，{a.records.count()} 名党员各计 {a.hours} 学时。")
            return redirect(reverse("study:list") + f"?branch={org.pk}&year={a.date.year}")
        except services.StudyError as exc:
            messages.error(request, exc.message)
        ticked = {i for i in (_int(x) for x in data.getlist("members")) if i}
    elif meeting is not None:
        ticked = present_member_ids(meeting)
    else:
        ticked = {m.pk for m in members}
    return render(
        request,
        "study/add.html",
        {
            "org": org,
            "orgs": list(orgs_in_scope(request.user)),
            "members": members,
            "ticked": ticked,
            "kinds": StudyKind.choices,
            "meeting": meeting,
            "plan_item": plan_item,
            "data": _prefill(data, plan_item) if request.method != "POST" else data,
            "today": clock.today(),
        },
    )


@scoped(roles=MEMBER_ONLY)
def mine(request):
    member = request.user.member
    if member is None:
        raise Http404("账号未关联党员")
    year = _year(request)
    today = clock.today()
    study = selectors.member_study(member, year)
    # member_study: "total" is 集中学习培训 only (counted toward the yearly 学时), 自学 apart.
    return render(
        request,
        "study/mine.html",
        {
            "member": member,
            **study,
            "self_hours": study["self_study"],
            "central_hours": study["total"],
            "all_hours": study["total"] + study["self_study"],
            "month_items": plan_selectors.month_items(member.branch, today) if year == today.year else [],
        },
    )

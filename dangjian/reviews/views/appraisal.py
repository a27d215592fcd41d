"""民主评议党员: the appraisal list, its tabs (学习教育 → 个人自评 → 互评测评 → 组织评定 →
评议结果), the ledger and the 表彰 list. Views parse input, call a service or selector and
render; every rule lives in services/rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import can_write, scope_root, visible_to
from dangjian.core import clock
from dangjian.core.concurrency import EditConflict
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.members.models import MemberKind
from dangjian.orgs.models import Organization
from dangjian.reviews import selectors, services
from dangjian.reviews.forms import SelfForm, StudyForm, int_or_none, year_param
from dangjian.reviews.models import Appraisal, AppraisalEntry, Disposal
from dangjian.reviews.views.common import form_error
from dangjian.rules.appraisal import GRADES
from dangjian.rules.errors import RuleError

TABS = [
    ("study", "学习教育"),
    ("self", "个人自评"),
    ("voting", "互评测评"),
    ("decision", "组织评定"),
    ("results", "评议结果"),
]


def _default_year() -> int:
    latest = Appraisal.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or clock.today().year


# --- 民主评议 -----------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def appraisal_list(request):
    year = year_param(request, _default_year())
    rows = selectors.appraisal_rows(request.user, year)
    root = scope_root(request.user)
    summary = selectors.appraisal_summary(root, year) if root else None
    return render(
        request,
        "reviews/list.html",
        {"year": year, "rows": rows, "summary": summary, "grades": GRADES, "can_write": can_write(request.user)},
    )


@scoped(roles=WRITER_ROLES, write=True)
@require_POST
def appraisal_open(request):
    branch = visible_to(request.user, Organization).filter(pk=int_or_none(request.POST.get("branch"))).first()
    year = int_or_none(request.POST.get("year")) or clock.today().year
    if branch is None:
        raise Http404("未找到党支部")
    try:
        appraisal = services.open_appraisal(user=request.user, branch=branch, year=year)
    except RuleError as e:
        messages.error(request, e.message)
        return redirect(f"{reverse('reviews:list')}?year={year}")
    messages.success(request, f"已开启{branch}{year}年度民主评议党员")
    return redirect("reviews:appraisal", appraisal=appraisal.pk)


@scoped(roles=STAFF_ROLES, appraisal=Appraisal)
def appraisal_detail(request, appraisal: Appraisal):
    tab = (
        request.GET.get("tab")
        or {
            "study": "study",
            "self": "self",
            "voting": "voting",
            "decision": "decision",
            "done": "results",
        }[appraisal.step]
    )
    if tab not in dict(TABS):
        tab = "study"
    entries = list(appraisal.entries.select_related("member", "decided_meeting").order_by("member__name_pinyin"))
    tallies = selectors.tallies(appraisal)
    refs = selectors.member_references(appraisal.branch, appraisal.year) if tab in ("decision", "results") else {}
    rows = []
    for e in entries:
        t = tallies.get(e.pk)
        cells = [
            {
                "grade": g,
                "i": i,
                "online": t["online"][g] if t else 0,
                "paper": t["paper"][g] if t else 0,
                "total": t["total"][g] if t else 0,
            }
            for i, g in enumerate(GRADES)
        ]
        rows.append(
            {
                "entry": e,
                "cells": cells,
                "votes": sum(c["total"] for c in cells),
                "refs": refs.get(e.member_id) if refs else None,
            }
        )
    n_full = sum(1 for e in entries if e.member_kind == MemberKind.FULL)
    n_voted = appraisal.voter_flags.count()
    writable = can_write(request.user)
    ctx = {
        "a": appraisal,
        "tab": tab,
        "tabs": TABS,
        "rows": rows,
        "grades": GRADES,
        "n_full": n_full,
        "n_voted": n_voted,
        "can_write": writable and appraisal.step != Appraisal.Step.DONE,
        "warning": services.excellent_warning(appraisal),
        "grade_counts": {g: sum(1 for e in entries if e.grade == g) for g in GRADES},
        "disposals": Disposal.objects.filter(entry__appraisal=appraisal).select_related("entry__member"),
        "writer": writable,
    }
    if tab == "study":
        ctx["meetings"] = selectors.study_meetings(appraisal)[:50]
    if tab == "decision":
        ctx["deciding"] = selectors.deciding_meetings(appraisal)[:50]
    return render(request, "reviews/appraisal.html", ctx)


def _back(appraisal, tab):
    return redirect(f"{reverse('reviews:appraisal', kwargs={'appraisal': appraisal.pk})}?tab={tab}")


@scoped(roles=WRITER_ROLES, write=True, appraisal=Appraisal)
@require_POST
def appraisal_study(request, appraisal: Appraisal):
    form = StudyForm(request.POST)
    if not form.is_valid():
        form_error(request, form)
        return _back(appraisal, "study")
    meeting = None
    if form.cleaned_data["meeting"]:
        meeting = selectors.study_meetings(appraisal).filter(pk=form.cleaned_data["meeting"]).first()
        if meeting is None:
            messages.error(request, "所选会议不是本支部本年度的会议")
            return _back(appraisal, "study")
    try:
        services.record_study(
            user=request.user,
            appraisal=appraisal,
            meeting=meeting,
            note=form.cleaned_data["note"],
            on=form.cleaned_data["on"],
            expected_version=form.cleaned_data["version"],
        )
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
        return _back(appraisal, "study")
    messages.success(request, "已登记学习教育")
    return _back(appraisal, "self")


@scoped(roles=WRITER_ROLES, write=True, entry=AppraisalEntry)
@require_POST
def entry_self(request, entry: AppraisalEntry):
    form = SelfForm(request.POST)
    if not form.is_valid():
        form_error(request, form)
    else:
        try:
            services.record_self_assessment(user=request.user, entry=entry, text=form.cleaned_data["text"])
            messages.success(request, f"已录入{entry.member.name}的个人自评")
        except RuleError as e:
            messages.error(request, e.message)
    return _back(entry.appraisal, "self")


@scoped(roles=WRITER_ROLES, write=True, appraisal=Appraisal)
@require_POST
def appraisal_voting(request, appraisal: Appraisal):
    try:
        services.set_voting(user=request.user, appraisal=appraisal, open_=request.POST.get("open") == "1")
        messages.success(request, "网上测评已开始" if appraisal.voting_open else "网上测评已结束")
    except RuleError as e:
        messages.error(request, e.message)
    return _back(appraisal, "voting")


@scoped(roles=WRITER_ROLES, write=True, appraisal=Appraisal)
@require_POST
def appraisal_paper(request, appraisal: Appraisal):
    counts: dict[int, dict[str, int]] = {}
    try:
        for entry_id in appraisal.entries.values_list("id", flat=True):
            per = {}
            for i, g in enumerate(GRADES):
                raw = (request.POST.get(f"p_{entry_id}_{i}") or "").strip()
                if raw == "":
                    continue
                n = int(raw)
                per[g] = n
            if per:
                counts[entry_id] = per
        services.record_paper_counts(user=request.user, appraisal=appraisal, counts=counts)
        messages.success(request, "已保存纸质票统计")
    except ValueError:
        messages.error(request, "票数须为整数")
    except RuleError as e:
        messages.error(request, e.message)
    return _back(appraisal, "voting")


@scoped(roles=WRITER_ROLES, write=True, appraisal=Appraisal)
@require_POST
def appraisal_grades(request, appraisal: Appraisal):
    meeting = None
    mid = int_or_none(request.POST.get("meeting"))
    if mid:
        meeting = selectors.deciding_meetings(appraisal).filter(pk=mid).first()
        if meeting is None:
            messages.error(request, "所选会议不是本支部的支委会或党员大会")
            return _back(appraisal, "decision")
    grades, notes = {}, {}
    for entry_id in appraisal.entries.values_list("id", flat=True):
        if f"g_{entry_id}" in request.POST:
            grades[entry_id] = request.POST.get(f"g_{entry_id}", "")
            notes[entry_id] = request.POST.get(f"n_{entry_id}", "")
    try:
        warning = services.set_grades(
            user=request.user, appraisal=appraisal, meeting=meeting, grades=grades, notes=notes
        )
    except RuleError as e:
        messages.error(request, e.message)
        return _back(appraisal, "decision")
    messages.success(request, "已保存组织评定结果")
    if warning:
        messages.warning(request, warning)
    return _back(appraisal, "decision")


@scoped(roles=WRITER_ROLES, write=True, appraisal=Appraisal)
@require_POST
def appraisal_complete(request, appraisal: Appraisal):
    try:
        services.complete_appraisal(user=request.user, appraisal=appraisal)
        messages.success(request, "本年度民主评议党员已完成")
    except RuleError as e:
        messages.error(request, e.message)
        return _back(appraisal, "decision")
    return _back(appraisal, "results")


@scoped(roles=STAFF_ROLES, appraisal=Appraisal)
def appraisal_ledger(request, appraisal: Appraisal):
    entries = appraisal.entries.select_related("member", "decided_meeting").order_by("member__name_pinyin")
    tallies = selectors.tallies(appraisal)
    refs = selectors.member_references(appraisal.branch, appraisal.year)
    rows = []
    for i, e in enumerate(entries, start=1):
        t = tallies.get(e.pk, {}).get("total", {})
        r = refs.get(e.member_id, {})
        rows.append(
            [
                i,
                e.member.name,
                e.member_kind,
                "有" if e.self_assessment else "无",
                *[t.get(g, 0) for g in GRADES],
                e.grade or ("不评定等次（预备党员）" if not e.is_full else "未评定"),
                str(e.decided_meeting) if e.decided_meeting else "",
                e.grade_note,
                r.get("attendance", selectors.NO_DATA),
                r.get("dues", selectors.NO_DATA),
                r.get("study", selectors.NO_DATA),
                r.get("points", selectors.NO_DATA),
            ]
        )
    headers = [
        "序号",
        "姓名",
        "人员类别",
        "个人自评",
        *[f"测评{g}票" for g in GRADES],
        "评定等次",
        "评定会议",
        "说明",
        "参会（参考）",
        "党费（参考）",
        "学时（参考）",
        "积分（参考）",
    ]
    content = ledger_bytes(
        title="民主评议党员结果台账",
        headers=headers,
        rows=rows,
        org=str(appraisal.branch),
        period=f"{appraisal.year}年度",
        user=request.user,
    )
    return xlsx_response(content, f"{appraisal.branch}{appraisal.year}年民主评议结果.xlsx")


@scoped(roles=STAFF_ROLES)
def commendation(request):
    year = year_param(request, _default_year())
    entries = selectors.commendation_list(request.user, year)
    if request.GET.get("format") == "xlsx":
        rows = [
            [i, e.appraisal.branch.name, e.member.name, e.member.sex, e.grade, str(e.decided_meeting), e.grade_note]
            for i, e in enumerate(entries, start=1)
        ]
        content = ledger_bytes(
            title="优秀党员表彰名单",
            headers=["序号", "党支部", "姓名", "性别", "评定等次", "评定会议", "说明"],
            rows=rows,
            org=str(scope_root(request.user) or ""),
            period=f"{year}年度",
            user=request.user,
        )
        return xlsx_response(content, f"{year}年优秀党员表彰名单.xlsx")
    return render(request, "reviews/commendation.html", {"year": year, "entries": entries})

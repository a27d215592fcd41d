"""Views for 民主评议党员, 不合格党员处置 and 支部评星. Views parse input, call a service or
selector and render; every rule lives in services/rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import can_write, orgs_in_scope, scope_root, visible_to
from dangjian.core.concurrency import EditConflict
from dangjian.core.uploads import serve_upload
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.members.models import MemberKind
from dangjian.orgs.models import Organization
from dangjian.reviews import selectors, services
from dangjian.reviews.forms import (
    CriterionForm,
    DecisionForm,
    DisposalForm,
    ManualScoreForm,
    SelfForm,
    StepForm,
    StudyForm,
    int_or_none,
    save_document,
    year_param,
)
from dangjian.reviews.models import (
    Appraisal,
    AppraisalEntry,
    BranchRating,
    Disposal,
    DisposalStep,
    Indicator,
    ManualScore,
)
from dangjian.rules.appraisal import CORRECTION_DEFAULT_MONTHS, GRADES
from dangjian.rules.errors import RuleError

MEMBER_ONLY = frozenset({Role.MEMBER})
TABS = [
    ("study", "学习教育"),
    ("self", "个人自评"),
    ("voting", "互评测评"),
    ("decision", "组织评定"),
    ("results", "评议结果"),
]


def _default_year() -> int:
    latest = Appraisal.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


def _form_error(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))


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
    year = int_or_none(request.POST.get("year")) or timezone.localdate().year
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
        _form_error(request, form)
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
        _form_error(request, form)
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


# --- 党员本人：自评与测评 -------------------------------------------------------------------


@scoped(roles=MEMBER_ONLY)
def mine(request):
    entry = (
        visible_to(request.user, AppraisalEntry)
        .filter(member_id=request.user.member_id)
        .select_related("appraisal__branch", "member")
        .order_by("-appraisal__year")
        .first()
    )
    ctx = {"entry": entry, "grades": GRADES}
    if entry:
        a = entry.appraisal
        ctx["a"] = a
        ctx["voted"] = a.voter_flags.filter(voter_id=request.user.member_id).exists()
        ctx["can_vote"] = a.voting_open and entry.is_full and not ctx["voted"]
        if ctx["can_vote"]:
            # Members of one's own branch (visible by the `branch` rule of Appraisal only
            # through the appraisal): names only, nothing else.
            ctx["others"] = list(
                a.entries.exclude(member_id=request.user.member_id)
                .select_related("member")
                .order_by("member__name_pinyin")
            )
    if request.method == "POST" and entry:
        action = request.POST.get("action")
        try:
            if action == "self":
                services.record_self_assessment(user=request.user, entry=entry, text=request.POST.get("text", ""))
                messages.success(request, "已保存您的个人自评")
            elif action == "vote":
                grades = {int(k[2:]): v for k, v in request.POST.items() if k.startswith("v_") and k[2:].isdigit()}
                n = services.cast_ballot(user=request.user, appraisal=entry.appraisal, grades=grades)
                messages.success(request, f"测评已提交（评价{n}人）。测评结果匿名统计，任何人都看不到您的选择。")
        except RuleError as e:
            messages.error(request, e.message)
        return redirect("reviews:mine")
    return render(request, "reviews/mine.html", ctx)


# --- 不合格党员处置 ------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def disposal_list(request):
    today = timezone.localdate()
    qs = (
        visible_to(request.user, Disposal)
        .select_related("entry__member", "entry__appraisal__branch", "leaving_event")
        .order_by("-started_on", "-id")
    )
    return render(request, "reviews/disposals.html", {"disposals": qs, "today": today})


@scoped(roles=WRITER_ROLES, write=True, entry=AppraisalEntry)
def disposal_new(request, entry: AppraisalEntry):
    form = DisposalForm(
        request.POST or None, initial={"started_on": timezone.localdate(), "months": CORRECTION_DEFAULT_MONTHS}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            disposal = services.start_disposal(
                user=request.user,
                entry=entry,
                measure=d["measure"],
                reason=d["reason"],
                started_on=d["started_on"],
                months=d["months"] or CORRECTION_DEFAULT_MONTHS,
            )
        except RuleError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已登记处置，请按步骤办理")
            return redirect("reviews:disposal", disposal=disposal.pk)
    return render(request, "reviews/disposal_new.html", {"entry": entry, "form": form})


@scoped(roles=STAFF_ROLES, disposal=Disposal)
def disposal_detail(request, disposal: Disposal):
    from dangjian.meetings.models import Meeting

    steps = list(disposal.steps.select_related("meeting", "recorded_by"))
    next_step = next((s for s in steps if s.done_on is None), None)
    return render(
        request,
        "reviews/disposal.html",
        {
            "d": disposal,
            "steps": steps,
            "next_step": next_step,
            "today": timezone.localdate(),
            "meetings": Meeting.objects.filter(
                branch=disposal.entry.appraisal.branch, date__gte=disposal.started_on
            ).order_by("-date")[:30],
            "can_write": can_write(request.user),
            "ban_until": selectors.rejoin_ban_until(disposal.entry.member),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, step=DisposalStep)
@require_POST
def disposal_step(request, step: DisposalStep):
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_error(request, form)
        return redirect("reviews:disposal", disposal=step.disposal_id)
    d = form.cleaned_data
    meeting = None
    if d["meeting"]:
        from dangjian.meetings.models import Meeting

        meeting = visible_to(request.user, Meeting).filter(pk=d["meeting"]).first()
    try:
        path, name = save_document(d["document"], "reviews")
        services.record_step(
            user=request.user,
            step=step,
            done_on=d["done_on"],
            decision=d["decision"],
            meeting=meeting,
            document=path,
            document_name=name,
            expected_version=d["version"],
        )
        messages.success(request, f"已登记：{step.name}")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=step.disposal_id)


@scoped(roles=STAFF_ROLES, step=DisposalStep)
def step_document(request, step: DisposalStep):
    if not step.document:
        raise Http404("没有文书")
    return serve_upload(request, step.document, download_name=step.document_name or None)


@scoped(roles=WRITER_ROLES, write=True, disposal=Disposal)
@require_POST
def disposal_decide(request, disposal: Disposal):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
    else:
        d = form.cleaned_data
        try:
            services.record_final_decision(
                user=request.user,
                disposal=disposal,
                decided_on=d["decided_on"],
                decision=d["decision"],
                corrected=d["corrected"],
                expected_version=d["version"],
            )
            messages.success(request, "已登记最终决定（党员状态未作任何自动更改）")
        except (RuleError, EditConflict) as e:
            messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=disposal.pk)


@scoped(roles=WRITER_ROLES, write=True, disposal=Disposal)
@require_POST
def disposal_leave(request, disposal: Disposal):
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选确认后再登记")
        return redirect("reviews:disposal", disposal=disposal.pk)
    try:
        services.confirm_leaving(user=request.user, disposal=disposal)
        messages.success(request, "已登记党员离开组织，5年内不得重新入党")
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=disposal.pk)


# --- 支部评星 ------------------------------------------------------------------------------


def _default_rating_year() -> int:
    latest = BranchRating.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


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
                    _form_error(request, form)
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
                    _form_error(request, form)
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

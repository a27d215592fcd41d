"""Views for 学习计划, 学习资料 and 培训班: parse input, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ALL_ROLES, STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import editable_by, get_in_scope, member_branch, orgs_in_scope, scope_root, visible_to
from dangjian.core import clock
from dangjian.core.uploads import serve_upload
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.study import plan_selectors, plan_services
from dangjian.study.models import Course, CourseSession, Material, PlanItem, StudyKind, StudyPlan


def _int(v, default=None):
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


def _dec(v) -> Decimal | None:
    try:
        return Decimal(str(v).strip())
    except (InvalidOperation, ValueError):
        return None


def _date(v) -> date | None:
    try:
        return date.fromisoformat(str(v or "").strip())
    except ValueError:
        return None


def _year(request) -> int:
    today = clock.today()
    y = _int(request.GET.get("year"), today.year)
    return y if 2000 <= y <= today.year + 1 else today.year


def _root(request):
    from dangjian.orgs.models import Organization

    bid = _int(request.GET.get("branch"))
    if bid:
        return get_in_scope(request.user, Organization, bid)
    root = scope_root(request.user) if request.user.role in STAFF_ROLES else member_branch(request.user)
    if root is None:
        raise Http404("您的账号没有关联党组织")
    return root


# --- plans -----------------------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def plan_list(request):
    root = _root(request)
    year = _year(request)
    today = clock.today()
    progress = plan_selectors.plan_progress(root, year, as_of=today)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            ledger_bytes(
                title="学习计划落实台账",
                headers=plan_selectors.PLAN_LEDGER_HEADERS,
                rows=plan_selectors.plan_ledger_rows(progress),
                org=root.name,
                period=f"{year}年（截至{today:%Y年%m月%d日}）",
                user=request.user,
            ),
            f"{root.short_name or root.name}{year}年学习计划落实台账.xlsx",
        )
    plans = plan_selectors.plans_for(visible_to(request.user, StudyPlan), year)
    own = editable_by(request.user, StudyPlan).filter(org=root, year=year).first()
    items = plan_selectors.items_for_branch(root, year).prefetch_related("materials")
    if not root.is_branch:
        items = PlanItem.objects.filter(plan__in=plans).select_related("plan__org").prefetch_related("materials")
    return render(
        request,
        "study/plans.html",
        {
            "root": root,
            "year": year,
            "years": range(2023, today.year + 2),
            "branches": list(orgs_in_scope(request.user, branches_only=True)),
            "plans": plans,
            "own_plan": own,
            "items": items.order_by("month_from", "plan__org__depth", "id"),
            "progress": progress,
            "branch_progress": progress.branches[0] if root.is_branch and progress.branches else None,
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def plan_create(request):
    if request.method != "POST":
        return redirect("study:plans")
    from dangjian.orgs.models import Organization

    org = get_in_scope(request.user, Organization, request.POST.get("org"), write=True)
    year = _int(request.POST.get("year"), clock.today().year)
    try:
        plan = plan_services.create_plan(org=org, year=year, title=request.POST.get("title", ""), user=request.user)
        messages.success(request, f"已建立“{plan.title}”，请逐项添加学习内容。")
    except plan_services.PlanError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("study:plans") + f"?branch={org.pk}&year={year}")


@scoped(roles=WRITER_ROLES, write=True, plan=StudyPlan)
def item_add(request, plan):
    materials = visible_to(request.user, Material)
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            item = plan_services.add_item(
                plan=plan,
                data=plan_services.ItemInput(
                    month_from=_int(data.get("month_from")),
                    month_to=_int(data.get("month_to")) or _int(data.get("month_from")),
                    topic=data.get("topic", ""),
                    hours=_dec(data.get("hours")),
                    kind=data.get("kind", StudyKind.CENTRAL),
                    note=(data.get("note") or "").strip(),
                    material_ids=[i for i in (_int(x) for x in data.getlist("materials")) if i],
                ),
                materials=materials,
            )
            messages.success(request, f"已添加：{item.period} {item.topic}")
            return redirect(reverse("study:plans") + f"?branch={plan.org_id}&year={plan.year}")
        except plan_services.PlanError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "study/item_add.html",
        {
            "plan": plan,
            "data": data,
            "months": range(1, 13),
            "kinds": [(v, label) for v, label in StudyKind.choices if v != StudyKind.SELF],
            "materials": plan_selectors.materials_for(materials)[:200],
            "ticked": {i for i in (_int(x) for x in data.getlist("materials")) if i},
        },
    )


@scoped(roles=STAFF_ROLES, item=PlanItem)
def item_detail(request, item):
    root = _root(request)
    today = clock.today()
    progress = plan_selectors.plan_progress(root, item.plan.year, as_of=today)
    rows = []
    for b in progress.branches:
        st = next((s for s in b.items if s.item_id == item.pk), None)
        if st is not None:
            rows.append((b, st))
    return render(
        request,
        "study/item_detail.html",
        {
            "item": item,
            "materials": item.materials.all(),
            "rows": rows,
            "root": root,
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


# --- materials -------------------------------------------------------------------------
@scoped(roles=ALL_ROLES)
def material_list(request):
    qs = plan_selectors.materials_for(visible_to(request.user, Material))
    return render(
        request,
        "study/materials.html",
        {"materials": qs[:300], "can_write": request.user.role in WRITER_ROLES},
    )


@scoped(roles=WRITER_ROLES, write=True)
def material_add(request):
    from dangjian.orgs.models import Organization

    data = request.POST if request.method == "POST" else request.GET
    orgs = [o for o in orgs_in_scope(request.user) if not o.is_group]
    if request.method == "POST":
        org = get_in_scope(request.user, Organization, data.get("org"), write=True)
        try:
            m = plan_services.publish_material(
                org=org,
                data=plan_services.MaterialInput(
                    title=data.get("title", ""),
                    kind=data.get("kind", ""),
                    published_on=_date(data.get("published_on")),
                    body=data.get("body", ""),
                    link=data.get("link", ""),
                ),
                upload=request.FILES.get("file"),
                user=request.user,
            )
            messages.success(request, f"已发布：{m.title}")
            return redirect("study:material", material=m.pk)
        except plan_services.PlanError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "study/material_add.html",
        {"orgs": orgs, "data": data, "kinds": Material.Kind.choices, "today": clock.today()},
    )


@scoped(roles=ALL_ROLES, material=Material)
def material_detail(request, material):
    return render(request, "study/material.html", {"m": material, "items": material.plan_items.select_related("plan")})


@scoped(roles=ALL_ROLES, material=Material)
def material_file(request, material):
    if not material.file:
        raise Http404("该资料没有附件")
    return serve_upload(request, material.file, download_name=material.file_name or None)


# --- 培训班 ------------------------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def course_list(request):
    qs = visible_to(request.user, Course).select_related("org").order_by("-year", "-id")
    return render(
        request,
        "study/courses.html",
        {
            "courses": qs[:200],
            "orgs": [o for o in orgs_in_scope(request.user) if not o.is_group],
            "audiences": Course.Audience.choices,
            "year": clock.today().year,
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def course_create(request):
    if request.method != "POST":
        return redirect("study:courses")
    from dangjian.orgs.models import Organization

    org = get_in_scope(request.user, Organization, request.POST.get("org"), write=True)
    try:
        c = plan_services.create_course(
            org=org,
            title=request.POST.get("title", ""),
            audience=request.POST.get("audience", ""),
            year=_int(request.POST.get("year"), clock.today().year),
            user=request.user,
        )
        return redirect("study:course", course=c.pk)
    except plan_services.PlanError as exc:
        messages.error(request, exc.message)
        return redirect("study:courses")


def _candidates(user, course):
    from dangjian.lifecycle.selectors import open_cases

    return (
        open_cases(user, course.org)
        .exclude(pk__in=course.enrollments.values("case_id"))
        .select_related("branch")
        .order_by("branch__path", "name")
    )


@scoped(roles=STAFF_ROLES, course=Course)
def course_detail(request, course):
    detail = plan_selectors.course_detail(course)
    can_write = editable_by(request.user, Course).filter(pk=course.pk).exists()
    return render(
        request,
        "study/course.html",
        {
            "course": course,
            **detail,
            "candidates": _candidates(request.user, course) if can_write else [],
            "can_write": can_write,
            "today": clock.today(),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, course=Course)
def course_post(request, course):
    """One endpoint for the course page's forms (报名, 新增课次, 出勤, 成绩, 试题)."""
    if request.method != "POST":
        return redirect("study:course", course=course.pk)
    action = request.POST.get("action", "")
    p = request.POST
    try:
        if action == "enroll":
            ids = [i for i in (_int(x) for x in p.getlist("cases")) if i]
            n = plan_services.enroll(course=course, cases=_candidates(request.user, course).filter(pk__in=ids))
            messages.success(request, f"已报名 {n} 人。")
        elif action == "session":
            plan_services.add_session(
                course=course, on=_date(p.get("date")), hours=_dec(p.get("hours")), topic=p.get("topic", "")
            )
            messages.success(request, "已新增课次。")
        elif action == "attendance":
            session = get_in_scope(request.user, CourseSession.objects.filter(course=course), p.get("session"))
            n = plan_services.record_attendance(
                session=session, present_ids=[i for i in (_int(x) for x in p.getlist("present")) if i]
            )
            messages.success(request, f"已保存出勤：{session.date:%m月%d日} 到课 {n} 人。")
        elif action == "scores":
            scores = {}
            for key, value in p.items():
                if key.startswith("score_") and _int(key[6:]):
                    v = (value or "").strip()
                    score = _dec(v) if v else None
                    if v and score is None:
                        raise plan_services.PlanError("成绩只能填数字")
                    scores[_int(key[6:])] = score
            n = plan_services.record_scores(course=course, scores=scores, user=request.user)
            messages.success(request, f"已保存 {n} 人的成绩。")
        elif action == "question":
            plan_services.add_question(
                course=course,
                text=p.get("text", ""),
                options=[p.get(f"option{i}", "") for i in range(1, 5)],
                answer=_int(p.get("answer"), -1),
            )
            messages.success(request, "已加入题库。")
        else:
            messages.error(request, "无法识别的操作")
    except plan_services.PlanError as exc:
        messages.error(request, exc.message)
    return redirect("study:course", course=course.pk)


@scoped(roles=STAFF_ROLES, course=Course)
def course_paper(request, course):
    """A printable paper test from the question bank (answers on a separate sheet)."""
    return render(
        request,
        "study/course_paper.html",
        {"course": course, "questions": list(course.questions.all()), "answers": request.GET.get("answers") == "1"},
    )

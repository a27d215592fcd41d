"""Views for 组织生活: parse input, call a service or selector, render."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import secrets
from datetime import date, time, timedelta

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import editable_by, get_in_scope, orgs_in_scope, scope_root, visible_to
from dangjian.core import clock, params
from dangjian.core.cache import cached
from dangjian.core.concurrency import EditConflict
from dangjian.core.settings_registry import setting
from dangjian.core.site import absolute_url
from dangjian.core.spreadsheet import Table, drop_preview, keep_preview, load_preview
from dangjian.meetings import documents, ledger, selectors, services
from dangjian.meetings.forms import ImportForm, MeetingForm, RequirementForm, TalkForm, parse_attendance
from dangjian.meetings.models import WHOLE_BRANCH_KINDS, Attachment, Attendance, Kind, KindRequirement, Meeting, Talk
from dangjian.meetings.signals import meeting_saved
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType
from dangjian.study import plan_selectors

SIGNIN_DEVICE_COOKIE = "dj_signin_device"

S = Attendance.Status
MEMBER_ONLY = frozenset({Role.MEMBER})


# --- helpers -------------------------------------------------------------------------------
def _int(value, default=None):
    """A number from the query string (core.params: one policy; a value no key can hold → default)."""
    return params.integer({"v": value}, "v", default=default, lo=-params.MAX_ID, hi=params.MAX_ID)


def _year(request) -> int:
    return params.year(request.GET)


def _root(request):
    """The organization the page is about: ?branch=<id> within scope, else the user's scope."""
    bid = params.branch(request.GET)
    if bid:
        return get_in_scope(request.user, Organization, bid)
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有关联党组织")
    return root


PICKER_MAX = 150  # branches listed in the 党组织 picker before it lists townships first


def _branches(user, root: Organization | None = None) -> list[Organization]:
    """The picker's organisations: every branch in scope, or, for a district with more than
    PICKER_MAX branches (a select of a thousand is neither usable nor quick to render), the
    committees above the branches, followed by the branches of the one chosen (or of the
    chosen branch's committee)."""
    in_scope = orgs_in_scope(user, branches_only=True)
    branches = list(in_scope[: PICKER_MAX + 1])  # not the county's thousand rows on every page
    if len(branches) <= PICKER_MAX:
        return branches
    upper = list(orgs_in_scope(user).exclude(org_type__in=(*BRANCH_TYPES, OrgType.GROUP)))
    if root is None:
        return upper
    home = max((o for o in upper if root.path.startswith(o.path)), key=lambda o: len(o.path), default=None)
    if home is None:
        return upper
    inside = list(in_scope.filter(path__startswith=home.path)[: PICKER_MAX + 1])
    return upper + inside if len(inside) <= PICKER_MAX else upper


def _writable_orgs(user):
    return (
        editable_by(user, Organization)
        .filter(is_active=True, org_type__in=(*BRANCH_TYPES, OrgType.GROUP))
        .order_by("path")
    )


# --- 本月待办 --------------------------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def todo(request):
    root = _root(request)
    today = clock.today()
    items = selectors.todo(root, today=today)
    by_branch: dict[int, dict] = {}
    for i in items:
        by_branch.setdefault(i["branch_id"], {"branch": i["branch"], "branch_id": i["branch_id"], "items": []})[
            "items"
        ].append(i)
    groups = sorted(by_branch.values(), key=lambda g: (min(i["deadline"] for i in g["items"]), g["branch"]))
    return render(
        request,
        "meetings/todo.html",
        {
            "root": root,
            "groups": groups,
            "today": today,
            "count": len(items),
            "dues": _dues_due(root, today),
            # 抓学习促提升: the month's topics of the study plan that applies here
            "study_items": list(plan_selectors.month_items(root, today)),
        },
    )


def _dues_due(root, today):
    """党费 collection still open this month, per branch (read through the dues selectors)."""
    from dangjian.dues.selectors import branch_month_rates

    out = []
    for b in branch_month_rates(root, today.year, today=today):
        rate = b["months"][-1][1] if b["months"] else None
        if rate is not None and rate < 1:
            out.append({**b, "rate": rate, "month": f"{today:%Y-%m}"})
    return out


# --- list and export -----------------------------------------------------------------------
def _filtered(request):
    qs = visible_to(request.user, Meeting)
    f = {
        "branch": _int(request.GET.get("branch")),
        "year": params.optional_year(request.GET),
        "month": _int(request.GET.get("month")),
        "kind": request.GET.get("kind") if request.GET.get("kind") in Kind.values else "",
        "q": (request.GET.get("q") or "").strip()[:50],
        "late": request.GET.get("late") == "1",
    }
    f["org"] = None
    if f["branch"]:
        # a township chosen in a district's picker (_branches) lists the meetings under it; the
        # meetings are already limited to the user's scope, so an org outside it lists none
        f["org"] = Organization.objects.filter(pk=f["branch"]).only("path", "org_type").first()
        if f["org"] is not None and f["org"].org_type not in BRANCH_TYPES:
            qs = qs.filter(branch__path__startswith=f["org"].path)
        else:
            qs = qs.filter(branch_id=f["branch"])
    if f["year"]:
        qs = qs.filter(date__year=f["year"])
    if f["month"] and 1 <= f["month"] <= 12:
        qs = qs.filter(date__month=f["month"])
    if f["kind"]:
        qs = qs.filter(kind_links__kind=f["kind"])
    if f["q"]:
        qs = qs.filter(Q(topic__icontains=f["q"]) | Q(place__icontains=f["q"]))
    if f["late"]:
        qs = qs.filter(is_late=True)
    return qs, f


def _period(f) -> str:
    period = f"{f['year']}年" if f["year"] else "全部年度"
    if f["year"] and f["month"]:
        period += f"{f['month']}月"
    return period


def _export(request, qs, f):
    """The ledger as xlsx (core.exports); a large one is built in the background."""
    from dangjian.core import exports

    total = qs.count()
    name = "组织生活会议台账.xlsx"
    return exports.respond(request, "meetings", total=total, filename=name, org=scope_root(request.user))


@scoped(roles=STAFF_ROLES)
def meeting_list(request):
    qs, f = _filtered(request)
    if request.GET.get("format") == "xlsx":
        return _export(request, qs, f)
    page = Paginator(selectors.meetings_for_list(qs.distinct()).order_by("-date", "-start_time", "-id"), 50).get_page(
        request.GET.get("page")
    )
    counts = selectors.attendance_counts(m.pk for m in page)
    empty = {"present": 0, "excused": 0, "absent": 0, "expected": 0}
    for m in page:
        m.counts = counts.get(m.pk, empty)
    return render(
        request,
        "meetings/list.html",
        {
            "page": page,
            "f": f,
            "branches": _branches(request.user, f["org"]),
            "kinds": Kind.choices,
            "months": range(1, 13),
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


# --- record / edit --------------------------------------------------------------------------
def _form_context(request, org, form, *, meeting=None, kinds=(), preset=None, notice=None):
    branch = services.branch_of(org)
    today = clock.today()
    on = form["date"].value() if form.is_bound else (meeting.date if meeting else today)
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on)
        except ValueError:
            on = today
    members = list(Member.objects.filter(branch=branch, is_current=True).order_by("name_pinyin"))
    committee_ids = {m.id for m in services.committee_members(branch)}
    existing = {a.member_id: a for a in meeting.attendance.all()} if meeting else {}
    rows = []
    for m in members:
        a = existing.get(m.id)
        if request.method == "POST":
            status = request.POST.get(f"status_{m.id}")
        else:
            status = a.status if a else (preset or {}).get(m.id, S.PRESENT)
        rows.append(
            {
                "m": m,
                "status": status or S.PRESENT,
                "reason": request.POST.get(f"reason_{m.id}", "")
                if request.method == "POST"
                else (a.reason if a else ""),
                "elsewhere": bool(request.POST.get(f"elsewhere_{m.id}"))
                if request.method == "POST"
                else bool(a and a.attended_elsewhere),
                "committee": m.id in committee_ids,
                "in_group": org.org_type == OrgType.GROUP and m.group_id == org.id,
            }
        )
    from dangjian.meetings.views_notices import default_topic

    expected_ids = (
        {m.id for m in services.expected_members(org, kinds or [Kind.THEME_DAY], on)}
        if kinds or not meeting
        else set(existing)
    )
    return {
        "org": org,
        "branch": branch,
        "orgs": _writable_orgs(request.user),
        "form": form,
        "rows": rows,
        "expected_ids": expected_ids,
        "meeting": meeting,
        "notice": notice,
        "statuses": S.choices,
        "late_days": setting("LATE_ENTRY_DAYS"),
        "is_group": org.org_type == OrgType.GROUP,
        "kind_data": {
            "whole": [k for k in Kind.values if k in WHOLE_BRANCH_KINDS],  # rules.orglife, once
            "group": org.org_type == OrgType.GROUP,
            "org": org.pk,
            "month": today.month,
            "topics": {k: default_topic([k], today.month) for k in Kind.values},
            "topic_order": [Kind.COMMITTEE_MEETING, Kind.THEME_DAY, Kind.MEMBER_MEETING, Kind.GROUP_MEETING],
        },
    }


def _input_from(form, org, attendance) -> services.MeetingInput:
    cd = form.cleaned_data
    return services.MeetingInput(
        org=org,
        kinds=cd["kinds"],
        date=cd["date"],
        start_time=cd["start_time"],
        end_time=cd["end_time"],
        place=cd["place"],
        topic=cd["topic"],
        host_id=cd.get("host"),
        recorder_id=cd.get("recorder"),
        lecturer=cd.get("lecturer", ""),
        agenda=cd.get("agenda", ""),
        minutes=cd.get("minutes", ""),
        decisions=cd.get("decisions", ""),
        late_reason=cd.get("late_reason", ""),
        attendance=attendance,
    )


def _plan_items(branch, *years) -> list[tuple[int, int, str]]:
    """(id, year, label) of the 学习计划 items that apply to `branch` in those years."""
    out = []
    for y in sorted(set(years), reverse=True):
        out += [(i.pk, y, f"{i.period} {i.topic}") for i in plan_selectors.items_for_branch(branch, y)]
    return out


def _saved(request, meeting, form, previous=None) -> None:
    meeting_saved.send(
        sender=Meeting,
        meeting=meeting,
        user=request.user,
        plan_item=form.cleaned_data.get("plan_item"),
        previous_plan_item=previous,
    )


def _pick_org(request):
    oid = _int(request.POST.get("org") or request.GET.get("org"))
    orgs = _writable_orgs(request.user)
    if oid:
        org = orgs.filter(pk=oid).first()
        if org is None:
            raise Http404("党组织不在您的权限范围内")
        return org
    root = scope_root(request.user)
    if root and root.org_type in BRANCH_TYPES:
        return root
    org = orgs.filter(org_type__in=BRANCH_TYPES).first()
    if org is None:
        raise Http404("没有可以记录会议的党支部")
    return org


def _defaults(org, kinds):
    today = clock.today()
    branch = services.branch_of(org)
    last = Meeting.objects.filter(org=org).order_by("-date", "-id").values("place").first()
    secretary = services.committee_members(branch)
    from dangjian.orgs.models import Post

    sec = (
        Post.objects.filter(org=branch, kind=Post.Kind.SECRETARY, ended_on__isnull=True)
        .values_list("member_id", flat=True)
        .first()
    )
    rec = next((m.id for m in secretary if m.id != sec), None)
    start, end = (time(9, 0), time(10, 30)) if kinds == [Kind.COMMITTEE_MEETING] else (time(15, 0), time(17, 0))
    from dangjian.meetings.views_notices import default_topic

    topic = default_topic(kinds, today.month)
    return {
        "kinds": kinds,
        "date": today,
        "start_time": start,
        "end_time": end,
        "place": last["place"] if last else "党群服务中心",
        "topic": topic,
        "host": sec,
        "recorder": rec,
    }


@scoped(roles=WRITER_ROLES, write=True)
def meeting_add(request):
    from dangjian.meetings import notices
    from dangjian.meetings.views_notices import notice_for_record

    notice = notice_for_record(request)
    preset = None
    if notice is not None:
        try:
            notices.check_recordable(notice)
        except services.MeetingError as e:
            messages.error(request, e.messages[0])
            return redirect("meetings:notice", notice=notice.pk)
        org = notice.org
        preset = notices.attendance_defaults(notice)
    else:
        org = _pick_org(request)
    members = Member.objects.filter(branch=services.branch_of(org), is_current=True).order_by("name_pinyin")
    today = clock.today()
    plan_items = _plan_items(services.branch_of(org), today.year, (today - timedelta(days=45)).year)
    if request.method == "POST" and "save" in request.POST:
        form = MeetingForm(request.POST, members=members, plan_items=plan_items)
        if form.is_valid():
            expected = services.expected_members(org, form.cleaned_data["kinds"], form.cleaned_data["date"])
            try:
                meeting, warnings = services.record_meeting(
                    user=request.user, data=_input_from(form, org, parse_attendance(request.POST, expected))
                )
            except services.MeetingError as e:
                for msg in e.messages:
                    form.add_error(None, msg)
            else:
                if notice is not None:
                    notices.link_recorded(notice=notice, meeting=meeting)
                _saved(request, meeting, form)
                # Quorum warnings are shown once, on the record's page (not repeated as messages).
                messages.success(request, "会议记录已保存。" + ("（已标注为补录）" if meeting.is_late else ""))
                return redirect("meetings:detail", meeting=meeting.pk)
        kinds = request.POST.getlist("kinds")
    else:
        kinds = [k for k in request.GET.getlist("kinds") if k in Kind.values] or (
            [Kind.GROUP_MEETING] if org.org_type == OrgType.GROUP else [Kind.THEME_DAY]
        )
        initial = _defaults(org, kinds)
        if request.GET.get("plan_item"):
            initial["plan_item"] = _int(request.GET.get("plan_item"))
        if notice is not None:
            kinds = notice.kind_codes
            initial.update(
                kinds=kinds,
                date=notice.date,
                start_time=notice.start_time,
                end_time=notice.end_time,
                place=notice.place,
                topic=notice.topic,
            )
        form = MeetingForm(initial=initial, members=members, plan_items=plan_items)
    return render(
        request,
        "meetings/form.html",
        _form_context(request, org, form, kinds=kinds, preset=preset, notice=notice),
    )


@scoped(roles=WRITER_ROLES, write=True, meeting=Meeting)
def meeting_edit(request, meeting):
    org = meeting.org
    if request.method == "POST" and request.POST.get("org"):
        org = _pick_org(request)
    members = Member.objects.filter(branch=meeting.branch, is_current=True).order_by("name_pinyin")
    plan_items = _plan_items(meeting.branch, meeting.date.year, clock.today().year)
    previous = plan_selectors.meeting_plan_item(meeting)
    if request.method == "POST":
        form = MeetingForm(request.POST, members=members, plan_items=plan_items)
        if form.is_valid():
            expected = services.expected_members(org, form.cleaned_data["kinds"], form.cleaned_data["date"])
            # Members who left since keep their row as it was recorded.
            ids = {m.id for m in expected} | set(meeting.attendance.values_list("member_id", flat=True))
            expected = list(Member.objects.filter(pk__in=ids))
            try:
                meeting, warnings = services.update_meeting(
                    user=request.user,
                    meeting=meeting,
                    data=_input_from(form, org, parse_attendance(request.POST, expected)),
                    expected_version=form.cleaned_data.get("version"),
                )
            except EditConflict as e:
                form.add_error(None, e.message)
            except services.MeetingError as e:
                for msg in e.messages:
                    form.add_error(None, msg)
            else:
                _saved(request, meeting, form, previous)
                messages.success(request, "修改已保存。")
                return redirect("meetings:detail", meeting=meeting.pk)
        kinds = request.POST.getlist("kinds")
    else:
        kinds = meeting.kind_codes
        form = MeetingForm(
            initial={
                "kinds": kinds,
                "date": meeting.date,
                "start_time": meeting.start_time,
                "end_time": meeting.end_time,
                "place": meeting.place,
                "topic": meeting.topic,
                "host": meeting.host_id,
                "recorder": meeting.recorder_id,
                "lecturer": meeting.lecturer,
                "agenda": meeting.agenda,
                "minutes": meeting.minutes,
                "decisions": meeting.decisions,
                "late_reason": meeting.late_reason,
                "plan_item": previous,
                "version": meeting.version,
            },
            members=members,
            plan_items=plan_items,
        )
    ctx = _form_context(request, org, form, meeting=meeting, kinds=kinds)
    ctx["expected_ids"] |= set(meeting.attendance.values_list("member_id", flat=True))
    return render(request, "meetings/form.html", ctx)


# --- detail, attachments, QR, sign-in -------------------------------------------------------
@scoped(meeting=Meeting)
def meeting_detail(request, meeting):
    rows = list(meeting.attendance.select_related("member", "signed_by").order_by("member__name_pinyin"))
    members = {a.member_id: a.member for a in rows}
    inputs = [services.AttendanceInput(a.member_id, a.status, a.reason, a.attended_elsewhere) for a in rows]
    warnings = services.quorum_warnings(meeting.org, meeting.kind_codes, inputs, members, meeting.date)
    can_write = editable_by(request.user, Meeting).filter(pk=meeting.pk).exists()
    start, end = services.sign_in_window(meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "m": meeting,
            "rows": rows,
            "present": [a for a in rows if a.status == S.PRESENT],
            "excused": [a for a in rows if a.status == S.EXCUSED],
            "absent": [a for a in rows if a.status == S.ABSENT],
            "warnings": warnings,
            "attachments": visible_to(request.user, Attachment).filter(meeting=meeting),
            "can_write": can_write,
            "window": (timezone.localtime(start), timezone.localtime(end)),
            "signin_url": absolute_url(request, reverse("meetings:signin", args=[meeting.pk])),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, meeting=Meeting)
@require_POST
def attachment_upload(request, meeting):
    f = request.FILES.get("file")
    try:
        services.add_attachment(meeting=meeting, file=f, user=request.user)
    except services.MeetingError as e:
        for msg in e.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "附件已上传。")
    return redirect("meetings:detail", meeting=meeting.pk)


@scoped(attachment=Attachment)
def attachment_download(request, attachment):
    from dangjian.core.uploads import serve_upload

    return serve_upload(request, attachment.path, download_name=attachment.name)


@scoped(meeting=Meeting)
def meeting_qr(request, meeting):
    url = absolute_url(request, reverse("meetings:signin", args=[meeting.pk]))
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, xmldecl=False)
    resp = HttpResponse(buf.getvalue(), content_type="image/svg+xml")
    resp["Cache-Control"] = "private, no-store"
    resp["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp


@scoped(meeting=Meeting)
def signin(request, meeting):
    member = request.user.member if request.user.member_id else None
    mine = Attendance.objects.filter(meeting=meeting, member=member).first() if member else None
    start, end = services.sign_in_window(meeting)
    if request.method == "POST":
        if member is None:
            messages.error(request, "您的账号没有关联党员信息，不能签到。")
        else:
            try:
                device_id = request.COOKIES.get(SIGNIN_DEVICE_COOKIE) or secrets.token_hex(16)
                mine = services.sign_in(
                    meeting=meeting,
                    member=member,
                    device=hashlib.sha256(device_id.encode()).hexdigest()[:32],
                    address=request.META.get("REMOTE_ADDR") or None,
                )
            except services.MeetingError as e:
                messages.error(request, e.messages[0])
            else:
                messages.success(request, f"签到成功（{timezone.localtime(mine.signed_in_at):%H:%M}）。")
                resp = redirect("meetings:signin", meeting=meeting.pk)
                # A random id per browser (not per account): one phone signing in many
                # members shows as one device (integrity signal 同一设备批量签到).
                resp.set_cookie(
                    SIGNIN_DEVICE_COOKIE,
                    device_id,
                    max_age=5 * 365 * 86400,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
                return resp
    return render(
        request,
        "meetings/signin.html",
        {"m": meeting, "mine": mine, "member": member, "window": (timezone.localtime(start), timezone.localtime(end))},
    )


@scoped(roles=WRITER_ROLES, write=True, meeting=Meeting)
@require_POST
def proxy_signin(request, meeting):
    member = Member.objects.filter(pk=_int(request.POST.get("member")), branch=meeting.branch).first()
    if member is None:
        messages.error(request, "请选择本支部的党员。")
    else:
        try:
            services.proxy_sign_in(
                meeting=meeting, member=member, user=request.user, reason=request.POST.get("reason", "")
            )
        except services.MeetingError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, f"已为{member.name}代签。")
    return redirect("meetings:detail", meeting=meeting.pk)


@scoped(meeting=Meeting)
def meeting_docx(request, meeting):
    return documents.docx_response(documents.meeting_docx(meeting), f"会议记录_{meeting.date:%Y%m%d}_{meeting.pk}.docx")


@scoped(roles=STAFF_ROLES)
def year_book(request):
    branch = get_in_scope(request.user, Organization, request.GET.get("branch"))
    year = _year(request)
    qs = visible_to(request.user, Meeting).filter(branch=branch, date__year=year)
    return documents.docx_response(documents.year_book_docx(branch, year, qs), f"{branch.name}{year}年会议记录本.docx")


# --- compliance, Art. 9, talks -------------------------------------------------------------
COMPLIANCE_PAGE_ROWS = 100  # rows per table on the compliance page (worst first); see compliance()


def _compliance_tables(root: Organization, year: int, kind: str | None, today: date) -> dict:
    """What the compliance page shows of the yearly figures: the summary's totals and the
    worst COMPLIANCE_PAGE_ROWS of each table. compliance() caches the tables rendered, so a
    warm county page neither unpickles the 7,600 branch × kind rows of the summary nor
    renders the rows again."""
    # The yearly figures (Art. 9 is computed member by member) are cached at the current data
    # version (core.cache): repeated views are served from the cache, any write recomputes them.
    summary = selectors.compliance_summary(root, year, today=today)
    hm = summary.heatmap if kind is None else selectors.heatmap(root, year, kind, today=today)
    rows = summary.branches
    rates = selectors.branch_rates(rows)
    single = root.org_type in BRANCH_TYPES
    # A county has a thousand branches: the page lists the worst COMPLIANCE_PAGE_ROWS of each
    # table (they are sorted worst first) and says how many more there are; a township or
    # branch chosen in the picker shows all of its own (rendering 12,000 heatmap cells took
    # seconds and made a 2 MB page).
    limit = COMPLIANCE_PAGE_ROWS
    short_rows = [r for r in rows if r["shortfall"]]
    attendance = []
    if single:
        stats = selectors.member_attendance(root, year, today=today)
        names = dict(Member.objects.filter(pk__in=stats).values_list("id", "name"))
        attendance = sorted(
            ({"id": k, "name": names.get(k, ""), **v.as_dict()} for k, v in stats.items()),
            key=lambda r: (r["rate"] is None, r["rate"] or 0),
        )
    return {
        # The totals only: the template reads no row of the summary itself.
        "s": dataclasses.replace(summary, branches=[], heatmap={}),
        "hm": {"months": hm["months"]},
        "heat_rows": hm["rows"][:limit],
        "heat_more": max(0, len(hm["rows"]) - limit),
        "rates": rates[:limit],
        "rates_more": max(0, len(rates) - limit),
        "short_rows": short_rows[:limit],
        "short_more": max(0, len(short_rows) - limit),
        "rows": rows if single else [],
        "single": single,
        "attendance": attendance,
    }


@scoped(roles=STAFF_ROLES)
def compliance(request):
    root = _root(request)
    year = _year(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else None
    today = clock.today()
    branch_param = request.GET.get("branch", "")

    def body() -> str:
        tables = _compliance_tables(root, year, kind, today)
        # 学习计划 is part of 组织生活 as the township plans it (抓学习促提升): the same figure the
        # 学习计划 page, the dashboard and the report show (study.plan_selectors, one @figure).
        plan = plan_selectors.plan_progress(root, year, as_of=today)
        return render_to_string(
            "meetings/_compliance_body.html",
            {
                **tables,
                "root": root,
                "year": year,
                "plan": plan,
                "plan_branch": plan.branches[0] if tables["single"] and plan.branches else None,
                "list_url": reverse("meetings:list"),
                "kind": kind,
                "kinds": Kind.choices,
                "branch_param": branch_param,
            },
        )

    # The tables are the same for everyone who may see `root` (nothing in them depends on the
    # user): rendered once per data version of root, like the figures in them. Rendering the
    # county's hundred worst branches × 12 months took a warm county page to 300–400 ms.
    html = cached(("meetings.compliance_body", root, year, kind, today, branch_param), body)
    return render(
        request,
        "meetings/compliance.html",
        {
            "body": mark_safe(html),  # noqa: S308 - our own template's output, from the cache
            "root": root,
            "year": year,
            "years": range(2023, today.year + 1),
            "branches": _branches(request.user, root),
        },
    )


@scoped(roles=STAFF_ROLES)
def art9(request):
    root = _root(request)
    today = clock.today()
    alerts = selectors.art9_members(root, today=today)
    member = None
    history = []
    if request.GET.get("member"):
        member = get_in_scope(request.user, Member, request.GET.get("member"))
        history = selectors.attendance_history(member, today=today)
    return render(
        request,
        "meetings/art9.html",
        {
            "root": root,
            "alerts": alerts,
            "member": member,
            "history": history,
            "branches": _branches(request.user, root),
        },
    )


@scoped(roles=STAFF_ROLES)
def talks(request):
    root = _root(request)
    year = _year(request)
    qs = visible_to(request.user, Talk).filter(branch__path__startswith=root.path, date__year=year)
    page = Paginator(qs.select_related("branch", "from_member", "to_member").order_by("-date", "-id"), 50).get_page(
        request.GET.get("page")
    )
    form = None
    if request.user.role in WRITER_ROLES and root.org_type in BRANCH_TYPES:
        members = list(Member.objects.filter(branch=root, is_current=True).order_by("name_pinyin"))
        committee = services.committee_members(root)
        form = TalkForm(request.POST or None, members=members, committee=committee, initial={"date": clock.today()})
        if request.method == "POST":
            if not editable_by(request.user, Organization).filter(pk=root.pk).exists():
                raise PermissionDenied("您没有修改此记录的权限")
            if form.is_valid():
                cd = form.cleaned_data
                try:
                    services.record_talk(
                        user=request.user,
                        branch=root,
                        date_=cd["date"],
                        from_member_id=cd["from_member"],
                        to_member_id=cd["to_member"],
                        summary=cd["summary"],
                        before_life_meeting=cd["before_life_meeting"],
                    )
                except services.MeetingError as e:
                    for msg in e.messages:
                        form.add_error(None, msg)
                else:
                    messages.success(request, "谈心谈话记录已保存。")
                    return redirect(f"{reverse('meetings:talks')}?branch={root.pk}&year={year}")
    elif request.method == "POST":
        raise PermissionDenied("请先选择一个党支部再登记谈心谈话")
    cov = selectors.talk_coverage(root, year)
    return render(
        request,
        "meetings/talks.html",
        {
            "root": root,
            "year": year,
            "page": page,
            "form": form,
            "cov": cov,
            "years": range(2023, clock.today().year + 1),
            "branches": _branches(request.user, root),
        },
    )


# --- member self-service -------------------------------------------------------------------
@scoped(roles=MEMBER_ONLY)
def mine(request):
    today = clock.today()
    member = request.user.member
    rows = visible_to(request.user, Attendance).select_related("meeting").order_by("-meeting__date")[:60]
    from dangjian.meetings.models import MeetingNotice

    # 会议通知 the member is expected at (visible_to keeps 支委会 to the committee), next 60 days.
    upcoming = (
        visible_to(request.user, MeetingNotice)
        .filter(cancelled=False, meeting__isnull=True, date__gte=today, date__lte=today + timedelta(days=60))
        .select_related("org")
        .order_by("date", "start_time")
        if member
        else []
    )
    stats = selectors.member_attendance(member.branch, today.year, today=today).get(member.id) if member else None
    return render(request, "meetings/mine.html", {"rows": rows, "upcoming": upcoming, "stats": stats, "member": member})


# --- import / export / settings ------------------------------------------------------------
IMPORT_SESSION_KEY = "meetings_import"


@scoped(roles=WRITER_ROLES, write=True)
def import_view(request):
    """Upload → a checked preview (nothing written; the parsed file kept encrypted, the upload
    itself not stored) → 确认导入 writes it. Meetings already recorded are listed, not added."""
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    orgs = editable_by(request.user, Organization)
    ctx = {"form": form, "columns": ledger.COLUMNS}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        info = request.session.get(IMPORT_SESSION_KEY) or {}
        state = load_preview(info.get("token"))
        if state is None:
            # (an unbound form cannot take add_error: the message goes to the page as `error`)
            ctx |= {"form": ImportForm(), "error": "上传的文件已过期（超过1小时未确认），请重新上传"}
            return render(request, "meetings/import.html", ctx, status=400)
        table = Table.from_state(state["table"], ledger.SPEC)
        try:
            # The kept basis: the confirm refuses when the meetings or members changed since.
            result = ledger.import_meetings(table, user=request.user, orgs=orgs, basis=state.get("basis") or {})
        except ledger.StalePreview as exc:
            drop_preview(info.get("token"))
            request.session.pop(IMPORT_SESSION_KEY, None)
            ctx |= {"form": ImportForm(), "error": exc.message}
            return render(request, "meetings/import.html", ctx, status=409)
        if result.ok:
            drop_preview(info.get("token"))
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.success(
                request,
                f"已导入{result.created}次会议"
                + (f"，{len(result.already)}次已登记未重复添加。" if result.already else "。"),
            )
            for w in result.warnings[:20]:
                messages.warning(request, w)
            return redirect("meetings:list")
        return render(request, "meetings/import.html", ctx | {"result": result}, status=422)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        if f.size > 10 * 1024 * 1024:
            form.add_error("file", "文件太大，不能超过10MB。")
        else:
            try:
                table = ledger.read_rows(f.read(), f.name)
            except ledger.LedgerError as e:
                form.add_error("file", e.message)
            else:
                result = ledger.import_meetings(table, user=request.user, orgs=orgs, dry_run=True)
                if result.ok:
                    old = request.session.get(IMPORT_SESSION_KEY) or {}
                    drop_preview(old.get("token"))
                    kept = {"table": table.to_state(), "basis": result.basis}
                    request.session[IMPORT_SESSION_KEY] = {"token": keep_preview(kept)}
                ctx["preview"] = result.ok
    return render(request, "meetings/import.html", ctx | {"result": result})


@scoped(roles=STAFF_ROLES)
def export_view(request):
    """The meeting ledger (same columns as the import) for the filters given."""
    qs, f = _filtered(request)
    return _export(request, qs, f)


@scoped(roles=ADMIN_ONLY, write=True)
def requirements(request):
    root = scope_root(request.user)
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.set_requirement(
                org=root, kind=cd["kind"], period=cd["period"], minimum=cd["minimum"], note=cd["note"]
            )
        except services.MeetingError as e:
            form.add_error(None, e.messages[0])
        else:
            messages.success(request, "频次要求已保存。")
            return redirect("meetings:requirements")
    from dangjian.rules.orglife import DEFAULT_REQUIREMENTS

    local = visible_to(request.user, KindRequirement).select_related("org")
    effective = selectors.requirements_for(root.path, selectors.requirement_settings(root))
    return render(
        request,
        "meetings/requirements.html",
        {
            "form": form,
            "defaults": DEFAULT_REQUIREMENTS,
            "local": local,
            "effective": [(r, selectors.PERIOD_LABELS.get(r.period, r.period)) for r in effective],
            "periods": selectors.PERIOD_LABELS,
        },
    )

"""Views for 会议通知: publish, list, sign in (QR, one tap, 代签), cancel; recording starts
from meetings:add?notice=<id>."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import editable_by, visible_to
from dangjian.core import clock
from dangjian.meetings import notices
from dangjian.meetings.forms import NoticeForm
from dangjian.meetings.models import Kind, MeetingNotice
from dangjian.meetings.services import MeetingError
from dangjian.members.models import Member
from dangjian.orgs.models import OrgType


def default_topic(kinds, month: int) -> str:
    """The topic a secretary would type for the kinds chosen (e.g. “12月支委会”)."""
    order = [Kind.COMMITTEE_MEETING, Kind.THEME_DAY, Kind.MEMBER_MEETING, Kind.GROUP_MEETING, Kind.PARTY_LECTURE]
    for k in order:
        if k in kinds:
            return f"{month}月{Kind(k).label}"
    for k in kinds:
        if k in Kind.values:
            return f"{month}月{Kind(k).label}"
    return ""


@scoped(roles=STAFF_ROLES)
def notice_list(request):
    from dangjian.meetings.views import _writable_orgs

    today = clock.today()
    qs = visible_to(request.user, MeetingNotice).select_related("org").filter(cancelled=False)
    upcoming = qs.filter(meeting__isnull=True).order_by("date", "start_time")
    recorded = qs.filter(meeting__isnull=False).order_by("-date")[:20]
    return render(
        request,
        "meetings/notice_list.html",
        {
            "upcoming": upcoming,
            "recorded": recorded,
            "today": today,
            "can_write": request.user.role in WRITER_ROLES and _writable_orgs(request.user).exists(),
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def notice_add(request):
    from dangjian.meetings.views import _pick_org, _writable_orgs

    org = _pick_org(request)
    today = clock.today()
    if request.method == "POST" and "save" in request.POST:
        form = NoticeForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                notice = notices.publish_notice(
                    user=request.user,
                    data=notices.NoticeInput(
                        org=org,
                        kinds=cd["kinds"],
                        date=cd["date"],
                        start_time=cd["start_time"],
                        end_time=cd["end_time"],
                        place=cd["place"],
                        topic=cd["topic"],
                        note=cd["note"],
                    ),
                )
            except MeetingError as e:
                for msg in e.messages:
                    form.add_error(None, msg)
            else:
                messages.success(request, "会议通知已发布，参会党员可在“我的”中看到。")
                return redirect("meetings:notice", notice=notice.pk)
    else:
        kinds = [Kind.GROUP_MEETING] if org.org_type == OrgType.GROUP else [Kind.THEME_DAY]
        form = NoticeForm(
            initial={
                "kinds": kinds,
                "date": today,
                "start_time": "15:00",
                "end_time": "17:00",
                "place": "党群服务中心",
                "topic": default_topic(kinds, today.month),
            }
        )
    return render(
        request,
        "meetings/notice_form.html",
        {
            "form": form,
            "org": org,
            "orgs": _writable_orgs(request.user),
            "kind_data": {
                "topics": {k: default_topic([k], today.month) for k in Kind.values},
                "topic_order": [Kind.COMMITTEE_MEETING, Kind.THEME_DAY, Kind.MEMBER_MEETING, Kind.GROUP_MEETING],
            },
        },
    )


def _notice_context(request, notice):
    expected = notices.expected_for(notice)
    signins = {s.member_id: s for s in notice.signins.select_related("signed_by")}
    member = request.user.member if request.user.member_id else None
    start, end = notices.sign_in_window(notice)
    return {
        "n": notice,
        "rows": [{"m": m, "s": signins.get(m.pk)} for m in expected],
        "signed_count": sum(1 for m in expected if m.pk in signins),
        "member": member,
        "mine": signins.get(member.pk) if member else None,
        "is_expected": bool(member and member.pk in {m.pk for m in expected}),
        "window": (timezone.localtime(start), timezone.localtime(end)),
        "can_write": editable_by(request.user, MeetingNotice).filter(pk=notice.pk).exists(),
        "signin_url": request.build_absolute_uri(reverse("meetings:notice_signin", args=[notice.pk])),
        "recordable": notice.date <= clock.today() and not notice.meeting_id and not notice.cancelled,
    }


@scoped(notice=MeetingNotice)
def notice_detail(request, notice):
    return render(request, "meetings/notice_detail.html", _notice_context(request, notice))


@scoped(notice=MeetingNotice)
def notice_signin(request, notice):
    """The QR target and the one-tap button in 我的: GET shows the page, POST signs in."""
    ctx = _notice_context(request, notice)
    if request.method == "POST":
        member = ctx["member"]
        if member is None:
            messages.error(request, "您的账号没有关联党员信息，不能签到。")
        else:
            try:
                s = notices.sign_in(notice=notice, member=member)
            except MeetingError as e:
                messages.error(request, e.messages[0])
            else:
                messages.success(request, f"签到成功（{timezone.localtime(s.signed_in_at):%H:%M}）。")
                return redirect("meetings:notice_signin", notice=notice.pk)
    return render(request, "meetings/notice_signin.html", ctx)


@scoped(notice=MeetingNotice)
def notice_qr(request, notice):
    url = request.build_absolute_uri(reverse("meetings:notice_signin", args=[notice.pk]))
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=6, border=2, xmldecl=False)
    resp = HttpResponse(buf.getvalue(), content_type="image/svg+xml")
    resp["Cache-Control"] = "private, no-store"
    resp["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return resp


@scoped(roles=WRITER_ROLES, write=True, notice=MeetingNotice)
@require_POST
def notice_proxy(request, notice):
    try:
        member_id = int(request.POST.get("member") or 0)
    except ValueError:
        member_id = 0
    member = Member.objects.filter(pk=member_id, branch=notice.branch).first()
    if member is None:
        messages.error(request, "请选择本支部的党员。")
    else:
        try:
            notices.proxy_sign_in(
                notice=notice, member=member, user=request.user, reason=request.POST.get("reason", "")
            )
        except MeetingError as e:
            messages.error(request, e.messages[0])
        else:
            messages.success(request, f"已为{member.name}代签。")
    return redirect("meetings:notice", notice=notice.pk)


@scoped(roles=WRITER_ROLES, write=True, notice=MeetingNotice)
@require_POST
def notice_cancel(request, notice):
    try:
        notices.cancel_notice(notice=notice)
    except MeetingError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, "会议通知已取消。")
    return redirect("meetings:notices")


def notice_for_record(request):
    """The notice a record is made from (meetings:add?notice=<id>), checked writable."""
    raw = request.POST.get("notice") or request.GET.get("notice")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404("未找到会议通知") from None
    notice = editable_by(request.user, MeetingNotice).filter(pk=pk).first()
    if notice is None:
        raise Http404("未找到会议通知或无权记录")
    return notice

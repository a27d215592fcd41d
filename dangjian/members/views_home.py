"""The member's phone home (我的首页): five tiles, one tap each — 本月党费, 下次会议 (with
sign-in), 我的积分, 学习学时, 待办 — and the 大字模式 setting.

It only reads: each figure comes from its feature's selectors (dues, meetings, points,
study), imported where used so the foundation app does not depend on them at import time.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import WRITER_ROLES, Role
from dangjian.accounts.scope import get_in_scope, visible_to
from dangjian.core import clock
from dangjian.members.models import Member


def _tiles(user, member, today):
    from dangjian.dues.selectors import member_dues, this_month
    from dangjian.meetings.models import MeetingNotice, NoticeSignIn
    from dangjian.points.selectors import member_points
    from dangjian.study.selectors import member_study

    dues = member_dues(member, today=today)
    # 本月党费: the same selector as the secretary's home panel (dues.selectors.this_month).
    month = this_month(member=member, today=today)
    notice = (
        visible_to(user, MeetingNotice)
        .filter(cancelled=False, meeting__isnull=True, date__gte=today, date__lte=today + timedelta(days=60))
        .order_by("date", "start_time")
        .first()
    )
    signed = bool(notice and NoticeSignIn.objects.filter(notice=notice, member=member).exists())
    points = sum((p for _i, _c, p, _s in member_points(member, today.year, today=today)), 0)
    study = member_study(member, today.year)
    todo = []
    if dues["arrears_months"]:
        todo.append((f"党费欠交{len(dues['arrears_months'])}个月，共{dues['arrears_amount']}元", "dues:mine"))
    if notice and not signed:
        todo.append((f"{notice.date.month}月{notice.date.day}日 {notice.topic}：请按时参加并签到", "meetings:mine"))
    if study["shortfall"] > 0:
        todo.append((f"今年学习还差{study['shortfall']}学时", "study:mine"))
    return {
        "dues_month": month,
        "dues": dues,
        "notice": notice,
        "signed": signed,
        "points": points,
        "study": study,
        "todo": todo,
    }


@scoped(roles=frozenset({Role.MEMBER}))
def member_home(request):
    if not request.user.member_id:
        raise Http404("您的账号没有对应的党员档案")
    member = Member.objects.select_related("branch").get(pk=request.user.member_id)
    today = clock.today()
    return render(
        request, "members/home.html", {"member": member, "today": today, **_tiles(request.user, member, today)}
    )


@scoped(roles=frozenset({Role.MEMBER, *WRITER_ROLES}))
@require_POST
def large_print(request):
    """Turn 大字模式 on or off: a member for themself; a secretary (writer) for a member in
    scope (?member=<id>), whose account(s) get the setting."""
    on = request.POST.get("on") == "1"
    mid = request.POST.get("member")
    if mid and request.user.role in WRITER_ROLES:
        member = get_in_scope(request.user, Member, mid, write=True)
        from django.contrib.auth import get_user_model

        get_user_model().objects.filter(member=member).update(large_print=on)
        messages.success(request, f"已为{member.name}{'开启' if on else '关闭'}大字模式。")
        return redirect("members:detail", member=member.pk)
    request.user.large_print = on
    request.user.save(update_fields=["large_print"])
    messages.success(request, "已开启大字模式。" if on else "已关闭大字模式。")
    return redirect("members:home")

"""Accounts at scale (issue 15): accounts for a branch's 支委 (from the posts) and for all its
members in one step, each with an initial password printed on cut-out slips (A4) carrying the
sign-in address as a QR code; a secretary resets a member's password. The same slips can be
downloaded once as a Word file (POST with a stated purpose, logged: it holds the passwords)."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from dangjian.accounts import services
from dangjian.accounts.access import scoped
from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import get_in_scope, orgs_in_scope, visible_to
from dangjian.core import clock
from dangjian.members.models import Member

CREATOR_ROLES = frozenset({Role.ADMIN, Role.SECRETARY})
SLIPS_PER_PAGE = 10  # 2 × 5 on one A4 sheet
SLIPS_SESSION_KEY = "account_slips"  # the token of the slips just made, kept encrypted for the Word copy


def landing_for(user: User) -> str:
    """Where a slip's QR code leads after signing in: a member's own page, staff's 本月待办."""
    return reverse("members:me") if user.role == Role.MEMBER else reverse("meetings:todo")


def sign_in_link(request, user: User) -> str:
    return request.build_absolute_uri(reverse("accounts:login") + "?" + urlencode({"next": landing_for(user)}))


def slips_response(request, created: list[tuple[User, str]], *, title: str):
    slips = []
    for user, password in created:
        link = sign_in_link(request, user)
        slips.append(
            {
                "user": user,
                "password": password,
                "link": link,
                "qr": segno.make(link, error="m").svg_inline(scale=2, border=1),
                "where": user.org or (user.member.branch if user.member_id else None),
            }
        )
    pages = [slips[i : i + SLIPS_PER_PAGE] for i in range(0, len(slips), SLIPS_PER_PAGE)]
    _keep_slips(request, slips, title)
    resp = render(request, "accounts/slips.html", {"pages": pages, "count": len(slips), "title": title})
    add_never_cache_headers(resp)  # the passwords must not linger in a cache
    return resp


def _keep_slips(request, slips: list[dict], title: str) -> None:
    """The slips just shown, kept encrypted (core.spreadsheet preview store: mode 600, swept
    after an hour) for one Word download; the previous ones are dropped."""
    from dangjian.core.spreadsheet import drop_preview, keep_preview

    old = request.session.pop(SLIPS_SESSION_KEY, None) or {}
    drop_preview(old.get("token"))
    state = {
        "title": title,
        "by": request.user.pk,
        "slips": [
            {"name": s["user"].full_name or s["user"].username, "where": getattr(s["where"], "name", ""),
             "username": s["user"].username, "password": s["password"], "link": s["link"]}
            for s in slips
        ],
    }  # fmt: skip
    request.session[SLIPS_SESSION_KEY] = {"token": keep_preview(state), "count": len(slips), "title": title}


@require_POST
@scoped(roles=CREATOR_ROLES)
def slips_docx(request):
    """The slips just made as a Word file: POST with a stated purpose, logged like the other
    sensitive exports, and only once (the kept copy is dropped when it is downloaded)."""
    from dangjian.accounts.models import RevealEvent
    from dangjian.accounts.slips_docx import Slip
    from dangjian.accounts.slips_docx import slips_docx as build
    from dangjian.core.docx import docx_response
    from dangjian.core.spreadsheet import drop_preview, load_preview
    from dangjian.members.services import check_purpose

    info = request.session.get(SLIPS_SESSION_KEY) or {}
    state = load_preview(info.get("token"))
    if state is None or state.get("by") != request.user.pk:
        messages.error(request, "密码条已下载过或已过期（超过1小时）：初始密码不再保存。如需新的密码条，请重置密码。")
        return redirect("accounts:bulk")
    try:
        purpose = check_purpose(request.POST.get("purpose", ""))
    except ValidationError as e:
        ctx = {"count": info.get("count", 0), "title": info.get("title", ""), "error": "；".join(e.messages)}
        resp = render(request, "accounts/slips_docx_confirm.html", ctx, status=400)
        add_never_cache_headers(resp)
        return resp
    slips = [Slip(**s) for s in state["slips"]]
    RevealEvent.objects.create(
        user=request.user,
        kind=RevealEvent.Kind.SLIPS,
        detail=f"下载密码条（Word）{len(slips)} 人：{state['title']}"[:200],
        purpose=purpose,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
    )
    drop_preview(info.get("token"))
    request.session.pop(SLIPS_SESSION_KEY, None)
    content = build(slips, title=state["title"], on=clock.today())
    resp = docx_response(content, f"密码条-{state['title']}.docx")
    add_never_cache_headers(resp)
    return resp


@scoped(roles=CREATOR_ROLES)
def bulk(request):
    """A branch's members and their accounts; the buttons that make them."""
    branches = orgs_in_scope(request.user, branches_only=True)
    branch = None
    if request.GET.get("branch"):
        branch = get_in_scope(request.user, branches, request.GET["branch"])
    elif branches.count() == 1:
        branch = branches.first()
    rows = []
    if branch is not None:
        members = visible_to(request.user, Member).filter(branch=branch, is_current=True).order_by("name_pinyin")
        accounts = {u.member_id: u for u in User.objects.filter(member__in=members)}
        rows = [(m, accounts.get(m.pk)) for m in members]
    return render(
        request,
        "accounts/bulk.html",
        {"branches": branches, "branch": branch, "rows": rows, "without": sum(1 for _, a in rows if a is None)},
    )


@require_POST
@scoped(roles=CREATOR_ROLES, write=True)
def bulk_create(request):
    what = request.POST.get("what")
    under = None
    if request.POST.get("branch"):
        under = get_in_scope(request.user, orgs_in_scope(request.user), request.POST["branch"], write=True)
    try:
        if what == "posts":
            created = services.create_post_accounts(by=request.user, under=under)
            title = "支部书记、支委账号"
        elif what == "members" and under is not None:
            created = services.create_member_accounts(by=request.user, branch=under)
            title = f"{under}党员账号"
        else:
            messages.error(request, "请选择党支部。")
            return redirect("accounts:bulk")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("accounts:bulk")
    if not created:
        messages.info(request, "没有需要新建账号的人员（都已有账号，或尚未任命支委）。")
        url = reverse("accounts:bulk")
        return redirect(f"{url}?branch={under.pk}" if under else url)
    return slips_response(request, created, title=title)


@require_POST
@scoped(member=Member, roles=CREATOR_ROLES, write=True)
def member_reset(request, member):
    try:
        user, password = services.reset_member_password(by=request.user, member=member)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('accounts:bulk')}?branch={member.branch_id}")
    return slips_response(request, [(user, password)], title=f"{member.name}的新密码")

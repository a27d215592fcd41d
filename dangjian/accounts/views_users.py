"""账号管理 for the township administrator: list, create (initial password shown once),
edit, reset password, deactivate. Only accounts within the administrator's scope."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode

from dangjian.accounts import services
from dangjian.accounts.access import scoped
from dangjian.accounts.forms import AccountForm
from dangjian.accounts.models import User
from dangjian.accounts.roles import ADMIN_ONLY, Role
from dangjian.accounts.scope import visible_to


def _show_password_once(request, user, password, *, created: bool):
    resp = render(request, "accounts/user_password.html", {"account": user, "password": password, "created": created})
    add_never_cache_headers(resp)  # the password must not linger in a cache
    return resp


@scoped(roles=ADMIN_ONLY)
def user_list(request):
    qs = (
        visible_to(request.user, User)
        .select_related("org", "member", "member__branch")
        .order_by("org__path", "role", "username")
    )
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    role = request.GET.get("role") or ""
    if role in Role.values:
        qs = qs.filter(role=role)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = urlencode({"q": q, "role": role})  # the filters the 翻页 links keep
    ctx = {"page": page, "q": q, "role": role, "roles": Role.choices, "query": query}
    return render(request, "accounts/users.html", ctx)


@scoped(roles=ADMIN_ONLY, write=True)
def user_add(request):
    form = AccountForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, password = services.create_account(
                by=request.user,
                username=d["username"],
                full_name=d["full_name"],
                role=d["role"],
                org=d.get("org"),
                member=d.get("member"),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if hasattr(exc, "messages") else str(exc))
        else:
            return _show_password_once(request, user, password, created=True)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@scoped(user=User, roles=ADMIN_ONLY, write=True)
def user_edit(request, user):
    account = user
    initial = {"full_name": account.full_name, "role": account.role, "org": account.org_id}
    form = AccountForm(None, by=request.user, editing=account, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "reset":
                password = services.reset_password(by=request.user, user=account)
                return _show_password_once(request, account, password, created=False)
            if action in ("deactivate", "activate"):
                services.set_active(by=request.user, user=account, active=action == "activate")
                messages.success(request, "账号已停用。" if action == "deactivate" else "账号已启用。")
                return redirect("accounts:user_edit", user=account.pk)
            if action == "unlock":
                services.unlock(account)
                messages.success(request, "已解除登录锁定。")
                return redirect("accounts:user_edit", user=account.pk)
            form = AccountForm(request.POST, by=request.user, editing=account)
            if form.is_valid():
                d = form.cleaned_data
                services.update_account(
                    by=request.user, user=account, full_name=d["full_name"], role=d["role"], org=d.get("org")
                )
                messages.success(request, "账号已保存。")
                return redirect("accounts:users")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, exc.messages[0] if hasattr(exc, "messages") else str(exc))
            return redirect("accounts:user_edit", user=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": account})

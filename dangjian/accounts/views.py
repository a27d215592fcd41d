from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.forms import LoginForm  # noqa: F401 (re-exported: tests and e2e import it from here)


@scoped(public=True)
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    device = None
    if request.method == "POST":
        from dangjian.accounts.global_rate import too_many_failures

        if too_many_failures():
            paused = "系统在一分钟内收到大量错误登录，已暂停登录 1 分钟以防猜测密码，请稍后再试。"
            return render(request, "accounts/login.html", {"form": LoginForm(request), "paused": paused}, status=429)
    if request.method == "POST" and request.POST.get("token"):
        # The account's own second factor lifts a lockout (which an attacker may have caused);
        # the password is still checked below.
        from dangjian.accounts import two_factor
        from dangjian.accounts.services import unlock_username

        device = two_factor.device_for_username(request.POST.get("username", ""), request.POST["token"])
        if device is not None:
            unlock_username(device.user.username)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        if device is not None and device.user_id == request.user.pk:
            from django_otp import login as otp_login

            otp_login(request, device)
        nxt = request.GET.get("next", "")
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect("home")
    return render(request, "accounts/login.html", {"form": form})


@require_POST
@scoped(public=True)
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@scoped()
def password_change(request):
    form = PasswordChangeForm(request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        nxt = request.POST.get("next") or request.GET.get("next", "")
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
            return redirect(nxt)
        return redirect("home")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password, "next": request.GET.get("next", "")},
    )

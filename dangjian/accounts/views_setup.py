"""The set-up page of a new installation (issue 15): only while no organization exists."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render

from dangjian.accounts import setup
from dangjian.accounts.access import scoped
from dangjian.accounts.forms import SetupForm
from dangjian.accounts.models import User


@scoped(public=True)
def setup_view(request):
    if not setup.needs_setup():
        return redirect("home")
    existing = None
    if User.objects.exists():
        # An account was made first (createsuperuser): only it, logged in, finishes the set-up.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            return render(
                request, "core/error.html",
                {"title": "尚未设置", "message": "系统尚未设置最上级党组织，请由系统管理员（createsuperuser 建立的账号）登录后设置。"},
                status=403,
            )  # fmt: skip
        existing = request.user
    form = SetupForm(request.POST or None, existing_user=existing)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            top, admin = setup.set_up(
                name=d["name"], short_name=d["short_name"], org_type=d["org_type"], category=d["category"],
                higher=(d.get("higher") or "").splitlines(), user=existing,
                username=d.get("username", ""), full_name=d.get("full_name", ""), password=d.get("password1", ""),
            )  # fmt: skip
        except setup.SetupError as exc:
            form.add_error(None, exc.message)
        else:
            if existing is None:
                login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"已建立{top.name}。下一步：按首页的清单导入组织架构。")
            return redirect("home")
    return render(request, "accounts/setup.html", {"form": form, "existing": existing})

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import scope_root


@scoped()
def home(request):
    if request.user.role == Role.MEMBER:
        return redirect("members:home")
    from dangjian.shell.home import home_context

    root = scope_root(request.user)
    return render(request, "shell/home.html", home_context(request.user, root))


@scoped(public=True)
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def forbidden(request, exception=None):
    msg = str(exception) if exception and str(exception) else "您没有权限访问此页面。"
    return render(request, "core/error.html", {"title": "无权访问", "message": msg}, status=403)


def not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": "未找到", "message": "页面或记录不存在，或不在您的权限范围内。"},
        status=404,
    )


def server_error(request):
    return render(
        request,
        "core/error.html",
        {"title": "系统出错", "message": "系统出错了，已记录。请稍后重试，数据未受影响。"},
        status=500,
    )


def json_or_404(data):
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})

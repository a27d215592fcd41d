"""Two-factor pages: set up (QR code, first code, recovery codes once) and verify."""

from django.contrib import messages
from django.shortcuts import redirect, render

from dangjian.accounts import two_factor
from dangjian.accounts.access import scoped


@scoped()
def setup(request):
    user = request.user
    if not two_factor.offered_to(user):
        messages.info(request, "您的角色无需设置两步验证。")
        return redirect("home")
    if two_factor.has_device(user) and not user.is_verified():
        return redirect("accounts:two_factor_verify")
    error = ""
    if request.method == "POST":
        codes = two_factor.confirm_setup(request, request.POST.get("token", ""))
        if codes is not None:
            resp = render(request, "accounts/two_factor_codes.html", {"codes": codes})
            return resp
        error = "验证码不对，请用手机验证器上当前显示的 6 位数字再试一次（注意手机时间要准确）。"
    key = two_factor.pending_key(request.session)
    import segno

    uri = two_factor.provisioning_uri(user, key)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "qr_svg": qr_svg,
            "secret": two_factor.readable_secret(key),
            "error": error,
            "required": two_factor.required_for(user),
            "has_device": two_factor.has_device(user),
        },
    )


@scoped()
def verify(request):
    user = request.user
    if not two_factor.has_device(user):
        return redirect("accounts:two_factor_setup")
    if user.is_verified():
        return redirect("home")
    error = ""
    if request.method == "POST":
        if two_factor.verify(request, request.POST.get("token", "")):
            return redirect("home")
        error = "验证码不对或已用过，请再试一次。手机不在身边时可输入一个恢复码。"
    return render(request, "accounts/two_factor_verify.html", {"error": error})

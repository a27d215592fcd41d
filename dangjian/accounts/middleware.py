from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PREFIXES = ("/static/",)
ALLOWED_NAMES = ("accounts:login", "accounts:logout", "accounts:password_change")


class PasswordChangeRequiredMiddleware:
    """A generated (demo or imported) account must change its password at first login.

    Until it does, every page except login, logout and the password change redirects to
    the password change (not just "/accounts/…": account management lives there too).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(ALLOWED_PREFIXES)
            and request.path not in {reverse(n) for n in ALLOWED_NAMES}
        ):
            return redirect(reverse("accounts:password_change"))
        return self.get_response(request)

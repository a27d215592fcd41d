from urllib.parse import urlencode

from django.conf import settings
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
            target = reverse("accounts:password_change")
            # Keep the page the person wanted (a QR sign-in link) through the change.
            if request.method == "GET" and request.path != reverse("home"):
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)


class FirstRunMiddleware:
    """On an empty installation (no organization, demo off) every page leads to the set-up page."""

    ALLOWED = ("/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not getattr(settings, "DEMO_MODE", True) and not request.path.startswith(self.ALLOWED):
            setup_url = reverse("accounts:setup")
            if request.path not in (setup_url, reverse("accounts:login"), reverse("accounts:logout")):
                from dangjian.accounts.setup import needs_setup

                if needs_setup():
                    return redirect(setup_url)
        return self.get_response(request)

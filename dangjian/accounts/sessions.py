"""Sessions: an idle timeout (IDLE_TIMEOUT_SECONDS, default 30 min) under the absolute
SESSION_COOKIE_AGE, and one active session per staff account (signing in again ends the
older session, wherever it is)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect

LAST_SEEN = "dangjian_last_seen"
TOUCH_EVERY = 60  # seconds: the session is written at most once a minute for the idle clock


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > settings.IDLE_TIMEOUT_SECONDS:
                logout(request)
                from django.contrib import messages

                messages.info(request, "长时间未操作，已自动退出登录，请重新登录。")
                return redirect(settings.LOGIN_URL)
            if last is None or now - int(last) >= TOUCH_EVERY:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in)
def one_session_per_staff_account(sender, request, user, **kwargs):
    from django.contrib.sessions.models import Session

    from dangjian.accounts.models import ActiveSession
    from dangjian.accounts.roles import STAFF_ROLES

    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_SEEN] = int(time.time())
    from dangjian.accounts import two_factor

    # Looked up once at sign-in, not on every page (accounts.middleware.TwoFactorRequiredMiddleware).
    request.session[two_factor.SESSION_HAS_DEVICE] = two_factor.has_device(user)
    if user.role not in STAFF_ROLES or not settings.ONE_SESSION_PER_STAFF_ACCOUNT:
        return
    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key
    old = ActiveSession.objects.filter(user=user).exclude(session_key=key).values_list("session_key", flat=True)
    Session.objects.filter(session_key__in=list(old)).delete()
    ActiveSession.objects.update_or_create(user=user, defaults={"session_key": key})


class NoStoreMiddleware:
    """Pages and files for a signed-in user hold personal data: no browser or proxy keeps a copy
    (Cache-Control: no-store), so the next person at a shared office PC cannot page back to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/"))
        ):
            from django.utils.cache import add_never_cache_headers

            add_never_cache_headers(response)
        return response

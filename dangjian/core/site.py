"""Absolute links (the meeting QR sign-in) from the configured site address, never from the
request's Host header (which a client chooses)."""

from django.conf import settings


def absolute_url(request, path: str) -> str:
    base = (settings.SITE_URL or "").rstrip("/")
    if base:
        return base + path
    # No address configured: Host is still checked against ALLOWED_HOSTS (not '*').
    return request.build_absolute_uri(path)

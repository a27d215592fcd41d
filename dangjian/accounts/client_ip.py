"""The client's address, from a trusted proxy only.

Behind the nginx of docs/DEPLOYMENT.md every request comes from 127.0.0.1; the real client
is the last address nginx appended to X-Forwarded-For (`proxy_add_x_forwarded_for`). The
header is believed only when the direct peer is one of TRUSTED_PROXIES, and then only its
right-most untrusted entry (anything to its left was written by the client). Otherwise the
header is dropped, so no library downstream (django-axes lockouts, auditlog, reveal logs)
can be fed a forged address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(addr: str) -> str | None:
    addr = addr.strip()
    if addr.startswith("[") and "]" in addr:  # [v6]:port
        addr = addr[1 : addr.index("]")]
    elif addr.count(":") == 1:  # v4:port
        addr = addr.split(":")[0]
    try:
        return str(ipaddress.ip_address(addr))
    except ValueError:
        return None


def resolve(meta: dict) -> str | None:
    peer = meta.get("REMOTE_ADDR") or None
    trusted = set(settings.TRUSTED_PROXIES)
    if peer not in trusted:
        return peer
    header = meta.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(header.split(",")):
        addr = _valid(part)
        if addr is None:
            break
        if addr not in trusted:
            return addr
    return peer


class TrustedProxyMiddleware:
    """First in the chain: REMOTE_ADDR becomes the real client, X-Forwarded-For is removed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        addr = resolve(request.META)
        request.META.pop("HTTP_X_FORWARDED_FOR", None)
        if addr:
            request.META["REMOTE_ADDR"] = addr
        return self.get_response(request)


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE (REMOTE_ADDR is already the client, see the middleware)."""
    return resolve(request.META)

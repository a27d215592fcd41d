"""A global cap on failed sign-ins: password spraying over many user names from many
addresses stays under per-user and per-address limits, but not under this one.

Counted from django-axes' failure log (the database, so every worker process sees the same
count). Above LOGIN_GLOBAL_FAILURES_PER_MINUTE failures in the last minute, sign-in pauses
for everyone for that minute — accounts already signed in are not touched, and accounts
with two-factor are unaffected in effect (an attacker cannot pass the second factor).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def too_many_failures() -> bool:
    from axes.models import AccessFailureLog

    limit = settings.LOGIN_GLOBAL_FAILURES_PER_MINUTE
    if not limit:
        return False
    since = timezone.now() - timedelta(minutes=1)
    return AccessFailureLog.objects.filter(attempt_time__gte=since).count() >= limit

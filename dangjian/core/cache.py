"""Caching of expensive figures (yearly summaries, home panels) with correct invalidation.

Every INSERT, UPDATE or DELETE on a project table — through the ORM, bulk operations,
`QuerySet.update()` or raw `executemany` alike — is seen by a database execute wrapper,
which gives the `core_dataversion` row a new random token in the same transaction (one small
UPDATE per write statement). Cached
values are stored under the token they were computed at, so a write invalidates them for
every process at once; a rolled-back write rolls the token back too, and a fresh token is
never reused, so nothing stale can be served.

The cache backend is Django's (per-process memory by default; set CACHE_URL for Redis
when several processes serve). Reading the token costs one small query per request.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Model

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
# Writes that do not change the figures people see.
IGNORED_TABLES = {
    "core_dataversion",
    "django_session",
    "auditlog_logentry",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "accounts_revealevent",
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "integrity_scanrun",
}
TOKEN_SQL = "UPDATE core_dataversion SET token = %s WHERE id = 1"


_migrating = False


def migrating(sender=None, **kwargs) -> None:
    """pre_migrate: schema changes are not data writes (and the token table may not exist yet)."""
    global _migrating
    _migrating = True


def migrated(sender=None, **kwargs) -> None:
    global _migrating
    _migrating = False


def write_watcher(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _migrating:
        return result
    match = WRITE.match(sql) if isinstance(sql, str) else None
    if match and match.group(1).lower() not in IGNORED_TABLES:
        # Every project write gets a new token (one small UPDATE): simple, and no cached
        # figure can outlive a write, whatever savepoints or threads were involved.
        conn = context["connection"]
        token = uuid.uuid4().hex
        with conn.cursor() as cur:
            cur.execute(TOKEN_SQL, [token])
            if cur.rowcount == 0:  # the row was emptied (e.g. a flush): put it back
                cur.execute("INSERT INTO core_dataversion (id, token) VALUES (1, %s)", [token])
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """connection_created hook: watch this connection's writes."""
    if write_watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(write_watcher)


def data_version() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT token FROM core_dataversion WHERE id = 1")
        row = cur.fetchone()
    # No row (emptied by a flush): a key that is never reused, so nothing is served stale.
    return row[0] if row else uuid.uuid4().hex


def _part(value) -> str:
    if isinstance(value, Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={_part(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ",".join(_part(v) for v in value) + "]"
    return repr(value)


def cache_key(*parts) -> str:
    return "dj:" + hashlib.sha256("|".join(_part(p) for p in parts).encode()).hexdigest()


def cached(parts: tuple, compute: Callable, *, timeout: int = 3600, version: str | None = None):
    """`compute()` or its cached value for `parts` at the current data version."""
    key = cache_key(version or data_version(), *parts)
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    if value is not None:
        cache.set(key, value, timeout)
    return value

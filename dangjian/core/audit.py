"""Audit helpers on top of django-auditlog.

auditlog records every save/delete through signals. Bulk writes (imports, the monthly dues
screen, generated data) bypass signals, so they call `log_bulk` to write one LogEntry per
object in one INSERT, with the actor and address of the current request when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

ACTIONS = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE, "delete": LogEntry.Action.DELETE}


def _context() -> tuple[object | None, str | None]:
    """Actor and address of the request being handled. auditlog's middleware sets them in a
    context variable for each request (and never clears it), so outside a request pass the
    actor explicitly."""
    try:
        data = auditlog_value.get()
    except LookupError:
        return None, None
    actor = data.get("actor")
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return actor, data.get("remote_addr")


def log_bulk(
    objects: Iterable,
    *,
    action: str = "create",
    changes: dict | None = None,
    note: str = "",
    actor=None,
    remote_addr: str | None = None,
    batch_size: int = 2000,
) -> int:
    """One audit entry per object written by a bulk operation. Returns the count."""
    ctx_actor, ctx_addr = _context()
    actor = actor or ctx_actor
    remote_addr = remote_addr or ctx_addr
    now = timezone.now()
    entries = []
    ct_cache: dict[type, ContentType] = {}
    for obj in objects:
        model = type(obj)
        ct = ct_cache.get(model) or ct_cache.setdefault(model, ContentType.objects.get_for_model(model))
        entries.append(
            LogEntry(
                content_type=ct,
                object_pk=str(obj.pk),
                object_id=obj.pk if isinstance(obj.pk, int) else None,
                object_repr=str(obj)[:200],
                action=ACTIONS[action],
                changes=changes if changes is not None else {},
                changes_text=note,
                actor=actor,
                remote_addr=remote_addr,
                timestamp=now,
                additional_data={"bulk": True, "note": note} if note else {"bulk": True},
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(entries)


def history_for(obj, limit: int = 200):
    """Audit entries of one object, newest first (for a record's 修改记录)."""
    ct = ContentType.objects.get_for_model(type(obj))
    return (
        LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk))
        .select_related("actor")
        .order_by("-timestamp")[:limit]
    )


# Personal fields: the audit log records THAT they changed, never a value or a mask
# (an old and a new mask side by side, or a mask beside a birth date, can complete a number).
PERSONAL_FIELDS = (
    "id_number_mask",
    "phone_mask",
    "birth_date",
    "mobile_contact",
    "mobile_contact_mask",
)
CHANGED = "已修改"


def mask_changed(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: every personal value becomes "已修改" (empty stays empty)."""
    return CHANGED if value not in ("", "None") else value


def audit_pair(field: str, old: str, new: str) -> list[str]:
    """The [old, new] pair an audit entry stores for `field`."""
    if field in PERSONAL_FIELDS:
        return [mask_changed(old), mask_changed(new)]
    return [old, new]

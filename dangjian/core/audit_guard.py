"""The audit log is append-only from the application's point of view.

auditlog's LogEntry rows are written by signals and by `core.audit.log_bulk`; nothing in
the application may change or delete one afterwards. Model saves and deletes of LogEntry
(including QuerySet.delete(), which sends pre_delete for every row while a receiver is
connected) raise AuditLogImmutable. Deliberate maintenance (purging entries past the legal
retention period, a data migration) runs inside `audit_maintenance()`.

What this does not cover: raw SQL and QuerySet.update() bypass signals; no application
code uses them on LogEntry (tests/security/test_security_audit.py checks the tree), and the
database account itself is outside the application's threat model (see docs/SECURITY.md).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_maintenance: ContextVar[bool] = ContextVar("audit_maintenance", default=False)


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""


@contextmanager
def audit_maintenance():
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)


def _block_update(sender, instance, raw=False, **kwargs):
    if raw or _maintenance.get():
        return
    if instance.pk is not None and sender._base_manager.filter(pk=instance.pk).exists():
        raise AuditLogImmutable("审计日志只能追加，不能修改。")


def _block_delete(sender, instance, **kwargs):
    if _maintenance.get():
        return
    raise AuditLogImmutable("审计日志只能追加，不能删除。")


def connect() -> None:
    from auditlog.models import LogEntry
    from django.db.models.signals import pre_delete, pre_save

    pre_save.connect(_block_update, sender=LogEntry, dispatch_uid="audit_append_only_save")
    pre_delete.connect(_block_delete, sender=LogEntry, dispatch_uid="audit_append_only_delete")

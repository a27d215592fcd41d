"""Optimistic locking: the second of two concurrent edits is refused, never silently applied."""

from django.db import transaction

from dangjian.core.errors import ServiceError

CONFLICT_MESSAGE = "该记录已被他人修改（可能是同时编辑），为避免覆盖，本次保存未生效。请刷新页面后重新修改。"


class EditConflict(ServiceError):
    status = 409

    def __init__(self, message: str = CONFLICT_MESSAGE):
        super().__init__(message)


def save_versioned(obj, *, expected_version: int | None, update_fields=None) -> None:
    """Save `obj` only if nobody saved it since `expected_version` was read.

    The version bump is a conditional UPDATE, so it is atomic on SQLite and PostgreSQL
    alike; the full save that follows runs the normal signals (audit log).
    """
    model = type(obj)
    with transaction.atomic():
        if obj.pk is not None and expected_version is not None:
            bumped = model._default_manager.filter(pk=obj.pk, version=expected_version).update(
                version=expected_version + 1
            )
            if not bumped:
                raise EditConflict()
            obj.version = expected_version + 1
        obj.save(update_fields=update_fields)

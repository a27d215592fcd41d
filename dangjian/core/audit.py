"""Audit helpers on top of django-auditlog, and audit entries in words (change_rows).

auditlog records every save/delete through signals. Bulk writes (imports, the monthly dues
screen, generated data) bypass signals, so they call `log_bulk` to write one LogEntry per
object in one INSERT, with the actor and address of the current request when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.conf import settings
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


@contextmanager
def acting_as(actor, remote_addr: str | None = None) -> Iterator[None]:
    """auditlog's `set_actor` for code outside a request, restoring the actor before it on exit.

    `set_actor` sets the context variable and never resets it: a user set in one place stays the
    actor of every later save in that thread, and once that user's row is gone (a test's
    rollback) the next audit entry points at a missing user."""
    token = auditlog_value.set({})
    try:
        with set_actor(actor, remote_addr=remote_addr):
            yield
    finally:
        auditlog_value.reset(token)


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


# --- entries in words ---------------------------------------------------------------------
# An entry's changes are stored as auditlog wrote them: field names, str() of values,
# "None", "True", related managers as "points.ManualPoint.None". Every place that shows an
# entry (a record's 修改记录, the 审计日志 page and its export) puts them in words here, so a
# person reads labels and names, never a programmer's word.

MANAGER_REPR = re.compile(r"^\w+\.\w+\.None$")  # str() of a reverse relation's manager
DEFAULT_REPR = re.compile(r"^\w+ object \((\w+)\)$")  # str() of a model without __str__
# Models of other apps that have no Chinese verbose_name (or no longer exist).
MODEL_LABELS = {
    "revealevent": "敏感信息查看记录",
    "taskcategory": "任务类别",
    "task": "任务",
    "milestone": "任务节点",
    "progressreport": "进展报告",
    "disposalstep": "处置步骤",
    "staticdevice": "备用验证码",
    "totpdevice": "动态验证码设备",
}
# Fields whose verbose_name is not Chinese (treebeard's tree columns, a checksum, cache keys).
FIELD_LABELS = {
    "id": "编号",
    "path": "层级路径",
    "depth": "层级",
    "numchild": "下级组织数",
    "sha256": "文件校验码",
    "scope": "范围",
    "token": "版本标记",
}
UNKNOWN_FIELD = "已删除的字段"
# Search keys recomputed from another field on every save (a name's pinyin): the row of the
# field they come from says what changed; in Latin letters they would read as English.
DERIVED_FIELDS = frozenset({"name_pinyin", "name_initials"})
# Values that are codes without choices on their field (a points item's code, a list of
# meeting kinds, a MIME type): "app_label.model_name.field" → callable(text) → words.
# Filled by the apps that know the codes (shell.views_audit); a code with no entry is shown
# as stored.
VALUE_WORDS: dict[str, object] = {}
BOOLEANS = {"True": "是", "False": "否", "true": "是", "false": "否"}
EMPTY_VALUES = ("", "None", "null")


def model_name(model) -> str:
    label = str(model._meta.verbose_name)
    return MODEL_LABELS.get(model._meta.model_name, label) if label.isascii() else label


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 — a field removed since the entry was written
        return None


def field_label(model, name, field=None) -> str:
    """A field's label in words: its verbose_name, else the related model's name."""
    name = str(name)
    if not name.isascii():
        return name  # already words (a log_bulk note, an older entry)
    field = field if field is not None else _field(model, name)
    if field is None:
        return FIELD_LABELS.get(name, UNKNOWN_FIELD)
    if field.is_relation and field.auto_created and not field.concrete:
        # A reverse relation has no verbose_name of its own: the related records' name.
        return str(field.related_model._meta.verbose_name_plural or model_name(field.related_model))
    label = str(getattr(field, "verbose_name", "") or "")
    if label and not label.isascii():
        return label
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if getattr(field, "related_model", None) is not None:
        return model_name(field.related_model)
    return "其他信息"


def _local_datetime(text: str) -> str:
    """auditlog stores a DateTimeField as naive UTC ("2026-03-01 02:00:00"): local time, to the minute."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def value_in_words(value, field=None) -> str:
    """A stored value as people say it: the choice's label, 是/否, a related record's name,
    "" for none (pages show it as （空）)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("是" if value else "否")
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return "、".join(w for w in (value_in_words(v, getattr(field, "base_field", None)) for v in value) if w)
        return f"（明细数据，共{len(value)}项）"
    if isinstance(value, dict):
        return "（明细数据）" if value else ""
    text = str(value)
    if text in EMPTY_VALUES or MANAGER_REPR.match(text):
        return ""
    if field is not None:
        words = VALUE_WORDS.get(f"{field.model._meta.label_lower}.{field.name}")
        if words is not None:
            shown = words(text)
            if shown:
                return shown
        choices = getattr(field, "flatchoices", None)
        if choices:
            shown = {str(k): str(v) for k, v in choices}.get(text)
            if shown is not None:
                return shown
        internal = field.get_internal_type() if hasattr(field, "get_internal_type") else ""
        if internal == "DateTimeField":
            text = _local_datetime(text)
    m = DEFAULT_REPR.match(text)
    if m:
        related = getattr(field, "related_model", None)
        return f"{model_name(related) if related is not None else '记录'} 第{m.group(1)}号"
    if text in BOOLEANS:
        return BOOLEANS[text]
    limit = getattr(settings, "AUDITLOG_CHANGE_DISPLAY_TRUNCATE_LENGTH", 140)
    return text[:limit] + "…" if 0 < limit < len(text) else text


def change_rows(entry) -> list[tuple[str, str, str]]:
    """(label, before, after) rows of an entry, all in words; "" means empty. A row that says
    nothing (both sides empty — a reverse relation's manager on create/delete) is left out;
    the entry itself is always shown by the caller."""
    try:
        changes = entry.changes_dict or {}
    except Exception:  # noqa: BLE001 — text that is not JSON
        changes = {}
    if not isinstance(changes, dict):
        return []
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for name, pair in changes.items():
        if name in DERIVED_FIELDS:
            continue
        field = _field(model, str(name))
        label = field_label(model, name, field)
        if isinstance(pair, dict):  # m2m: {"type": "m2m", "operation": "add", "objects": [...]}
            names = "、".join(w for w in (value_in_words(o) for o in pair.get("objects") or []) if w)
            op = {"add": "添加", "delete": "移除"}.get(pair.get("operation"), "修改")
            rows.append((label, "", f"{op}：{names}" if names else op))
            continue
        if isinstance(pair, (list, tuple)):
            before, after = (list(pair) + [None, None])[:2]
        else:
            before, after = None, pair
        before, after = value_in_words(before, field), value_in_words(after, field)
        if before or after:
            rows.append((label, before, after))
    return rows


def entry_model_label(entry) -> str:
    model = entry.content_type.model_class() if entry.content_type_id else None
    if model is not None:
        return model_name(model)
    return MODEL_LABELS.get(entry.content_type.model, "已删除的数据类型") if entry.content_type_id else ""


def object_name(entry) -> str:
    """The object's name; “ScanRun object (1)” (a model without a name) becomes “扫描记录 第1号”."""
    text = entry.object_repr or ""
    m = DEFAULT_REPR.match(text)
    if m or not text:
        return f"{entry_model_label(entry)} 第{m.group(1) if m else entry.object_pk}号"
    return text

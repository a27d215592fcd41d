"""审计日志 as a streamed xlsx (core.exports): the background job kind "audit"."""

from __future__ import annotations

from django.conf import settings

from dangjian.accounts.scope import scope_root
from dangjian.core import jobs
from dangjian.core.xlsx import write_ledger


# --- 审计日志 ---------------------------------------------------------------------------------
@jobs.job_kind("audit", "审计日志导出")
def audit(*, job, request, progress, target) -> None:
    from dangjian.shell import views_audit as va

    form, qs = va._filtered(request)
    write_ledger(
        target,
        title="审计日志",
        headers=["时间", "操作人", "账号", "操作", "数据类型", "编号", "对象", "修改内容（修改前 → 修改后）", "IP地址"],
        rows=audit_rows(qs[: va.EXPORT_LIMIT]),
        org=str(scope_root(request.user) or ""),
        user=request.user,
        filters=va.describe_filters(form),
        progress=progress,
    )


_EMPTY_JSON = frozenset({"{}", "null", "[]", '""'})
AUDIT_FIELDS = (
    "timestamp",
    "actor_id",
    "actor__full_name",
    "actor__username",
    "action",
    "content_type_id",
    "object_pk",
    "object_repr",
    "changes_raw",
    "changes_text",
    "remote_addr",
)


def audit_rows(qs):
    """The export's rows: one query of plain values (no model instance per entry); the audit
    page's own wording functions (views_audit) are applied only where an entry needs them —
    an entry with changes, or an object without a name — on a light entry built from those
    values, so the words are the page's. Bulk entries repeat the same changes: each distinct
    (data type, changes) pair is put in words once."""
    import json

    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from dangjian.shell import views_audit as va

    labels: dict[int, str] = {}
    worded: dict[tuple, str] = {}
    text_fallback = settings.AUDITLOG_USE_TEXT_CHANGES_IF_JSON_IS_NOT_PRESENT

    def light(ct_id, object_pk, object_repr, changes, changes_text):
        e = LogEntry(object_pk=object_pk, object_repr=object_repr, changes=changes, changes_text=changes_text)
        e.content_type = ContentType.objects.get_for_id(ct_id)  # cached: no query per entry
        return e

    # The changes come as their JSON text: most entries (bulk writes) have none, and equal
    # texts are decoded and put in words once.
    values = qs.annotate(changes_raw=Cast("changes", TextField())).values_list(*AUDIT_FIELDS)
    for ts, actor_id, full_name, username, action, ct_id, opk, orepr, raw, ctext, addr in values.iterator(
        chunk_size=2000
    ):
        entry = None
        if ct_id not in labels:
            entry = light(ct_id, opk, orepr, None, ctext)
            labels[ct_id] = va._model_label(entry)
        if (raw is None or raw in _EMPTY_JSON) and not (ctext and text_fallback):
            text = ""  # no changes recorded: nothing to put in words
        else:
            key = (ct_id, raw, ctext if text_fallback else "")
            text = worded.get(key)
            if text is None:
                changes = json.loads(raw) if raw is not None else None
                entry = light(ct_id, opk, orepr, changes, ctext)
                text = "；".join(f"{f}：{b or '（空）'} → {a or '（空）'}" for f, b, a in va._changes(entry))
                if len(worded) < 50_000:
                    worded[key] = text
        if orepr and not va.DEFAULT_REPR.match(orepr):
            name = orepr
        else:
            name = va._object_name(entry or light(ct_id, opk, orepr, None, ctext))
        yield [
            ts,
            (full_name or username) if actor_id else "系统",
            username if actor_id else "",
            va.ACTION_LABELS.get(action, str(action)),
            labels[ct_id],
            opk,
            name,
            text,
            addr or "",
        ]

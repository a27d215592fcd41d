"""The large exports (审计日志, 党员名册, 会议台账): one query per sheet, rows streamed into a
write-only workbook. The same code serves a small export inside the request and a large one
in the task worker (core.jobs), where `progress` reports every 500 rows."""

from __future__ import annotations

import io

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect

from dangjian.core import jobs
from dangjian.core.xlsx import write_ledger, xlsx_response


def _noop(n: int = 1) -> None:
    return None


def respond(request, kind: str, *, total: int, filename: str, build) -> HttpResponse:
    """Small: the file now. Large (> EXPORT_BACKGROUND_ROWS rows): a background job and its page."""
    if total > jobs.background_rows():
        job = jobs.start(request, kind, total=total, filename=filename)
        return redirect("core:job", job=str(job.pk))
    buf = io.BytesIO()
    build(job=None, request=request, progress=_noop, target=buf)
    return xlsx_response(buf.getvalue(), filename)


# --- 审计日志 ---------------------------------------------------------------------------------
@jobs.job_kind("audit", "审计日志导出")
def audit(*, job, request, progress, target) -> None:
    from dangjian.accounts.scope import scope_root
    from dangjian.core import views_audit as va

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

    from dangjian.core import views_audit as va

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


# --- 党员名册 ---------------------------------------------------------------------------------
@jobs.job_kind("roster", "党员名册导出")
def roster(*, job, request, progress, target) -> None:
    from dangjian.accounts.scope import scope_root
    from dangjian.members import selectors
    from dangjian.members.roster_export import roster_rows

    full = request.GET.get("full") == "1"
    f, qs = selectors.filtered_roster(request.user, request.GET)
    # The birth date is part of the 公民身份号码: only roles entitled to the full number get it.
    show_birth = full or bool(getattr(request.user, "sees_full_ids", False))
    headers = _roster_headers()
    if not show_birth:
        headers = ["年龄段" if h == "出生日期" else h for h in headers]
    write_ledger(
        target,
        title="党员名册（含完整身份证号）" if full else "党员名册",
        headers=headers,
        rows=roster_rows(qs, full=full, show_birth=show_birth),
        org=str(scope_root(request.user) or ""),
        user=request.user,
        filters=f.describe(),
        progress=progress,
    )


def _roster_headers():
    from dangjian.members.roster_columns import HEADERS

    return HEADERS


# --- 会议台账 ---------------------------------------------------------------------------------
@jobs.job_kind("meetings", "会议台账导出")
def meetings(*, job, request, progress, target) -> None:
    from dangjian.accounts.scope import scope_root
    from dangjian.meetings import ledger
    from dangjian.meetings.views import _filtered, _period

    qs, f = _filtered(request)
    write_ledger(
        target,
        title="组织生活会议台账",
        headers=ledger.COLUMNS,
        rows=ledger.export_rows(qs.order_by("date", "start_time")),
        org=str(scope_root(request.user) or ""),
        period=_period(f),
        user=request.user,
        progress=progress,
    )

"""The large exports (审计日志, 党员名册, 会议台账): one query per sheet, rows streamed into a
write-only workbook. The same code serves a small export inside the request and a large one
in the task worker (core.jobs), where `progress` reports every 500 rows."""

from __future__ import annotations

import io

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
    qs = qs[: va.EXPORT_LIMIT]
    labels: dict[int, str] = {}

    def label(e):
        if e.content_type_id not in labels:
            labels[e.content_type_id] = va._model_label(e)
        return labels[e.content_type_id]

    def rows():
        for e in qs.iterator(chunk_size=2000):
            changes = "；".join(f"{f}：{b or '（空）'} → {a or '（空）'}" for f, b, a in va._changes(e))
            yield [
                e.timestamp,
                e.actor.display_name if e.actor_id else "系统",
                e.actor.username if e.actor_id else "",
                va.ACTION_LABELS.get(e.action, str(e.action)),
                label(e),
                e.object_pk,
                e.object_repr,
                changes,
                e.remote_addr or "",
            ]

    write_ledger(
        target,
        title="审计日志",
        headers=["时间", "操作人", "账号", "操作", "数据类型", "编号", "对象", "修改内容（修改前 → 修改后）", "IP地址"],
        rows=rows(),
        org=str(scope_root(request.user) or ""),
        user=request.user,
        filters=va.describe_filters(form),
        progress=progress,
    )


# --- 党员名册 ---------------------------------------------------------------------------------
@jobs.job_kind("roster", "党员名册导出")
def roster(*, job, request, progress, target) -> None:
    from dangjian.accounts.scope import scope_root
    from dangjian.members import selectors
    from dangjian.members.roster_export import roster_rows

    full = request.GET.get("full") == "1"
    f, qs = selectors.filtered_roster(request.user, request.GET)
    write_ledger(
        target,
        title="党员名册（含完整身份证号）" if full else "党员名册",
        headers=_roster_headers(),
        rows=roster_rows(qs, full=full),
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

"""审计日志 as a streamed xlsx (core.exports): the background job kind "audit"."""

from __future__ import annotations

from dangjian.accounts.scope import scope_root
from dangjian.core import jobs
from dangjian.core.xlsx import write_ledger


# --- 审计日志 ---------------------------------------------------------------------------------
@jobs.job_kind("audit", "审计日志导出")
def audit(*, job, request, progress, target) -> None:
    from dangjian.shell import views_audit as va

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
                va._object_name(e),
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

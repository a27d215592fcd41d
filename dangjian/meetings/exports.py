"""组织生活会议台账 as a streamed xlsx (core.exports): the background job kind "meetings"."""

from __future__ import annotations

from dangjian.accounts.scope import scope_root
from dangjian.core import jobs
from dangjian.core.xlsx import write_ledger


# --- 会议台账 ---------------------------------------------------------------------------------
@jobs.job_kind("meetings", "会议台账导出")
def meetings(*, job, request, progress, target) -> None:
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

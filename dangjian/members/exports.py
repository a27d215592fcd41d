"""党员名册 as a streamed xlsx (core.exports): the background job kind "roster"."""

from __future__ import annotations

from dangjian.accounts.scope import scope_root
from dangjian.core import jobs
from dangjian.core.xlsx import write_ledger


# --- 党员名册 ---------------------------------------------------------------------------------
@jobs.job_kind("roster", "党员名册导出")
def roster(*, job, request, progress, target) -> None:
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

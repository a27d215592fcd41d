"""Reads: the review queue, one signal's records side by side, the summary for the report."""

from __future__ import annotations

from django.db.models import Count, Q

from dangjian.accounts.scope import visible_to
from dangjian.core.figures import figure
from dangjian.integrity.models import Signal, SignalKind
from dangjian.integrity.textsim import highlight
from dangjian.integrity.types import SignalSummary


def queue(user, *, year=None, kind=None, status=None, include_gone=False):
    qs = visible_to(user, Signal).select_related("org", "reviewed_by")
    if not include_gone:
        qs = qs.filter(is_current=True)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=[Signal.Status.OPEN, Signal.Status.VERIFY])
    return qs.order_by("-strength", "-id")


def text_pair(signal: Signal) -> list[dict] | None:
    """For a near-duplicate signal: both texts split into (segment, shared?) runs."""
    if signal.kind not in (SignalKind.NEAR_DUPLICATE_TEXT, SignalKind.COPIED_PUBLISHED) or len(signal.records) < 2:
        return None
    texts = []
    for rec in signal.records[:2]:
        texts.append(_record_text(rec))
    blocks = signal.details.get("blocks", [])
    a_blocks = [(a, size) for a, _b, size in blocks]
    b_blocks = [(b, size) for _a, b, size in blocks]
    return [
        {"record": signal.records[0], "runs": highlight(texts[0], a_blocks)},
        {"record": signal.records[1], "runs": highlight(texts[1], b_blocks)},
    ]


def _record_text(rec: dict) -> str:
    if rec["type"] == "meeting":
        from dangjian.meetings.models import Meeting

        m = Meeting.objects.filter(pk=rec["id"]).values("minutes", "decisions").first()
        return f"{m['minutes']}{m['decisions']}" if m else ""
    if rec["type"] == "talk":
        from dangjian.meetings.models import Talk

        return Talk.objects.filter(pk=rec["id"]).values_list("summary", flat=True).first() or ""
    if rec["type"] == "study":
        from dangjian.study.models import StudyRecord

        return StudyRecord.objects.filter(pk=rec["id"]).values_list("reflection", flat=True).first() or ""
    if rec["type"] == "published":
        from dangjian.integrity.models import PublishedText

        return PublishedText.objects.filter(pk=rec["id"]).values_list("text", flat=True).first() or ""
    if rec["type"] == "material":
        from dangjian.study.models import Material

        return Material.objects.filter(pk=rec["id"]).values_list("body", flat=True).first() or ""
    return ""


@figure
def signal_summary(root, year: int) -> SignalSummary:
    """For the dashboard and the report: signals of the year still awaiting a person."""
    qs = Signal.objects.filter(org__path__startswith=root.path, year=year, is_current=True)
    open_q = Q(status__in=[Signal.Status.OPEN, Signal.Status.VERIFY])
    rows = qs.values("kind").annotate(open=Count("id", filter=open_q), total=Count("id"))
    by_kind = {SignalKind(r["kind"]).label: r["open"] for r in rows if r["open"]}
    return SignalSummary(open=sum(by_kind.values()), total=sum(r["total"] for r in rows), by_kind=by_kind)

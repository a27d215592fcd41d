"""Reads for inspections and rectification. 逾期 is derived from the deadline, never stored."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from dangjian.accounts.scope import visible_to
from dangjian.inspections.models import Finding, Inspection, RectificationItem, overdue_q


def inspection_summary(root, year: int, *, today: date | None = None) -> dict:
    """{"inspections","findings","closed","open","overdue": [{"branch","title","deadline"}]}. 3 queries."""
    today = today or date.today()
    n_inspections = Inspection.objects.filter(org__path__startswith=root.path, date__year=year).count()
    items = RectificationItem.objects.filter(
        finding__branch__path__startswith=root.path, finding__inspection__date__year=year
    )
    counts = items.aggregate(
        findings=Count("id"),
        closed=Count("id", filter=Q(status=RectificationItem.Status.DONE)),
    )
    overdue = [
        {"branch": short or name, "title": desc[:60], "deadline": deadline}
        for short, name, desc, deadline in items.filter(overdue_q(today))
        .order_by("deadline", "id")
        .values_list("finding__branch__short_name", "finding__branch__name", "finding__description", "deadline")
    ]
    return {
        "inspections": n_inspections,
        "findings": counts["findings"],
        "closed": counts["closed"],
        "open": counts["findings"] - counts["closed"],
        "overdue": overdue,
    }


def inspections_for(user, year: int | None = None):
    qs = visible_to(user, Inspection)
    if year:
        qs = qs.filter(date__year=year)
    return qs.annotate(
        n_findings=Count("findings", distinct=True),
        n_closed=Count("findings", filter=Q(findings__item__status=RectificationItem.Status.DONE), distinct=True),
    ).order_by("-date", "-id")


def items_for(user, *, year: int | None = None, status: str = "", branch_id: int | None = None, today: date):
    """问题清单: rectification items in scope, with finding, branch and inspection."""
    qs = visible_to(user, RectificationItem).select_related(
        "finding__branch", "finding__inspection", "closed_by", "reported_by"
    )
    if year:
        qs = qs.filter(finding__inspection__date__year=year)
    if branch_id:
        qs = qs.filter(finding__branch_id=branch_id)
    if status == "逾期":
        qs = qs.filter(overdue_q(today))
    elif status == "待销号":
        qs = qs.filter(reported_on__isnull=False).exclude(status=RectificationItem.Status.DONE)
    elif status in RectificationItem.Status.values:
        qs = qs.filter(status=status)
        if status != RectificationItem.Status.DONE:
            qs = qs.exclude(overdue_q(today))
    return qs.order_by("deadline", "id")


def findings_of(inspection: Inspection, user):
    return (
        visible_to(user, Finding)
        .filter(inspection=inspection)
        .select_related("branch", "item", "item__closed_by")
        .order_by("branch__path", "id")
    )


def overdue_counts(root, today: date) -> list[tuple[str, int]]:
    """Per-branch overdue item counts under `root` (for the home panel). 1 query."""
    rows = (
        RectificationItem.objects.filter(finding__branch__path__startswith=root.path)
        .filter(overdue_q(today))
        .values("finding__branch__short_name", "finding__branch__name")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(r["finding__branch__short_name"] or r["finding__branch__name"], r["n"]) for r in rows]

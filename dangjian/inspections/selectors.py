"""Reads for inspections and rectification. 逾期 is derived from the deadline, never stored."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from dangjian.accounts.scope import visible_to
from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.inspections.models import Finding, Inspection, RectificationItem, overdue_q
from dangjian.inspections.types import InspectionSummary, OverdueItem


@figure
def inspection_summary(root, year: int, *, today: date | None = None) -> InspectionSummary:
    """The year's inspections and the rectification items in play in it: those found in the
    year, and those found earlier and not closed (销号) before the year began — an item
    still open from last year is still to be rectified this year. 3 queries."""
    today = clock.or_today(today)
    first = date(year, 1, 1)
    n_inspections = Inspection.objects.filter(org__path__startswith=root.path, date__year=year).count()
    this_year = Q(finding__inspection__date__year=year)
    earlier = Q(finding__inspection__date__lt=first) & (
        ~Q(status=RectificationItem.Status.DONE) | Q(closed_on__gte=first)
    )
    items = RectificationItem.objects.filter(finding__branch__path__startswith=root.path).filter(this_year | earlier)
    counts = items.aggregate(
        findings=Count("id", filter=this_year),
        carried=Count("id", filter=~this_year),
        closed=Count("id", filter=Q(status=RectificationItem.Status.DONE)),
    )
    overdue = [
        OverdueItem(branch=short or name, title=desc[:60], deadline=deadline)
        for short, name, desc, deadline in items.filter(overdue_q(today))
        .order_by("deadline", "id")
        .values_list("finding__branch__short_name", "finding__branch__name", "finding__description", "deadline")
    ]
    return InspectionSummary(
        inspections=n_inspections,
        findings=counts["findings"],
        carried_over=counts["carried"],
        closed=counts["closed"],
        open=counts["findings"] + counts["carried"] - counts["closed"],
        overdue=overdue,
    )


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


@figure
def rectification_by_branch(root, year: int) -> dict[int, tuple[int, int]]:
    """{branch_id: (items, closed)} for the rectification items of the year's inspections
    under `root` (the rating's 整改 indicator). One query."""
    rows = (
        RectificationItem.objects.filter(
            finding__branch__path__startswith=root.path, finding__inspection__date__year=year
        )
        .values("finding__branch_id")
        .annotate(total=Count("id"), closed=Count("id", filter=Q(status=RectificationItem.Status.DONE)))
        .order_by()
    )
    return {r["finding__branch_id"]: (r["total"], r["closed"]) for r in rows}

"""Views for a mid-year base change and for 党费 paid at the 流入地 (issue 20): parse the
form, call dues.adjustments, go back to the member's dues page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import WRITER_ROLES
from dangjian.core import clock
from dangjian.dues import adjustments
from dangjian.dues.months import parse_month
from dangjian.dues.services import DuesError
from dangjian.dues.views import _date, _decimal, _int, _year
from dangjian.members.models import Member


def _back(member, year: int):
    return redirect(reverse("dues:member", args=[member.pk]) + f"?year={year}")


@scoped(roles=WRITER_ROLES, write=True, member=Member)
@require_POST
def base_change(request, member):
    P = request.POST
    year = _year(request, P)
    try:
        c = adjustments.record_base_change(
            member=member,
            year=year,
            from_month=_int(P.get("from_month"), 0),
            category=P.get("category", ""),
            base=_decimal(P.get("base")),
            reason=P.get("reason", ""),
            evidence=P.get("evidence", ""),
            user=request.user,
        )
        messages.success(request, f"已登记：自{year}年{c.from_month}月起每月应交 {c.amount} 元，此前各月不变。")
    except DuesError as exc:
        messages.error(request, exc.message)
    return _back(member, year)


@scoped(roles=WRITER_ROLES, write=True, member=Member)
@require_POST
def host_payment(request, member):
    P = request.POST
    today = clock.today()
    first, last = parse_month(P.get("first_month"), None), parse_month(P.get("last_month"), None)
    year = first.year if first else today.year
    if first is None or last is None:
        messages.error(request, "请填写起止月份")
        return _back(member, year)
    try:
        r = adjustments.record_host_payment(
            member=member,
            host_org=P.get("host_org", ""),
            first_month=first,
            last_month=last,
            evidence_kind=P.get("evidence_kind", ""),
            evidence_reference=P.get("evidence_reference", ""),
            confirmed_on=_date(P.get("confirmed_on"), today),
            amount=_decimal(P.get("amount")),
            note=P.get("note", ""),
            user=request.user,
            today=today,
        )
        messages.success(request, f"已登记{r.host_org}收缴的党费，这些月份不再计为本支部欠缴。")
    except DuesError as exc:
        messages.error(request, exc.message)
    return _back(member, year)

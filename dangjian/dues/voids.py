"""冲红 (voiding a dues payment): the write and its reads, kept apart from services.py.

The original Payment is never edited or deleted: its receipt number stays taken (receipts stay
consecutive, the voided one is shown struck through). A PaymentVoid references it with who,
when and why, and keeps the PaidMonth rows it covered as a snapshot; those rows are moved out,
so every figure read from the dues grid (paid totals, 收缴率, 党章第九条, ledgers, the member's
home) treats the months as unpaid and they can be recorded again. Paid totals summed from
Payment use `live_payments`.

Concurrency: the payment row is locked (select_for_update) and PaymentVoid.payment is unique,
so two voids of one payment cannot both succeed; a payment recorded for the same months while
the void runs either sees the months still paid (refused) or waits on the unique (member, month)
index until the void commits — neither overwrites the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from dangjian.core import clock
from dangjian.dues.models import PaidMonth, Payment, PaymentVoid
from dangjian.dues.months import label
from dangjian.dues.services import DuesError
from dangjian.rules.dues import void_refusal


def live_payments(qs=None):
    """Payments that count (not 冲红)."""
    return (qs if qs is not None else Payment.objects.all()).filter(void__isnull=True)


def void_payment(*, payment: Payment, reason: str, user=None, today: date | None = None) -> PaymentVoid:
    """冲红 one payment with a reason. Raises DuesError (Chinese) when refused."""
    reason = " ".join(str(reason or "").split())[:200]
    refused = void_refusal(reason=reason, already_voided=False)
    if refused:
        raise DuesError(refused, field="reason")
    try:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            refused = void_refusal(reason=reason, already_voided=PaymentVoid.objects.filter(payment=locked).exists())
            if refused:
                raise DuesError(refused)
            rows = list(PaidMonth.objects.filter(payment=locked).order_by("month"))
            void = PaymentVoid.objects.create(
                payment=locked,
                reason=reason,
                voided_on=clock.or_today(today),
                voided_by=user,
                months=[{"month": r.month.isoformat(), "amount": str(r.amount), "on_time": r.on_time} for r in rows],
            )
            # Deleted one by one through the ORM: auditlog records each month moved out (the
            # void's own entry carries the reason) and the cache tokens of the branch change.
            for r in rows:
                r.delete()
    except IntegrityError:
        # The unique payment key: another void of this payment committed first.
        raise DuesError(void_refusal(reason=reason, already_voided=True)) from None
    return void


@dataclass(frozen=True)
class VoidPreview:
    """What the confirmation page states before a void."""

    payment: Payment
    months: list[date]
    amount: Decimal
    refused: str | None  # already voided

    @property
    def months_label(self) -> str:
        return "、".join(label(m) for m in self.months) or "（自愿交纳，不对应月份）"


def void_preview(payment: Payment) -> VoidPreview:
    months = list(PaidMonth.objects.filter(payment=payment).order_by("month").values_list("month", flat=True))
    voided = PaymentVoid.objects.filter(payment=payment).exists()
    return VoidPreview(
        payment=payment,
        months=months,
        amount=payment.amount,
        refused=void_refusal(reason="--", already_voided=voided),
    )


def voids_in(branch, year: int) -> list[PaymentVoid]:
    """The year's voided receipts of `branch` (the ledger's 冲红记录)."""
    return list(
        PaymentVoid.objects.filter(payment__branch=branch, payment__receipt_year=year)
        .select_related("payment", "payment__member", "voided_by")
        .order_by("payment__receipt_no")
    )


def mark_voided(screen: dict) -> dict:
    """Add to each row of selectors.month_collection the receipts of that month that were voided
    ("voided": [(receipt label, reason)]), so the collection screen shows them. One query."""
    month = screen["month"]
    ids = [r["member_id"] for r in screen["rows"]]
    found: dict[int, list[tuple[str, str]]] = {}
    for v in PaymentVoid.objects.filter(payment__member_id__in=ids, payment__first_month__lte=month).select_related(
        "payment"
    ):
        if month in v.month_dates:
            found.setdefault(v.payment.member_id, []).append((v.payment.receipt_label, v.reason))
    for r in screen["rows"]:
        r["voided"] = found.get(r["member_id"], [])
    return screen

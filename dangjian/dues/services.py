"""Writes for 党费. Amounts always come from dangjian.rules.dues (never typed); receipts are
numbered per branch and year without gaps; bulk writes are audited with core.audit.log_bulk.

Source of every rule here: 中组发〔2008〕3号 《关于中国共产党党费收缴、使用和管理的规定》
(RULES.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max

from dangjian.core.audit import log_bulk
from dangjian.core.cache import writes_in
from dangjian.core.errors import ServiceError
from dangjian.dues.models import (
    BaseChange,
    BranchDuesSetting,
    DuesBase,
    Expenditure,
    PaidMonth,
    Payment,
    Reduction,
)
from dangjian.dues.months import add_months, label, month_diff, month_end, month_of
from dangjian.dues.selectors import backpay_months, farmer_amount_for, prepay_months, rounding
from dangjian.rules.dues import (
    BASE_REQUIRED_CATEGORIES,
    FARMER_MAX,
    FARMER_MIN,
    DuesCategory,
    check_base,
    monthly_dues,
    normalize_category,
)
from dangjian.rules.errors import RuleError

SOURCE = "中组发〔2008〕3号"
NO_PROXY_MESSAGE = (
    f"党费须由党员本人交纳，党组织不得垫交或代扣（{SOURCE}《关于中国共产党党费收缴、使用和管理的规定》）。"
    "党员委托他人转交的，请选择“本人委托他人转交”并填写转交人。"
)
# Two people recording the same month at once: the unique (member, month) index refuses the
# second, which is told so instead of a 500 (and never overwrites the first).
RACE_MESSAGE = "这些月份刚刚已由他人登记（或同时冲红），未重复登记，请刷新后核对。"
REDUCTION_MESSAGE = f"少交或免交党费须经支部党员大会（或支委会）讨论决定，并报上级党组织批准（{SOURCE}）。"


class DuesError(ServiceError):
    """A refused write, with the reason in Chinese (core.errors.ServiceError)."""


# --- bases ------------------------------------------------------------------------------


def compute_amount(*, branch, category: str, base) -> Decimal:
    """The monthly amount from the rule, with the branch's farmer amount and the rounding
    setting. Raises DuesError with the rule's Chinese message."""
    try:
        check_base(category, base)
        return monthly_dues(category, base, farmer_amount=farmer_amount_for(branch), rounding=rounding())
    except RuleError as exc:
        raise DuesError(exc.message) from None


@dataclass
class BaseRow:
    member_id: int
    category: str
    base: Decimal | None


def set_bases(*, branch, year: int, rows: list[BaseRow], user=None) -> tuple[int, int]:
    """Create or update the year's DuesBase of the given members of `branch` (all or nothing).
    Returns (created, updated)."""
    from dangjian.members.models import Member

    member_ids = set(
        Member.objects.filter(branch=branch, pk__in=[r.member_id for r in rows]).values_list("pk", flat=True)
    )
    farmer = farmer_amount_for(branch)
    computed = []
    for r in rows:
        if r.member_id not in member_ids:
            raise DuesError("所列党员不在本支部")
        try:
            cat = normalize_category(r.category)
            check_base(cat, r.base)  # 在职、离退休：基数须大于0（issue 20）
            amount = monthly_dues(cat, r.base, farmer_amount=farmer, rounding=rounding())
        except RuleError as exc:
            raise DuesError(exc.message) from None
        base = r.base if cat in BASE_REQUIRED_CATEGORIES else None
        computed.append((r.member_id, cat, base, amount))
    # The rows are written in bulk (no save announcing their organisation): declared as the
    # branch's, or every cached figure of the installation would be recomputed (core.cache).
    with transaction.atomic(), writes_in(branch):
        existing = {
            b.member_id: b for b in DuesBase.objects.select_for_update().filter(year=year, member_id__in=member_ids)
        }
        new, changed = [], []
        for mid, cat, base, amount in computed:
            b = existing.get(mid)
            if b is None:
                new.append(DuesBase(member_id=mid, year=year, category=cat, base=base, amount=amount, set_by=user))
            elif (b.category, b.base, b.amount) != (cat, base, amount):
                b.category, b.base, b.amount, b.set_by, b.version = cat, base, amount, user, b.version + 1
                changed.append(b)
        DuesBase.objects.bulk_create(new, batch_size=1000)
        DuesBase.objects.bulk_update(changed, ["category", "base", "amount", "set_by", "version"], batch_size=1000)
        log_bulk(new, action="create", note=f"{year}年党费基数核定")
        log_bulk(changed, action="update", note=f"{year}年党费基数调整")
    return len(new), len(changed)


def set_farmer_amount(*, branch, amount: Decimal, decided_on: date | None, note: str, user=None, year: int) -> int:
    """The branch decides the farmer amount (0.2–1 yuan); this year's and later farmer bases
    follow. Returns the number of bases recomputed."""
    if not FARMER_MIN <= amount <= FARMER_MAX:
        raise DuesError(f"农民党员每月交纳党费应在0.2元至1元之间（{SOURCE}）")
    with transaction.atomic(), writes_in(branch):  # the bulk updates are the branch's (set_bases)
        setting, _ = BranchDuesSetting.objects.get_or_create(branch=branch, defaults={"farmer_amount": amount})
        setting.farmer_amount, setting.decided_on, setting.note = amount, decided_on, note
        setting.save()
        bases = list(DuesBase.objects.filter(member__branch=branch, year__gte=year, category=DuesCategory.FARMER))
        for b in bases:
            b.amount = amount.quantize(Decimal("0.01"))
        DuesBase.objects.bulk_update(bases, ["amount"])
        log_bulk(bases, action="update", note=f"农民党员党费标准调整为{amount}元")
        # mid-year changes to 农民 (dues.adjustments) follow the branch's amount too
        changes = list(
            BaseChange.objects.filter(base__member__branch=branch, base__year__gte=year, category=DuesCategory.FARMER)
        )
        for c in changes:
            c.amount = amount.quantize(Decimal("0.01"))
        BaseChange.objects.bulk_update(changes, ["amount"])
        log_bulk(changes, action="update", note=f"农民党员党费标准调整为{amount}元")
    return len(bases)


def add_reduction(
    *,
    member,
    year: int,
    kind: str,
    from_month: int,
    to_month: int,
    monthly_amount: Decimal,
    reason: str,
    decision_meeting: str,
    decision_date: date,
    decision_reference: str,
    approval_body: str,
    approval_reference: str,
    user=None,
) -> Reduction:
    """少交/免交: refused without the branch decision and the approving body's reference."""
    missing = [
        name
        for name, v in (
            ("支部决定会议", decision_meeting),
            ("支部决定记录/文号", decision_reference),
            ("批准的上级党组织", approval_body),
            ("上级批准文号", approval_reference),
            ("原因", reason),
        )
        if not str(v or "").strip()
    ]
    if missing or not decision_date:
        raise DuesError(REDUCTION_MESSAGE + "缺少：" + "、".join(missing or ["支部决定日期"]))
    if not 1 <= from_month <= to_month <= 12:
        raise DuesError("起止月份不正确")
    if kind == Reduction.Kind.EXEMPT:
        monthly_amount = Decimal("0")
    elif kind != Reduction.Kind.REDUCE:
        raise DuesError("类型应为少交或免交")
    elif monthly_amount is None or monthly_amount < 0:
        raise DuesError("减免后每月交纳金额不正确")
    return Reduction.objects.create(
        member=member,
        year=year,
        kind=kind,
        from_month=from_month,
        to_month=to_month,
        monthly_amount=monthly_amount,
        reason=reason,
        decision_meeting=decision_meeting,
        decision_date=decision_date,
        decision_reference=decision_reference,
        approval_body=approval_body,
        approval_reference=approval_reference,
        created_by=user,
    )


# --- payments ---------------------------------------------------------------------------


def _check_via(via: str, via_name: str) -> None:
    if via not in Payment.Via.values:
        # 组织垫交、代扣 and anything else that is not the member paying.
        raise DuesError(NO_PROXY_MESSAGE)
    if via == Payment.Via.THROUGH and not via_name.strip():
        raise DuesError("委托他人转交的，请填写转交人姓名")


def derive_kind(months: list[date], paid_on: date) -> str:
    cur = month_of(paid_on)
    if len(months) == 3 and months[0].month in (1, 4, 7, 10) and abs(month_diff(months[0], cur)) <= 3:
        return Payment.Kind.QUARTERLY
    if any(m < cur for m in months):
        return Payment.Kind.BACK
    if any(m > cur for m in months):
        return Payment.Kind.AHEAD
    return Payment.Kind.MONTHLY


def _next_receipts(branch, year: int, n: int) -> list[int]:
    """Reserve n consecutive receipt numbers of `branch` in `year` (call inside atomic)."""
    BranchDuesSetting.objects.get_or_create(branch=branch, defaults={"farmer_amount": farmer_amount_for(branch)})
    BranchDuesSetting.objects.select_for_update().filter(branch=branch).first()  # serialises numbering
    top = Payment.objects.filter(branch=branch, receipt_year=year).aggregate(m=Max("receipt_no"))["m"] or 0
    return list(range(top + 1, top + 1 + n))


def _due_months(member, months: list[date]) -> dict[date, Decimal]:
    from dangjian.dues.grid import dues_grid
    from dangjian.members.models import Member

    grid = dues_grid(Member.objects.filter(pk=member.pk), until=max(months), since=min(months))
    return grid[member.pk].due if member.pk in grid else {}


def _validate_months(member, months: list[date], paid_on: date, note: str) -> dict[date, Decimal]:
    if not months:
        raise DuesError("请选择交纳的月份")
    if len(set(months)) != len(months):
        raise DuesError("月份重复")
    cur = month_of(paid_on)
    limit_ahead = prepay_months()
    if any(month_diff(m, cur) > limit_ahead for m in months):
        raise DuesError(f"预交党费不超过{limit_ahead}个月（本地规定，设置项）")
    limit_back = backpay_months()
    if any(month_diff(cur, m) > limit_back for m in months) and not note.strip():
        raise DuesError(
            f"补交一般不超过{limit_back}个月（{SOURCE}）；补交更早的月份，请在“说明”中写明原因（如支部决定）。"
        )
    due = _due_months(member, months)
    not_due = [m for m in months if m not in due]
    if not_due:
        raise DuesError("以下月份无应交党费（未核定基数、免交或尚未入党）：" + "、".join(label(m) for m in not_due))
    already = list(PaidMonth.objects.filter(member=member, month__in=months).values_list("month", flat=True))
    if already:
        raise DuesError("以下月份已交纳：" + "、".join(label(m) for m in sorted(already)))
    return due


def record_payment(
    *,
    member,
    months: list[date],
    paid_on: date,
    collector=None,
    via: str = Payment.Via.SELF,
    via_name: str = "",
    note: str = "",
) -> Payment:
    """One payment by the member for the given months (single, quarterly, back or ahead). The
    amount is the sum of the months' dues; a receipt number is assigned."""
    _check_via(via, via_name)
    months = sorted(month_of(m) for m in months)
    try:
        return _record_payment(member, months, paid_on, collector, via, via_name, note)
    except IntegrityError:
        raise DuesError(RACE_MESSAGE) from None


def _record_payment(member, months, paid_on, collector, via, via_name, note) -> Payment:
    branch = member.branch
    with transaction.atomic(), writes_in(branch):  # the PaidMonth rows are the branch's (set_bases)
        due = _validate_months(member, months, paid_on, note)
        (no,) = _next_receipts(branch, paid_on.year, 1)
        payment = Payment.objects.create(
            member=member,
            branch=branch,
            receipt_year=paid_on.year,
            receipt_no=no,
            kind=derive_kind(months, paid_on),
            via=via,
            via_name=via_name.strip(),
            first_month=months[0],
            months=len(months),
            amount=sum(due[m] for m in months),
            paid_on=paid_on,
            collector=collector,
            note=note.strip(),
        )
        rows = PaidMonth.objects.bulk_create(
            [
                PaidMonth(payment=payment, member=member, month=m, amount=due[m], on_time=paid_on <= month_end(m))
                for m in months
            ]
        )
        log_bulk(rows, action="create", note=f"党费{payment.receipt_label}")
    return payment


def record_voluntary(*, member, amount: Decimal, paid_on: date, collector=None, note: str = "") -> Payment:
    """一次性自愿交纳党费（1000元以上全额上缴中央，中组发〔2008〕3号）。"""
    if amount is None or amount <= 0:
        raise DuesError("金额应大于0")
    with transaction.atomic():
        (no,) = _next_receipts(member.branch, paid_on.year, 1)
        return Payment.objects.create(
            member=member,
            branch=member.branch,
            receipt_year=paid_on.year,
            receipt_no=no,
            kind=Payment.Kind.VOLUNTARY,
            months=0,
            amount=amount,
            paid_on=paid_on,
            collector=collector,
            note=note,
        )


def collect_month(*, branch, month: date, member_ids: list[int], paid_on: date, collector=None) -> list[Payment]:
    """The monthly screen's one submit: each ticked member pays `month` (one receipt each).
    Members not due that month or already paid are skipped, never double counted."""
    month = month_of(month)
    if month_diff(month, month_of(paid_on)) > prepay_months():
        raise DuesError(f"预交党费不超过{prepay_months()}个月")
    wanted = {int(i) for i in member_ids}
    try:
        return _collect_month(branch, month, wanted, paid_on, collector)
    except IntegrityError:
        raise DuesError(RACE_MESSAGE) from None


def _collect_month(branch, month: date, wanted: set[int], paid_on: date, collector) -> list[Payment]:
    from dangjian.dues.selectors import month_collection

    with transaction.atomic(), writes_in(branch):  # its members' rows, in bulk (set_bases)
        screen = month_collection(branch, month)
        rows = [r for r in screen["rows"] if r["member_id"] in wanted and not r["paid"]]
        if not rows:
            return []
        numbers = _next_receipts(branch, paid_on.year, len(rows))
        kind = derive_kind([month], paid_on)
        payments = Payment.objects.bulk_create(
            [
                Payment(
                    member_id=r["member_id"],
                    branch=branch,
                    receipt_year=paid_on.year,
                    receipt_no=no,
                    kind=kind,
                    first_month=month,
                    months=1,
                    amount=r["amount"],
                    paid_on=paid_on,
                    collector=collector,
                )
                for r, no in zip(rows, numbers)
            ],
            batch_size=500,
        )
        paid_months = PaidMonth.objects.bulk_create(
            [
                PaidMonth(
                    payment=p, member_id=p.member_id, month=month, amount=p.amount, on_time=paid_on <= month_end(month)
                )
                for p in payments
            ],
            batch_size=500,
        )
        log_bulk(payments, action="create", note=f"{label(month)}党费收缴")
        log_bulk(paid_months, action="create", note=f"{label(month)}党费收缴")
    return payments


def add_expenditure(
    *, org, year: int, spent_on: date, item: str, amount: Decimal, approved_by: str = "", user=None
) -> Expenditure:
    if not item.strip():
        raise DuesError("请填写用途")
    if amount is None or amount <= 0:
        raise DuesError("金额应大于0")
    return Expenditure.objects.create(
        org=org,
        year=year,
        spent_on=spent_on,
        item=item.strip(),
        amount=amount,
        approved_by=approved_by,
        created_by=user,
    )


def prefill_from_last_year(*, branch, year: int, user=None) -> tuple[int, int]:
    """沿用上年：members without a base this year get last year's category and base."""
    from dangjian.dues.selectors import prefill_bases

    rows = [
        BaseRow(r["member_id"], r["category"], r["base"])
        for r in prefill_bases(branch, year)
        if r["from"] != "本年" and (r["base"] is not None or r["category"] not in BASE_REQUIRED_CATEGORIES)
    ]
    return set_bases(branch=branch, year=year, rows=rows, user=user)


def months_for(first: date, count: int) -> list[date]:
    return [add_months(month_of(first), i) for i in range(count)]

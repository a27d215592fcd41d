"""Payments, arrears, the 催缴 list and the Art. 9 dues alert."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.dues import selectors, services
from dangjian.dues.models import PaidMonth, Payment
from dangjian.dues.months import add_months, last_completed_month, month_of


def _today():
    return timezone.localdate()


def test_back_payment_clears_arrears_and_drops_member_from_lists(bases):
    w = bases
    m = w.members_a[0]  # 在职, base 4000 → 40.00 a month
    today = _today()
    last = last_completed_month(today)
    owed = [add_months(last, -i) for i in range(5, -1, -1)]  # six months unpaid up to last month
    # everyone else paid those months
    for mo in owed:
        others = [x.pk for x in w.members_a[1:]]
        services.collect_month(branch=w.branch_a, month=mo, member_ids=others, paid_on=min(today, add_months(mo, 1)))
    arrears = {r["member_id"]: r for r in selectors.arrears_list(w.branch_a, today=today)}
    row = arrears[m.pk]
    assert row["count"] >= 6 and row["level"].is_over and row["streak"] >= 6
    assert row["amount"] == sum(Decimal("40.00") for _ in range(row["count"]))
    assert m.pk in {r["member_id"] for r in selectors.art9_dues_alerts(w.branch_a, today=today)}
    summary = selectors.dues_summary(w.township, today.year, today=today)
    assert summary.art9_over >= 1

    unpaid = list(row["months"])
    p = services.record_payment(member=m, months=unpaid, paid_on=today, note="支部催缴后补交")
    assert p.kind == Payment.Kind.BACK and p.amount == row["amount"]
    assert m.pk not in {r["member_id"] for r in selectors.arrears_list(w.branch_a, today=today)}
    assert m.pk not in {r["member_id"] for r in selectors.art9_dues_alerts(w.branch_a, today=today)}
    assert selectors.member_dues(m, today=today)["arrears_months"] == []


def test_early_warning_at_four_months(bases):
    w = bases
    today = _today()
    last = last_completed_month(today)
    m = w.members_a[1]
    paid_until = add_months(last, -4)
    services.record_payment(member=m, months=[paid_until], paid_on=today, note="补交")
    row = {r["member_id"]: r for r in selectors.arrears_list(w.branch_a, today=today)}[m.pk]
    assert row["streak"] == 4 and row["level"].is_warning


def test_receipts_are_sequential_per_branch_and_year(bases):
    w = bases
    today = _today()
    mo = month_of(today)
    done = services.collect_month(branch=w.branch_a, month=mo, member_ids=[x.pk for x in w.members_a], paid_on=today)
    b = services.collect_month(branch=w.branch_b, month=mo, member_ids=[x.pk for x in w.members_b[:2]], paid_on=today)
    assert [p.receipt_no for p in done] == list(range(1, len(done) + 1))
    assert [p.receipt_no for p in b] == [1, 2]
    again = services.collect_month(branch=w.branch_a, month=mo, member_ids=[x.pk for x in w.members_a], paid_on=today)
    assert again == []  # already paid: never counted twice
    assert PaidMonth.objects.filter(month=mo).count() == len(done) + 2
    with pytest.raises(IntegrityError), transaction.atomic():
        PaidMonth.objects.create(payment=done[0], member=done[0].member, month=mo, amount=Decimal("1"))


def test_the_organisation_cannot_pay_on_a_members_behalf(bases):
    m = bases.members_a[2]
    with pytest.raises(services.DuesError, match="中组发〔2008〕3号"):
        services.record_payment(member=m, months=[month_of(_today())], paid_on=_today(), via="组织垫交")
    with pytest.raises(services.DuesError, match="转交人"):
        services.record_payment(member=m, months=[month_of(_today())], paid_on=_today(), via=Payment.Via.THROUGH)
    p = services.record_payment(
        member=m, months=[month_of(_today())], paid_on=_today(), via=Payment.Via.THROUGH, via_name="女儿"
    )
    assert p.via == Payment.Via.THROUGH and p.amount == Decimal("0.50")


def test_back_payment_beyond_six_months_needs_a_reason(bases):
    m = bases.members_a[3]
    today = _today()
    old = add_months(month_of(today), -8)
    if old.year < today.year - 1:
        pytest.skip("base years in the fixture do not reach eight months back")
    with pytest.raises(services.DuesError, match="补交一般不超过6个月"):
        services.record_payment(member=m, months=[old], paid_on=today)
    p = services.record_payment(member=m, months=[old], paid_on=today, note="支委会同意补交")
    assert p.kind == Payment.Kind.BACK


def test_quarterly_and_voluntary_payments(bases):
    m = bases.members_a[0]
    today = _today()
    q = date(today.year, ((today.month - 1) // 3) * 3 + 1, 1)
    p = services.record_payment(member=m, months=services.months_for(q, 3), paid_on=today)
    assert p.kind == Payment.Kind.QUARTERLY and p.amount == Decimal("120.00")
    v = services.record_voluntary(member=m, amount=Decimal("1000"), paid_on=today)
    assert v.goes_to_centre
    notice = selectors.notice(bases.township, today.year, today=today)
    assert notice["to_centre"] == Decimal("1000")


def test_reduction_needs_decision_and_approval_and_changes_what_is_due(bases):
    m = bases.members_a[0]
    year = _today().year
    with pytest.raises(services.DuesError, match="上级"):
        services.add_reduction(
            member=m,
            year=year,
            kind="免交",
            from_month=1,
            to_month=12,
            monthly_amount=Decimal("0"),
            reason="重病",
            decision_meeting="支部党员大会",
            decision_date=date(year, 1, 5),
            decision_reference="",
            approval_body="",
            approval_reference="",
        )
    services.add_reduction(
        member=m,
        year=year,
        kind="免交",
        from_month=1,
        to_month=12,
        monthly_amount=Decimal("0"),
        reason="重病",
        decision_meeting="支部党员大会",
        decision_date=date(year, 1, 5),
        decision_reference="记录第3页",
        approval_body="镇党委",
        approval_reference="镇党委〔2026〕1号",
    )
    data = selectors.member_dues(m, today=_today(), year=year)
    assert data["due_year"] == Decimal("0")
    assert [mo for mo in data["arrears_months"] if mo.year == year] == []  # 免交 months are not owed


def test_amount_is_derived_from_the_rule_and_farmer_setting(bases):
    from dangjian.dues.models import DuesBase

    w = bases
    year = _today().year
    farmer = w.members_a[2]
    assert DuesBase.objects.get(member=farmer, year=year).amount == Decimal("0.50")
    services.set_farmer_amount(branch=w.branch_a, amount=Decimal("1.00"), decided_on=None, note="", year=year)
    assert DuesBase.objects.get(member=farmer, year=year).amount == Decimal("1.00")
    with pytest.raises(services.DuesError, match="0.2元至1元"):
        services.set_farmer_amount(branch=w.branch_a, amount=Decimal("1.5"), decided_on=None, note="", year=year)
    with pytest.raises(services.DuesError, match="大于0"):
        services.set_bases(
            branch=w.branch_a, year=year, rows=[services.BaseRow(w.members_a[0].pk, "在职", Decimal("-1"))]
        )


def test_summary_shape(bases):
    today = _today()
    s = selectors.dues_summary(bases.township, today.year, today=today)
    assert set(vars(s)) >= {
        "due",
        "paid",
        "rate",
        "members_in_arrears",
        "arrears_amount",
        "art9_over",
        "art9_warning",
        "by_branch",
    }
    assert {b.branch_id for b in s.by_branch} == {bases.branch_a.pk, bases.branch_b.pk}
    assert set(vars(s.by_branch[0])) == {"branch_id", "branch", "due", "paid", "rate"}
    assert isinstance(s.due, Decimal) and isinstance(s.rate, float)

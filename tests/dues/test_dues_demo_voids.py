"""The demo township holds a few 冲红 payments made through dues.voids (issue 17): the originals
stay with their receipt numbers, the member's dues page strikes them through, and the yearly
figures read only the re-recorded months (the rules of test_dues_void.py). The tiny demo is
built once for this module, up to the dues step."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from dangjian.dues import selectors
from dangjian.dues.demo import VOID_REASONS
from dangjian.dues.ledger import receipt_rows
from dangjian.dues.models import PaidMonth, Payment, PaymentVoid
from dangjian.testsupport.world import module_data, tiny_demo


@pytest.fixture(scope="module")
def dues_demo(django_db_setup, django_db_blocker):
    from dangjian.demo.context import DEMO_STEPS

    with module_data(django_db_blocker):
        yield tiny_demo(DEMO_STEPS.index("dangjian.dues.demo") + 1)


def _voids():
    return list(PaymentVoid.objects.select_related("payment", "payment__member", "voided_by").order_by("pk"))


def test_demo_holds_voids_made_through_the_service(dues_demo, db):
    vs = _voids()
    assert 2 <= len(vs) <= 3
    assert {v.reason for v in vs} <= set(VOID_REASONS) and any(v.reason.startswith("金额录错") for v in vs)
    for v in vs:
        p = v.payment
        # The original stays, its month moved out into the void's snapshot, and the month is
        # recorded again on a later receipt of the same branch and year.
        assert p.months == 1 and len(v.months) == 1 and v.months[0]["month"] == p.first_month.isoformat()
        assert not PaidMonth.objects.filter(payment=p).exists()
        again = PaidMonth.objects.select_related("payment").get(member=p.member, month=p.first_month).payment
        assert (again.via, again.via_name) == (p.via, p.via_name)  # the same member paid the same way
        assert again.pk != p.pk and again.receipt_year == p.receipt_year and again.receipt_no > p.receipt_no
        assert v.voided_by == dues_demo.users[f"secretary:{p.branch_id}"]
        assert p.paid_on <= v.voided_on <= dues_demo.today
        if v.reason.startswith("金额录错"):
            assert again.amount != p.amount  # the slip was the old base's amount
        else:
            assert again.amount == p.amount and again.paid_on != p.paid_on


def test_member_page_strikes_the_void_through(dues_demo, db):
    for v in _voids():
        p = v.payment
        user = dues_demo.users[f"secretary:{p.branch_id}"]
        user.must_change_password = False  # the demo's first-login change is not what is tested
        user.save(update_fields=["must_change_password"])
        c = Client()
        c.force_login(user)
        r = c.get(f"/dues/member/{p.member_id}/?year={p.receipt_year}")
        assert r.status_code == 200, r
        page = r.content.decode()
        row = page[page.index(f'id="payment-{p.pk}"') :]
        row = row[: row.index("</tr>")]
        assert 'class="dues-voided-row"' in row and 'class="dues-voided"' in row and "已冲红" in row
        assert f'id="void-{p.pk}"' not in page  # no second 冲红
        assert f"原因：{v.reason}" in page


def test_yearly_figures_read_only_the_live_payments(dues_demo, db):
    today = dues_demo.today
    for v in _voids():
        p = v.payment
        year = p.receipt_year
        m = p.member
        data = selectors.member_dues(m, today=today, year=year)
        live = PaidMonth.objects.filter(member=m, month__year=year).aggregate(s=Sum("amount"))["s"]
        assert data["paid_year"] == live
        assert p.first_month not in data["arrears_months"]  # paid again
        # The yearly ledger shows the month paid at the re-recorded amount, and the receipt
        # register lists the voided receipt as 已冲红 in its place.
        again = PaidMonth.objects.get(member=m, month=p.first_month)
        _headers, rows = selectors.ledger_rows(p.branch, year, today=today)
        row = next(r for r in rows if r[0] == m.name)
        assert row[2 + p.first_month.month] == float(again.amount)
        receipts = {r[0]: r for r in receipt_rows(p.branch, year)}
        voided = receipts[f"第{p.receipt_no:04d}号"]
        assert voided[7] == "已冲红" and voided[10] == v.reason and voided[5] == p.amount
        # The notice counts live receipts only.
        notice = selectors.notice(p.branch, year, today=today)
        paid = Payment.objects.filter(member__branch=p.branch, paid_on__year=year).exclude(kind="自愿")
        every = paid.aggregate(s=Sum("amount"))["s"]
        voided = paid.filter(void__isnull=False).aggregate(s=Sum("amount"))["s"]
        assert notice["collected"] == (every - voided).quantize(Decimal("0.01"))

"""冲红 (voiding a dues payment): the original stays, a void references it, figures treat the
months as unpaid, the months can be paid again, no double void, scope and roles, audit, the
pages and the ledger show it struck through."""

import io
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.dues import selectors, services, voids
from dangjian.dues.models import PaidMonth, Payment, PaymentVoid
from dangjian.dues.months import add_months, last_completed_month, month_of
from dangjian.rules.dues import void_refusal


def _today():
    return timezone.localdate()


def test_rule_needs_a_reason_and_refuses_a_second_void():
    assert void_refusal(reason="金额录错", already_voided=False) is None
    assert "原因" in void_refusal(reason="  ", already_voided=False)
    assert "原因" in void_refusal(reason="错", already_voided=False)  # one character says nothing
    assert "重复" in void_refusal(reason="金额录错", already_voided=True)


def test_void_keeps_the_original_and_the_months_become_unpaid(bases):
    w = bases
    m = w.members_a[0]  # 在职, 40.00 a month
    today = _today()
    last = last_completed_month(today)
    p = services.record_payment(member=m, months=[last], paid_on=today)
    before = selectors.member_dues(m, today=today)
    assert last not in before["arrears_months"]
    summary_before = selectors.dues_summary(w.township, last.year, today=today)

    v = voids.void_payment(payment=p, reason="登记错了人", user=w.user("secretary_a"), today=today)

    original = Payment.objects.get(pk=p.pk)  # never deleted or edited
    assert (original.amount, original.receipt_no, original.updated_at) == (p.amount, p.receipt_no, p.updated_at)
    assert v.payment_id == p.pk and v.voided_by == w.user("secretary_a") and v.voided_on == today
    assert v.reason == "登记错了人"
    assert v.months == [{"month": last.isoformat(), "amount": "40.00", "on_time": False}]  # paid after the month
    assert not PaidMonth.objects.filter(payment=p).exists()

    after = selectors.member_dues(m, today=today)
    assert last in after["arrears_months"]
    assert after["paid_year"] == before["paid_year"] - Decimal("40.00")
    assert before["streak"] == 0 and after["streak"] >= 1  # last month unpaid again
    summary = selectors.dues_summary(w.township, last.year, today=today)
    assert summary.paid == summary_before.paid - Decimal("40.00")
    assert summary.members_in_arrears >= 1
    assert m.pk in {r["member_id"] for r in selectors.arrears_list(w.branch_a, today=today)}
    _headers, rows = selectors.ledger_rows(w.branch_a, last.year, today=today)
    row = next(r for r in rows if r[0] == m.name)
    assert row[2 + last.month] == "欠"

    # … and the month can be recorded again, on the next receipt number (no gap, no reuse).
    again = services.record_payment(member=m, months=[last], paid_on=today)
    assert again.receipt_no == p.receipt_no + 1
    assert last not in selectors.member_dues(m, today=today)["arrears_months"]


def test_art9_dues_part_follows_a_void(bases):
    """Six months paid in one back payment, voided: the member reaches the 党章第九条 line."""
    w = bases
    m = w.members_a[0]
    today = _today()
    last = last_completed_month(today)
    months = [add_months(last, -i) for i in range(5, -1, -1)]
    p = services.record_payment(member=m, months=months, paid_on=today, note="补交")
    assert m.pk not in {r["member_id"] for r in selectors.art9_dues_alerts(w.branch_a, today=today)}
    voids.void_payment(payment=p, reason="重复登记", user=w.user("secretary_a"))
    alert = {r["member_id"]: r for r in selectors.art9_dues_alerts(w.branch_a, today=today)}
    assert alert[m.pk]["streak"] >= 6 and alert[m.pk]["level"].is_over


def test_no_second_void_and_a_reason_is_required(bases):
    w = bases
    m = w.members_a[0]
    p = services.record_payment(member=m, months=[month_of(_today())], paid_on=_today())
    with pytest.raises(services.DuesError, match="原因"):
        voids.void_payment(payment=p, reason=" ")
    assert not PaymentVoid.objects.exists() and PaidMonth.objects.filter(payment=p).exists()
    voids.void_payment(payment=p, reason="金额录错")
    with pytest.raises(services.DuesError, match="不能重复冲红"):
        voids.void_payment(payment=p, reason="再冲一次")
    assert PaymentVoid.objects.filter(payment=p).count() == 1


def test_voided_payments_do_not_count_in_the_yearly_notice(bases):
    w = bases
    m = w.members_a[0]
    today = _today()
    big = services.record_voluntary(member=m, amount=Decimal("1200"), paid_on=today)
    assert selectors.notice(w.township, today.year)["to_centre"] == Decimal("1200")
    voids.void_payment(payment=big, reason="金额多录一个零")
    data = selectors.notice(w.township, today.year)
    assert data["voluntary"] == 0 and data["to_centre"] == 0


def test_void_is_audited_with_actor_and_reason(bases, client_for):
    w = bases
    m = w.members_a[0]
    p = services.record_payment(member=m, months=[month_of(_today())], paid_on=_today())
    c = client_for("secretary_a")
    r = c.post(f"/dues/payment/{p.pk}/void/", {"reason": "重复登记"})
    assert r.status_code == 302
    v = PaymentVoid.objects.get(payment=p)
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(PaymentVoid), object_pk=str(v.pk))
    assert entry.actor == w.user("secretary_a") and "重复登记" in str(entry.changes)
    deleted = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(PaidMonth), action=LogEntry.Action.DELETE
    )
    assert deleted.count() == 1


def test_confirmation_page_then_void_and_the_pages_show_it(bases, client_for):
    w = bases
    m = w.members_a[0]
    today = _today()
    p = services.record_payment(member=m, months=[month_of(today)], paid_on=today)
    c = client_for("committee_a")
    page = c.get(f"/dues/payment/{p.pk}/void/").content.decode()
    assert "将冲红" in page and p.receipt_label in page and "40.00" in page and "冲红原因（必填）" in page
    assert not PaymentVoid.objects.exists()  # GET writes nothing
    r = c.post(f"/dues/payment/{p.pk}/void/", {"reason": ""})
    assert r.status_code == 400 and "请写明冲红原因" in r.content.decode()
    r = c.post(f"/dues/payment/{p.pk}/void/", {"reason": "金额录错"})
    assert r.status_code == 302 and PaymentVoid.objects.filter(payment=p).exists()
    detail = c.get(f"/dues/member/{m.pk}/").content.decode()
    assert "已冲红" in detail and "原因：金额录错" in detail and 'class="dues-voided"' in detail
    assert f'id="void-{p.pk}"' not in detail  # no second 冲红 button
    again = c.get(f"/dues/payment/{p.pk}/void/").content.decode()
    assert "不能重复冲红" in again and "确认冲红" not in again
    collect = c.get(f"/dues/collect/?branch={w.branch_a.pk}&month={month_of(today):%Y-%m}").content.decode()
    assert "已冲红：金额录错" in collect
    assert c.post(f"/dues/payment/{p.pk}/void/", {"reason": "再来"}).status_code == 400
    # the member sees it struck through on 我的党费
    mine = client_for("secretary_a")  # a staff account linked to the member is not the member view
    assert mine.get(f"/dues/member/{m.pk}/").status_code == 200


def test_member_sees_the_void_on_my_dues(bases, client_for):
    w = bases
    m = w.members_a[3]  # mem_a
    p = services.record_payment(member=m, months=[month_of(_today())], paid_on=_today())
    voids.void_payment(payment=p, reason="登记错了月份")
    page = client_for("member_a").get("/dues/mine/").content.decode()
    assert "已冲红" in page and "登记错了月份" in page


@pytest.mark.parametrize("who", ["member_a", "inspector"])
def test_read_only_roles_cannot_void(bases, client_for, who):
    w = bases
    p = services.record_payment(member=w.members_a[3], months=[month_of(_today())], paid_on=_today())
    c = client_for(who)
    assert c.get(f"/dues/payment/{p.pk}/void/").status_code == 403
    assert c.post(f"/dues/payment/{p.pk}/void/", {"reason": "越权冲红"}).status_code == 403
    assert not PaymentVoid.objects.exists()


def test_no_void_outside_scope(bases, client_for):
    w = bases
    p = services.record_payment(member=w.members_b[0], months=[month_of(_today())], paid_on=_today())
    c = client_for("secretary_a")
    assert c.get(f"/dues/payment/{p.pk}/void/").status_code == 404
    assert c.post(f"/dues/payment/{p.pk}/void/", {"reason": "别的支部"}).status_code == 404
    assert not PaymentVoid.objects.exists()


def test_ledger_lists_receipts_with_the_void_struck_through(bases, client_for):
    w = bases
    today = _today()
    mo = month_of(today)
    done = services.collect_month(branch=w.branch_a, month=mo, member_ids=[x.pk for x in w.members_a], paid_on=today)
    voids.void_payment(payment=done[1], reason="重复登记")
    r = client_for("secretary_a").get(f"/dues/ledger/?branch={w.branch_a.pk}&year={today.year}")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["党费收缴台账", "收据登记（含冲红）"]
    ws = wb["收据登记（含冲红）"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [f"第{p.receipt_no:04d}号" for p in done]  # consecutive, none dropped
    voided = rows[1]
    assert voided[7] == "已冲红" and voided[10] == "重复登记"
    assert ws.cell(row=4, column=1).font.strike and not ws.cell(row=3, column=1).font.strike
    assert ws.page_setup.orientation == "landscape"  # print setup like every ledger
    assert rows[0][7] == "有效"


def test_concurrent_record_after_void_cannot_double_pay(bases):
    """The unique (member, month) detail refuses a second payment for the same month; a race
    on it is told in Chinese, never a 500 and never an overwrite."""
    w = bases
    m = w.members_a[0]
    mo = month_of(_today())
    p = services.record_payment(member=m, months=[mo], paid_on=_today())
    voids.void_payment(payment=p, reason="金额录错")
    services.record_payment(member=m, months=[mo], paid_on=_today())
    with pytest.raises(services.DuesError, match="已交纳"):
        services.record_payment(member=m, months=[mo], paid_on=_today())
    # Simulate the race: the check passed before the other writer's row landed.
    from unittest import mock

    with mock.patch.object(services, "_validate_months", return_value={mo: Decimal("40.00")}):
        with pytest.raises(services.DuesError, match="刚刚已由他人登记"):
            services.record_payment(member=m, months=[mo], paid_on=_today())
    assert PaidMonth.objects.filter(member=m, month=mo).count() == 1


def test_home_panel_and_member_tile_read_the_same_selector(bases, client_for):
    w = bases
    today = _today()
    mo = month_of(today)
    services.collect_month(
        branch=w.branch_a, month=mo, member_ids=[w.members_a[0].pk, w.members_a[3].pk], paid_on=today
    )
    m = selectors.this_month(w.branch_a, today=today)
    assert (m.paid_count, m.due_count) == (2, 5)
    page = client_for("secretary_a").get("/").content.decode()
    assert f"本月党费收缴（{mo.month}月）" in page and "2/5人" in page
    assert f"/dues/collect/?branch={w.branch_a.pk}&amp;month={mo:%Y-%m}" in page
    mine = selectors.this_month(member=w.members_a[3], today=today)
    assert (
        mine.all_paid
        and mine.due_amount == selectors.member_dues(w.members_a[3], today=today)["months"][mo.month - 1]["due"]
    )
    tile = client_for("member_a").get("/members/home/").content.decode()
    assert f"{mo.month}月已交" in tile
    # after a void both say unpaid
    p = Payment.objects.get(member=w.members_a[3], first_month=mo)
    voids.void_payment(payment=p, reason="登记错了人")
    assert selectors.this_month(w.branch_a, today=today).paid_count == 1
    assert f"{mo.month}月未交" in client_for("member_a").get("/members/home/").content.decode()
    assert "1/5人" in client_for("secretary_a").get("/").content.decode()


def test_member_tile_without_dues_this_month(world, client_for):
    page = client_for("member_a").get("/members/home/").content.decode()
    assert "本月无应交党费记录" in page
    assert selectors.this_month(world.branch_a, today=date(2024, 5, 3)).due_count == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_concurrent_voids_and_a_record_while_a_void_is_open(bases):
    """Real concurrency: while one 冲红 is uncommitted, a second 冲红 of the same payment waits
    on the row lock and is then refused; a payment recorded for the same month meanwhile is
    refused as already paid; after the commit the month can be paid again. Nothing is
    overwritten and there is exactly one void."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks are held to commit there; SQLite has one writer at a time)")
    w = bases
    m = w.members_a[0]
    mo = month_of(_today())
    p = services.record_payment(member=m, months=[mo], paid_on=_today())
    voided, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                voids.void_payment(payment=p, reason="第一次冲红")
                voided.set()
                release.wait(30)
            results["first"] = "ok"
        except Exception as exc:  # noqa: BLE001 — reported below
            results["first"] = exc
        finally:
            voided.set()
            connections.close_all()

    def second():
        try:
            voids.void_payment(payment=p, reason="同时冲红")
            results["second"] = "ok"
        except services.DuesError as exc:
            results["second"] = exc.message
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert voided.wait(30)
    b = threading.Thread(target=second)
    b.start()
    b.join(1.0)
    assert b.is_alive()  # waiting on the first void's row lock
    with pytest.raises(services.DuesError, match="已交纳"):
        services.record_payment(member=m, months=[mo], paid_on=_today())
    release.set()
    a.join(30)
    b.join(30)
    assert results["first"] == "ok"
    assert "不能重复冲红" in results["second"]
    assert PaymentVoid.objects.filter(payment=p).count() == 1
    again = services.record_payment(member=m, months=[mo], paid_on=_today())
    assert PaidMonth.objects.filter(member=m, month=mo).get().payment_id == again.pk


def test_notice_totals_are_in_cents(bases):
    """SQLite sums decimals as floats; the notice shows 元 to the cent, never 54735.9299999999."""
    w = bases
    today = _today()
    for m in w.members_a[:3]:
        services.record_voluntary(member=m, amount=Decimal("0.10"), paid_on=today)
    services.record_voluntary(member=w.members_a[3], amount=Decimal("0.20"), paid_on=today)
    data = selectors.notice(w.township, today.year)
    assert data["voluntary"] == Decimal("0.50") and str(data["voluntary"]) == "0.50"

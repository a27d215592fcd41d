"""Issue 20: a mid-year base change from its month, and 党费 a 流动党员 paid at the 流入地."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.dues import adjustments, selectors, services
from dangjian.dues.grid import dues_grid, members_for
from dangjian.dues.models import BaseChange, HostDuesRecord
from dangjian.rules.dues import amount_in_month

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def midyear(settings):
    settings.DANGJIAN = {**getattr(settings, "DANGJIAN", {}), "DUES_BASE_MIDYEAR_CHANGE": True}


def _employed(world, member, year=2024, base="4000"):
    member.joined_on = date(2010, 7, 1)
    member.save()
    services.set_bases(branch=world.branch_b, year=year, rows=[services.BaseRow(member.pk, "在职", base)])


def _grid(world, member, until):
    return dues_grid(members_for(world.branch_b).filter(pk=member.pk), until=until)[member.pk]


def _change(member, **kw):
    args = {"year": 2024, "from_month": 7, "category": "在职", "base": D("6000")}
    args.update(reason="7月起调资", evidence="工资变动通知（2024年6月）")
    args.update(kw)
    return adjustments.record_base_change(member=member, **args)


def test_amount_in_month_rule():
    changes = [(7, D("90.00")), (10, D("15.00"))]
    assert amount_in_month(6, D("40.00"), changes) == D("40.00")  # the month before keeps the old base
    assert amount_in_month(7, D("40.00"), changes) == D("90.00")  # the effective month takes the new one
    assert amount_in_month(12, D("40.00"), changes) == D("15.00")
    assert amount_in_month(3, D("40.00"), []) == D("40.00")


def test_midyear_change_is_refused_under_the_default_annual_setting(world):
    m = world.members_b[0]
    _employed(world, m)
    with pytest.raises(services.DuesError, match="每年核定一次"):
        _change(m)
    assert not BaseChange.objects.exists()


def test_midyear_raise_prices_only_months_from_the_effective_month(world, midyear):
    m = world.members_b[0]
    _employed(world, m)  # 4000 元, 在职 1% → 40.00
    services.record_payment(member=m, months=[date(2024, 1, 1), date(2024, 2, 1)], paid_on=date(2024, 2, 10))
    c = _change(m)  # from July 6000 元 → 1.5% → 90.00
    assert c.amount == D("90.00")
    md = _grid(world, m, date(2024, 9, 1))
    assert md.due[date(2024, 6, 1)] == D("40.00") and md.due[date(2024, 7, 1)] == D("90.00")
    # arrears Mar–Sep: four months at 40 and three at 90; the paid months are not re-priced
    assert md.arrears_amount(date(2024, 9, 1)) == 4 * D("40.00") + 3 * D("90.00")
    assert md.paid[date(2024, 1, 1)] == D("40.00")
    page = selectors.member_dues(m, today=date(2024, 10, 8), year=2024)
    assert [x.from_month for x in page["base_changes"]] == [7]


def test_retirement_from_june_switches_category_and_bracket(world, midyear):
    m = world.members_b[1]
    _employed(world, m, base="5200")  # 在职 5200 → 1.5% → 78.00
    _change(m, from_month=6, category="离退休", base=D("3000"), reason="6月起退休", evidence="退休审批表")
    md = _grid(world, m, date(2024, 12, 1))
    assert md.due[date(2024, 5, 1)] == D("78.00") and md.due[date(2024, 6, 1)] == D("15.00")  # 离退休 0.5%
    assert md.category == "离退休" and md.monthly == D("15.00")


def test_change_cannot_reprice_months_already_paid_or_start_in_january(world, midyear):
    m = world.members_b[2]
    _employed(world, m)
    services.record_payment(member=m, months=[date(2024, 7, 1)], paid_on=date(2024, 7, 5))
    with pytest.raises(services.DuesError, match="2024年7月"):
        _change(m, from_month=7)
    with pytest.raises(services.DuesError, match="从1月起"):
        _change(m, from_month=1)
    with pytest.raises(services.DuesError, match="基数须大于0|大于0"):
        _change(m, from_month=8, base=D("0"))
    assert _change(m, from_month=8).amount == D("90.00")
    with pytest.raises(services.DuesError, match="尚未核定"):
        _change(m, year=2025)


# --- 流入地 ------------------------------------------------------------------------------


def _mobile(member, since=date(2024, 3, 10)):
    member.is_mobile, member.mobile_since = True, since
    member.mobile_destination, member.mobile_host_org = "广东省东莞市", "东莞市长安镇某社区党委"
    member.save()


def _host(member, first, last, **kw):
    args = dict(
        host_org="东莞市长安镇某社区党委",
        evidence_kind=HostDuesRecord.Evidence.CARD,
        evidence_reference="活动证第12页，2024年8月交纳记录",
        confirmed_on=date(2024, 9, 3),
        today=date(2024, 9, 20),
    )
    args.update(kw)
    return adjustments.record_host_payment(member=member, first_month=first, last_month=last, **args)


def test_months_paid_at_the_host_are_neither_arrears_nor_art9(world):
    m = world.members_b[0]
    _employed(world, m)
    _mobile(m)
    # Without the record: Jan–Aug unpaid is eight months, over the 党章第九条 line.
    row = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2024, 9, 20))}[m.pk]
    assert row["streak"] == 8 and row["level"].is_over
    _host(m, date(2024, 3, 1), date(2024, 8, 1), amount=D("240.00"))
    md = _grid(world, m, date(2024, 8, 1))
    assert md.arrears_months(date(2024, 8, 1)) == [date(2024, 1, 1), date(2024, 2, 1)]  # before leaving
    assert md.unpaid_streak(date(2024, 8, 1)) == 0
    assert md.host_paid == {date(2024, m_, 1) for m_ in range(3, 9)}
    row = {r["member_id"]: r for r in selectors.arrears_list(world.branch_b, today=date(2024, 9, 20))}[m.pk]
    assert row["count"] == 2 and row["level"] is None
    # September unpaid at either place starts a new streak of one
    assert _grid(world, m, date(2024, 9, 1)).unpaid_streak(date(2024, 9, 1)) == 1
    headers, rows = selectors.ledger_rows(world.branch_b, 2024, today=date(2024, 9, 20))
    line = next(r for r in rows if r[0] == m.name)
    assert line[headers.index("3月")] == "流入地" and line[headers.index("1月")] == "欠"
    assert line[headers.index("欠缴月数")] == 2
    page = selectors.member_dues(m, today=date(2024, 9, 20), year=2024)
    statuses = {c["month"].month: c["status"] for c in page["months"]}
    assert statuses[3] == "host" and statuses[1] == "arrears" and statuses[9] == "open"


def test_host_payment_needs_a_mobile_member_evidence_and_no_overlap(world):
    m = world.members_b[1]
    _employed(world, m)
    with pytest.raises(services.DuesError, match="未登记为流动党员"):
        _host(m, date(2024, 3, 1), date(2024, 4, 1))
    _mobile(m)
    with pytest.raises(services.DuesError, match="凭据"):
        _host(m, date(2024, 3, 1), date(2024, 4, 1), evidence_reference=" ")
    with pytest.raises(services.DuesError, match="早于外出日期"):
        _host(m, date(2024, 2, 1), date(2024, 4, 1))
    with pytest.raises(services.DuesError, match="不晚于本月"):
        _host(m, date(2024, 3, 1), date(2024, 10, 1))
    services.record_payment(member=m, months=[date(2024, 4, 1)], paid_on=date(2024, 4, 8))
    with pytest.raises(services.DuesError, match="已在本支部交纳"):
        _host(m, date(2024, 3, 1), date(2024, 5, 1))
    _host(m, date(2024, 5, 1), date(2024, 6, 1))
    with pytest.raises(services.DuesError, match="已登记在流入地"):
        _host(m, date(2024, 6, 1), date(2024, 7, 1))


def test_member_page_forms_and_post(world, client_for):
    m = world.members_a[0]
    m.is_mobile, m.mobile_since, m.mobile_host_org = True, date(2024, 1, 5), "兰州市某街道党工委"
    m.save()
    services.set_bases(branch=world.branch_a, year=2024, rows=[services.BaseRow(m.pk, "农民", None)])
    c = client_for("secretary_a")
    page = c.get(f"/dues/member/{m.pk}/?year=2024").content.decode()
    assert "流动党员在流入地交纳" in page and "年内不调整" in page
    r = c.post(
        f"/dues/member/{m.pk}/host-payment/",
        {
            "host_org": "兰州市某街道党工委",
            "first_month": "2024-01",
            "last_month": "2024-03",
            "evidence_kind": "收据",
            "evidence_reference": "兰街党费收据第0031号",
            "confirmed_on": "2024-04-02",
        },
    )
    assert r.status_code == 302
    page = c.get(f"/dues/member/{m.pk}/?year=2024").content.decode()
    assert "兰街党费收据第0031号" in page and "流入地" in page
    assert client_for("secretary_b").post(f"/dues/member/{m.pk}/host-payment/", {}).status_code == 404


def test_a_change_to_farmer_follows_the_branch_amount(world, midyear):
    m = world.members_b[3]
    _employed(world, m)
    _change(m, from_month=9, category="农民", base=None, reason="9月起返乡务农", evidence="村委会证明")
    services.set_farmer_amount(
        branch=world.branch_b, amount=D("0.80"), decided_on=date(2024, 10, 1), note="支部大会", year=2024
    )
    md = _grid(world, m, date(2024, 12, 1))
    assert md.due[date(2024, 8, 1)] == D("40.00") and md.due[date(2024, 9, 1)] == D("0.80")

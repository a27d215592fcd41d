"""Browser: the collector ticks who paid on the monthly screen and the rate changes; a member
sees 我的党费."""

import pytest
from django.utils import timezone


def _bases(world):
    from dangjian.dues.services import BaseRow, set_bases

    year = timezone.localdate().year
    set_bases(branch=world.branch_a, year=year, rows=[BaseRow(m.pk, "在职", "4000") for m in world.members_a])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_collector_ticks_payments_and_the_rate_changes(world, login, live_server):
    _bases(world)
    page = login("com_a")
    page.goto(f"{live_server.url}/dues/collect/")
    assert page.inner_text("#collect-rate").strip() == "0.0%"
    page.check(f"#pay-{world.members_a[0].pk}")
    page.check(f"#pay-{world.members_a[1].pk}")
    assert page.inner_text("#ticked") == "2" and page.inner_text("#ticked-sum") == "80.00"
    page.click("#collect-submit")
    page.wait_for_load_state("networkidle")
    assert "将登记 2 人交纳党费，合计 80.00 元" in page.inner_text("#confirm-summary")
    page.click("#confirm-submit")
    page.wait_for_load_state("networkidle")
    assert "已登记 2 人" in page.content()
    assert page.inner_text("#collect-rate").strip() == "40.0%"
    assert page.inner_text("#paid-count").strip() == "2"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_sees_my_dues(world, login, live_server):
    _bases(world)
    page = login("mem_a")
    page.goto(f"{live_server.url}/dues/mine/")
    assert "我的党费" in page.content()
    assert "40.00 元" in page.inner_text("#my-dues")
    assert page.locator("#my-arrears").inner_text().strip() != ""

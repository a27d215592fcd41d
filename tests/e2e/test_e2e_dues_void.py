"""Browser tests on a phone (390×844), issue 17: dues with confirmation and a 冲红 (void); the
design pass — tables as cards, filter panels folded, buttons on one line, the tree searchable."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.dues.models import PaidMonth, Payment, PaymentVoid
from dangjian.dues.months import month_of
from dangjian.testsupport.browser import signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _bases(world):
    from dangjian.dues.services import BaseRow, set_bases

    year = timezone.localdate().year
    set_bases(branch=world.branch_a, year=year, rows=[BaseRow(m.pk, "在职", "4000") for m in world.members_a])


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _buttons_on_one_line(page):
    """No visible button is taller than one line of its text (“查/看” wrapped a character a line)."""
    tall = page.evaluate(
        """() => Array.from(document.querySelectorAll('.btn')).filter(b => b.offsetParent !== null).filter(b => {
             const lh = parseFloat(getComputedStyle(b).lineHeight) || 24;
             const pad = parseFloat(getComputedStyle(b).paddingTop) + parseFloat(getComputedStyle(b).paddingBottom);
             return b.getBoundingClientRect().height > lh * 1.6 + pad + 4; }).map(b => b.textContent.trim())"""
    )
    assert tall == [], f"{page.url}: buttons wrapped: {tall}"


def test_collect_confirm_then_void_on_a_phone(world, live_server, browser):
    _bases(world)
    a = world.members_a
    ctx, page = signed_in(browser, live_server.url, "sec_a")
    try:
        page.goto(f"{live_server.url}/dues/collect/")
        _no_sideways_scroll(page)
        # the collection list is cards: no table header, each row one card inside the screen
        assert page.locator("#collect-table thead").is_hidden()
        box = page.locator("#collect-table tbody tr").first.bounding_box()
        assert box["width"] <= PHONE["width"]
        page.check(f"#pay-{a[0].pk}")
        page.check(f"#pay-{a[1].pk}")
        with page.expect_navigation():
            page.click("#collect-submit")
        assert "将登记 2 人交纳党费，合计 80.00 元" in page.inner_text("#confirm-summary")
        with page.expect_navigation():
            page.click("#confirm-submit")
        assert page.inner_text("#paid-count").strip() == "2"
        p = Payment.objects.get(member=a[0])

        # 冲红 from the member's page: a confirmation stating what is voided, a reason required
        page.goto(f"{live_server.url}/dues/member/{a[0].pk}/")
        _buttons_on_one_line(page)
        with page.expect_navigation():
            page.click(f"#void-{p.pk}")
        summary = page.inner_text("#void-summary")
        assert a[0].name in summary and p.receipt_label in summary and "40.00" in summary
        assert f"{month_of(timezone.localdate()).month}月" in page.inner_text("#void-months")
        assert not PaymentVoid.objects.exists()
        page.fill("#void-reason", "登记错了人")
        with page.expect_navigation():
            page.click("#void-submit")
        assert "已冲红" in page.content()
        assert "原因：登记错了人" in page.inner_text(f"#void-note-{p.pk}")
        assert (
            page.locator(f"#payment-{p.pk} .dues-voided").first.evaluate("e => getComputedStyle(e).textDecorationLine")
            == "line-through"
        )
        assert page.locator(f"#void-{p.pk}").count() == 0  # no second 冲红
        assert Payment.objects.filter(pk=p.pk).exists() and not PaidMonth.objects.filter(payment=p).exists()

        # the month is unpaid again and can be collected again
        page.goto(f"{live_server.url}/dues/collect/")
        assert page.inner_text("#paid-count").strip() == "1"
        assert "已冲红：登记错了人" in page.inner_text("#collect-table")
        page.check(f"#pay-{a[0].pk}")
        with page.expect_navigation():
            page.click("#collect-submit")
        with page.expect_navigation():
            page.click("#confirm-submit")
        assert page.inner_text("#paid-count").strip() == "2"
        again = Payment.objects.filter(member=a[0], void__isnull=True).get()
        assert again.receipt_no == Payment.objects.order_by("-receipt_no").first().receipt_no > p.receipt_no

        # the home panel reads the same figures
        page.goto(f"{live_server.url}/")
        assert "2/5人" in page.content()
    finally:
        ctx.close()


def test_phone_design_roster_cards_folded_filters_and_tree_search(world, live_server, browser):
    ctx, page = signed_in(browser, live_server.url, "admin")
    try:
        page.goto(f"{live_server.url}/members/")
        _no_sideways_scroll(page)
        # the filter panel is folded behind one button; the list starts on the first screen
        assert page.locator("#roster-filter").is_hidden()
        toggle = page.locator(".filter-toggle")
        assert toggle.is_visible()
        first = page.locator("table.roster tbody tr").first
        assert first.bounding_box()["y"] < PHONE["height"]
        # each member is a card: the name as its title, fields labelled, never squeezed to a
        # character a line
        assert page.locator("table.roster thead").is_hidden()
        name = first.locator("td").first
        assert name.bounding_box()["height"] < 40 and name.bounding_box()["width"] > 200
        assert first.locator("td").nth(1).get_attribute("data-label") == "性别"
        toggle.click()
        expect(page.locator("#roster-filter")).to_be_visible()
        _buttons_on_one_line(page)

        # the organisation tree: folded below the top on a phone, searchable
        page.goto(f"{live_server.url}/orgs/")
        _no_sideways_scroll(page)
        assert not page.locator(".org-group .org-name").first.is_visible()
        page.fill("#org-search", "东街")
        expect(page.locator("#org-search-count")).to_contain_text("找到")  # orgs.js, on input
        expect(page.locator(".org-name", has_text="东街").first).to_be_visible()
        expect(page.locator(".org-node.org-branch .org-name", has_text="西街").first).to_be_hidden()
        page.fill("#org-search", "")
        expect(page.locator(".org-miss")).to_have_count(0)

        # the heatmap as cards of month tiles
        page.goto(f"{live_server.url}/meetings/compliance/")
        _no_sideways_scroll(page)
        cell = page.locator("#heatmap td.grid-cell").first
        assert cell.bounding_box()["width"] < PHONE["width"] / 4
        _buttons_on_one_line(page)
    finally:
        ctx.close()


PHONE_PAGES = [
    "/",
    "/members/",
    "/orgs/",
    "/meetings/",
    "/meetings/compliance/",
    "/meetings/art9/",
    "/dues/collect/",
    "/dues/arrears/",
    "/dues/bases/",
    "/dues/summary/",
    "/dues/notice/",
    "/study/",
    "/lifecycle/",
    "/reviews/",
    "/core/audit/",
]


def test_phone_walk_no_sideways_scroll_and_buttons_on_one_line(world, live_server, browser):
    """The main pages at 390×844: nothing runs off the screen sideways, no button wraps."""
    _bases(world)
    member_a = world.members_a[0].pk
    _phone_walk(browser, live_server, "admin", [*PHONE_PAGES, f"/members/{member_a}/", f"/dues/member/{member_a}/"])
    _phone_walk(browser, live_server, "mem_a", ["/members/home/", "/dues/mine/", "/meetings/mine/", "/study/mine/"])


def _phone_walk(browser, live_server, username, paths):
    """Each page at 390×844 as `username`: one main, no sideways scroll, no wrapped button."""
    ctx, page = signed_in(browser, live_server.url, username)
    try:
        for path in paths:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert page.locator("main").count() == 1, path
            _no_sideways_scroll(page)
            _buttons_on_one_line(page)
    finally:
        ctx.close()

"""Browser: the page header's breadcrumbs (a 返回 link on a phone) and a result toast after a
save, at 1280×900 and 390×844 (issue 17 §7)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _signed_in(browser, live_server, size, username):
    phone = size == "phone"
    ctx = browser.new_context(locale="zh-CN", viewport=SIZES[size], is_mobile=phone, has_touch=phone)
    page = ctx.new_page()
    page.set_default_timeout(30000)
    csp = []
    page.on(
        "console",
        lambda m: csp.append((page.url, m.location, m.text[:90])) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "Test-pass-2023")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    return ctx, page, csp


def _no_sideways_scroll(page, size):
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], page.url


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_breadcrumbs_and_the_toast_after_a_save(world, live_server, browser, size):
    m = world.members_a[1]
    vw, vh = SIZES[size]["width"], SIZES[size]["height"]
    ctx, page, csp = _signed_in(browser, live_server, size, "sec_a")
    try:
        page.goto(f"{live_server.url}/members/{m.pk}/")
        trail, back = page.locator("#breadcrumbs"), page.locator("#crumb-back")
        if size == "desktop":
            expect(trail).to_be_visible()
            expect(trail.locator("li")).to_have_text(["首页", "组织与党员", "党员名册", m.name])
            expect(trail.locator("a", has_text="党员名册")).to_have_attribute("href", "/members/")
            expect(back).to_be_hidden()
        else:
            expect(trail).to_be_hidden()
            expect(back).to_be_visible()
            expect(back).to_have_text("返回党员名册")
            assert back.bounding_box()["height"] >= 44
        # the icons come from the vendored sprite
        sprite = page.locator(".navbar svg.bi use").first.get_attribute("href").split("#")[0]
        assert page.request.get(live_server.url + sprite).ok

        # a save: the secretary turns on large print for the member; the result is a toast
        page.click("#member-large-print")
        page.wait_for_load_state("networkidle")
        toast = page.locator("#result-toasts .result-toast")
        expect(toast).to_be_visible()
        expect(toast).to_contain_text(f"已为{m.name}开启大字模式")
        expect(page.locator("main .alert")).to_have_count(0)
        box = toast.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= vw
        if size == "desktop":
            assert box["x"] > vw / 2 and box["y"] < vh / 3  # top right, below the navbar
            assert box["y"] >= page.locator("nav.navbar").bounding_box()["height"]
        else:
            assert box["y"] + box["height"] <= vh and box["y"] > vh / 2  # at the bottom
        _no_sideways_scroll(page, size)
        # it hides itself after about five seconds, the words stay in the page's source
        expect(toast).to_be_hidden(timeout=12000)
        assert f"已为{m.name}开启大字模式" in page.content()

        if size == "phone":
            back.click()
            page.wait_for_load_state("networkidle")
            assert page.url.endswith("/members/")
            expect(page.locator("#crumb-back")).to_have_text("返回首页")
            _no_sideways_scroll(page, size)
        assert csp == [], "\n".join(map(str, csp))
    finally:
        ctx.close()


def test_a_toast_closes_with_its_button(world, live_server, browser):
    """The close button of a toast works (Bootstrap from the static bundle, no inline script)."""
    m = world.members_a[2]
    ctx, page, csp = _signed_in(browser, live_server, "phone", "sec_a")
    try:
        page.goto(f"{live_server.url}/members/{m.pk}/")
        page.click("#member-large-print")
        page.wait_for_load_state("networkidle")
        toast = page.locator("#result-toasts .result-toast")
        expect(toast).to_be_visible()
        page.click("#result-toasts .toast-close")
        expect(toast).to_be_hidden(timeout=3000)
        assert csp == [], "\n".join(map(str, csp))
    finally:
        ctx.close()

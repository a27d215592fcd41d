"""Browser tests: a Playwright context signed in as a test account (the world's accounts share
one password)."""

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
PASSWORD = "Test-pass-2023"


def signed_in(browser, base_url: str, username: str, *, phone: bool = True, timeout: int = 30000):
    """(context, page) at phone (390×844, touch) or desktop size, past the login page; the
    caller closes the context."""
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone)
    page = ctx.new_page()
    page.set_default_timeout(timeout)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():  # wait for the page after login, its scripts included
        page.click("main button[type=submit]")
    return ctx, page

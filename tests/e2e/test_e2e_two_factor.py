"""Two-factor sign-in in the browser: an administrator is made to set up TOTP, reads the secret
off the page as a phone app would, finishes the setup, signs out and in again with a code; a
wrong code is refused in Chinese and a recovery code works once."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp

PASSWORD = "Test-pass-2023"


def _code(secret_shown: str, *, drift: int = 0) -> str:
    """What an authenticator app shows for the secret on the page (RFC 6238, 30 s, 6 digits)."""
    b32 = secret_shown.replace(" ", "")
    key = b32decode(b32 + "=" * (-len(b32) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=drift):06d}"


def _password(page, url):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _logout(page):
    with page.expect_navigation():
        page.click("nav form[action$='/accounts/logout/'] button")
    assert "/accounts/login/" in page.url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_sets_up_and_signs_in_with_a_code_and_a_recovery_code(world, page, live_server, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ("admin", "inspector")
    # django-otp slows a device down after a wrong code; off, so the right code can follow at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    url = live_server.url

    _password(page, url)
    assert page.url.endswith("/accounts/2fa/setup/")  # asked to set it up before anything else
    assert "管理员和督查账号必须开启两步验证" in page.content()
    page.goto(f"{url}/members/")
    assert page.url.endswith("/accounts/2fa/setup/")  # nothing else is reachable
    secret = page.inner_text("#totp-secret")
    assert page.locator(".qr svg").count() == 1

    right = _code(secret)
    page.fill("#id_token", "000000" if right != "000000" else "111111")
    with page.expect_navigation():
        page.click("#confirm-2fa")
    assert "验证码不对" in page.inner_text(".alert-danger")

    page.fill("#id_token", _code(secret))
    with page.expect_navigation():
        page.click("#confirm-2fa")
    assert "只显示这一次" in page.content()
    codes = [c.strip() for c in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z0-9]{8}", c) for c in codes)
    with page.expect_navigation():
        page.click("text=我已保存，进入系统")
    assert page.url == f"{url}/"
    _logout(page)

    # Signing in again: the password alone is not enough; a wrong code is refused in Chinese.
    _password(page, url)
    assert page.url.endswith("/accounts/2fa/verify/")
    page.fill("#id_token", "12345678")
    with page.expect_navigation():
        page.click("#verify-2fa")
    assert "验证码不对或已用过" in page.inner_text(".alert-danger")
    page.goto(f"{url}/members/")
    assert page.url.endswith("/accounts/2fa/verify/")
    # the code of the setup's time step was used; the app's next code is accepted
    page.fill("#id_token", _code(secret, drift=1))
    with page.expect_navigation():
        page.click("#verify-2fa")
    assert page.url == f"{url}/"
    page.goto(f"{url}/members/")
    assert page.url == f"{url}/members/"
    _logout(page)

    # A recovery code works once.
    _password(page, url)
    page.fill("#id_token", codes[0])
    with page.expect_navigation():
        page.click("#verify-2fa")
    assert page.url == f"{url}/"
    _logout(page)
    _password(page, url)
    page.fill("#id_token", codes[0])
    with page.expect_navigation():
        page.click("#verify-2fa")
    assert "验证码不对或已用过" in page.inner_text(".alert-danger")
    assert page.url.endswith("/accounts/2fa/verify/")
    page.fill("#id_token", codes[1])
    with page.expect_navigation():
        page.click("#verify-2fa")
    assert page.url == f"{url}/"

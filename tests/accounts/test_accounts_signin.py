"""Sign-in security (issue 19): password rules and history, the forced change refusing the
initial password, two-factor TOTP with recovery codes, lockout per address and per user name
behind a trusted proxy only, a global failure rate, the idle timeout, one session per staff account."""

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts.roles import Role
from dangjian.testsupport.world import make_user

PASSWORD = "Test-pass-2023"
LOGIN = "/accounts/login/"


def _login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


# --- passwords ------------------------------------------------------------------------------


def test_password_rules(world):
    user = world.user("secretary_a")  # username sec_a
    shuji = make_user("shuji08", Role.SECRETARY, org=world.branch_a)
    with pytest.raises(ValidationError, match="不能包含用户名"):
        validate_password("shuji08shuji08", shuji)
    with pytest.raises(ValidationError, match="至少 3 类"):
        validate_password("lowercaseonlyletters", user)
    with pytest.raises(ValidationError, match="至少 3 类"):
        validate_password("UPPER-AND-SYMBOLS", user)
    validate_password("Qz7-mountain-42", user)


def test_forced_change_refuses_the_initial_password(world):
    user = make_user("new_sec", Role.SECRETARY, org=world.branch_a, password="Init-Pass-8842")
    user.must_change_password = True
    user.save()
    c = Client()
    assert _login(c, "new_sec", "Init-Pass-8842").status_code == 302
    change = reverse("accounts:password_change")
    resp = c.post(
        change, {"old_password": "Init-Pass-8842", "new_password1": "Init-Pass-8842", "new_password2": "Init-Pass-8842"}
    )
    assert resp.status_code == 200 and "不能与当前密码或最近 5 次用过的密码相同" in resp.content.decode()
    user.refresh_from_db()
    assert user.must_change_password and user.check_password("Init-Pass-8842")


def test_history_of_the_last_five(world):
    user = world.user("member_a")
    used = [f"Qz7-river-{i}x" for i in range(6)]
    for pw in used:
        user.set_password(pw)
        user.save()
    assert user.password_history.count() == 5
    for recent in used[1:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(recent, user)
    validate_password(used[0], user)  # six changes ago: allowed again


# --- two-factor -----------------------------------------------------------------------------


def _code(key_hex: str, *, offset: int = 0) -> str:
    return f"{totp(bytes.fromhex(key_hex), t0=0, step=30, digits=6, drift=offset):06d}"


# django-otp throttles a device after a wrong code (1 s, then 2 s, …); off here so the
# test need not sleep between its deliberate wrong and right codes.
@override_settings(
    TWO_FACTOR_REQUIRED_ROLES=("admin", "inspector"), OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0
)
def test_two_factor_required_for_admin_with_recovery_codes(world):
    c = Client()
    assert _login(c, "admin", PASSWORD).status_code == 302
    # Nothing is reachable before the second factor is set up.
    for url in (reverse("home"), reverse("core:audit"), "/members/"):
        resp = c.get(url)
        assert resp.status_code == 302 and resp["Location"] == reverse("accounts:two_factor_setup"), url
    page = c.get(reverse("accounts:two_factor_setup")).content.decode()
    assert "<svg" in page and "totp-secret" in page
    key = c.session["dangjian_2fa_pending_key"]
    wrong = c.post(reverse("accounts:two_factor_setup"), {"token": "000000" if _code(key) != "000000" else "111111"})
    assert "验证码不对" in wrong.content.decode() and not TOTPDevice.objects.filter(user__username="admin").exists()
    done = c.post(reverse("accounts:two_factor_setup"), {"token": _code(key)})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10 and "只显示这一次" in done.content.decode()
    assert c.get(reverse("core:audit")).status_code == 200
    # The codes are shown once: the setup page no longer lists them, nor stores them readable.
    assert codes[0] not in c.get(reverse("accounts:two_factor_setup")).content.decode()

    # Next sign-in: the password alone reaches nothing.
    c2 = Client()
    assert _login(c2, "admin", PASSWORD).status_code == 302
    resp = c2.get(reverse("core:audit"))
    assert resp["Location"] == reverse("accounts:two_factor_verify")
    assert "验证码不对" in c2.post(reverse("accounts:two_factor_verify"), {"token": "12345678"}).content.decode()
    assert c2.post(reverse("accounts:two_factor_verify"), {"token": codes[0]}).status_code == 302
    assert c2.get(reverse("core:audit")).status_code == 200
    # A recovery code works once.
    c3 = Client()
    _login(c3, "admin", PASSWORD)
    c3.post(reverse("accounts:two_factor_verify"), {"token": codes[0]})
    assert c3.get(reverse("core:audit"))["Location"] == reverse("accounts:two_factor_verify")
    # A TOTP code of the next step works.
    device = TOTPDevice.objects.get(user__username="admin")
    c3.post(reverse("accounts:two_factor_verify"), {"token": _code(device.key, offset=1)})
    assert c3.get(reverse("core:audit")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED_ROLES=("admin", "inspector"))
def test_two_factor_offered_not_forced_on_secretaries(world):
    c = Client()
    _login(c, "sec_a", PASSWORD)
    assert c.get(reverse("home")).status_code == 200
    assert c.get(reverse("accounts:two_factor_setup")).status_code == 200
    m = Client()
    _login(m, "mem_a", PASSWORD)
    assert m.get(reverse("accounts:two_factor_setup")).status_code == 302  # not offered to 党员


# --- lockout --------------------------------------------------------------------------------


@override_settings(TRUSTED_PROXIES=("127.0.0.1",))
def test_lockout_behind_the_trusted_proxy(world):
    from axes.models import AccessAttempt

    def via_nginx(client_addr):
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_addr}")

    # Spraying one password over many names from one address locks that address only.
    spray = via_nginx("10.0.0.66")
    for name in ("sec_a", "sec_b", "com_a", "mem_a", "mem_b"):
        _login(spray, name, "Spring-2026!")
    assert _login(spray, "admin", PASSWORD).status_code == 429  # this address is locked
    assert AccessAttempt.objects.filter(ip_address="10.0.0.66").exists()
    assert not AccessAttempt.objects.filter(ip_address__in=["127.0.0.1", "6.6.6.6"]).exists()
    # Everyone else behind the same nginx signs in as usual.
    assert _login(via_nginx("10.0.0.7"), "admin", PASSWORD).status_code == 302
    # A forged header from a peer that is not the proxy is ignored: its own address counts.
    forged = Client(REMOTE_ADDR="10.0.0.99", HTTP_X_FORWARDED_FOR="10.0.0.7")
    for _ in range(5):
        _login(forged, f"nobody{_}", "x")
    assert AccessAttempt.objects.filter(ip_address="10.0.0.99").exists()
    assert _login(via_nginx("10.0.0.7"), "sec_a", PASSWORD).status_code == 302


@override_settings(TRUSTED_PROXIES=("127.0.0.1",), OTP_TOTP_THROTTLE_FACTOR=0)
def test_locked_name_unlocked_by_its_own_second_factor(world):
    admin = world.user("admin")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    # Five addresses guess the admin's password: the user name is locked for everyone...
    for i in range(5):
        _login(Client(REMOTE_ADDR=f"10.1.0.{i}"), "admin", "guess")
    owner = Client(REMOTE_ADDR="10.2.0.1")
    assert _login(owner, "admin", PASSWORD).status_code == 429
    # ...until its owner signs in with password AND a code from the phone.
    resp = _login(owner, "admin", PASSWORD, token=_code(device.key))
    assert resp.status_code == 302 and owner.get(reverse("core:audit")).status_code == 200
    # A wrong code does not unlock.
    for i in range(5):
        _login(Client(REMOTE_ADDR=f"10.3.0.{i}"), "admin", "guess")
    assert _login(Client(REMOTE_ADDR="10.2.0.2"), "admin", PASSWORD, token="000000").status_code == 429


@override_settings(LOGIN_GLOBAL_FAILURES_PER_MINUTE=8)
def test_global_failure_rate(world):
    for i in range(8):
        _login(Client(REMOTE_ADDR=f"10.4.0.{i}"), f"user{i}", "x")
    resp = _login(Client(REMOTE_ADDR="10.5.0.1"), "sec_b", PASSWORD)
    assert resp.status_code == 429 and "暂停登录" in resp.content.decode()


# --- sessions -------------------------------------------------------------------------------


@override_settings(IDLE_TIMEOUT_SECONDS=30 * 60)
def test_idle_timeout(world):
    c = Client()
    _login(c, "sec_a", PASSWORD)
    assert c.get(reverse("home")).status_code == 200
    s = c.session
    s["dangjian_last_seen"] = int(time.time()) - 31 * 60
    s.save()
    resp = c.get(reverse("home"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))
    assert c.get(reverse("home")).status_code == 302


@override_settings(ONE_SESSION_PER_STAFF_ACCOUNT=True)
def test_one_session_per_staff_account(world):
    first, second = Client(), Client()
    _login(first, "sec_a", PASSWORD)
    assert first.get(reverse("home")).status_code == 200
    _login(second, "sec_a", PASSWORD)
    assert second.get(reverse("home")).status_code == 200
    assert first.get(reverse("home")).status_code == 302  # the older session was ended
    # 党员 accounts (phones, shared family PCs) keep theirs.
    m1, m2 = Client(), Client()
    _login(m1, "mem_a", PASSWORD)
    _login(m2, "mem_a", PASSWORD)
    assert m1.get("/members/me/").status_code == 200
    assert Session.objects.count() >= 3

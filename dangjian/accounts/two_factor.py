"""Two-factor sign-in (TOTP, django-otp): required for administrators and inspectors,
offered to secretaries (TWO_FACTOR_REQUIRED_ROLES / TWO_FACTOR_OFFERED_ROLES).

Setting up: the secret lives in the session until the first code from the phone is right,
then a confirmed TOTP device is saved and 10 recovery codes are shown once (only their
django-otp static tokens are kept). Signing in: password, then a code (or a recovery code).
A successful second factor also clears the account's lockout (accounts.services.unlock).
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_SECRET = "dangjian_2fa_pending_key"
SESSION_HAS_DEVICE = "dangjian_2fa_has_device"
RECOVERY_CODES = 10


def required_for(user) -> bool:
    return getattr(user, "role", None) in set(settings.TWO_FACTOR_REQUIRED_ROLES)


def offered_to(user) -> bool:
    return required_for(user) or getattr(user, "role", None) in set(settings.TWO_FACTOR_OFFERED_ROLES)


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_key(session) -> str:
    """The hex secret being set up (made once per session until confirmed)."""
    key = session.get(SESSION_SECRET)
    if not key:
        key = secrets.token_hex(20)
        session[SESSION_SECRET] = key
    return key


def provisioning_uri(user, key_hex: str) -> str:
    from urllib.parse import quote

    secret = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    issuer = settings.OTP_TOTP_ISSUER
    return f"otpauth://totp/{quote(issuer)}:{quote(user.username)}?secret={secret}&issuer={quote(issuer)}&digits=6"


def readable_secret(key_hex: str) -> str:
    secret = b32encode(unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_setup(request, token: str) -> list[str] | None:
    """Check the first code against the pending secret; on success save the device, sign the
    session in with it and return the recovery codes (shown once). None: wrong code."""
    key = request.session.get(SESSION_SECRET)
    if not key or not token:
        return None
    from django_otp.oath import TOTP

    token = token.strip().replace(" ", "")
    if not token.isdigit():
        return None
    # Checked without a device object: an unsaved device's verify_token saves it on failure.
    checker = TOTP(unhexlify(key), step=30, t0=0, digits=6)
    if not checker.verify(int(token), tolerance=1):
        return None
    TOTPDevice.objects.filter(user=request.user).delete()
    device = TOTPDevice.objects.create(
        user=request.user, name="手机验证器", key=key, confirmed=True, last_t=checker.t()
    )
    codes = new_recovery_codes(request.user)
    del request.session[SESSION_SECRET]
    request.session[SESSION_HAS_DEVICE] = True
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODES):
        code = StaticToken.random_token()
        static.token_set.create(token=code)
        codes.append(code)
    return codes


def verify(request, token: str) -> bool:
    """A TOTP code or an unused recovery code of the signed-in user."""
    from django_otp import match_token

    token = (token or "").strip().replace(" ", "")
    if not token:
        return False
    device = match_token(request.user, token)
    if device is None:
        return False
    otp_login(request, device)
    from dangjian.accounts.services import unlock

    unlock(request.user)  # its own second factor proves the account's owner: lift a lockout
    return True


def device_for_username(username: str, token: str):
    """Before the password: does `token` match a confirmed device of `username`? (used to
    let an account's owner lift a lockout an attacker caused; the password is still checked)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from dangjian.accounts.models import User

    token = (token or "").strip().replace(" ", "")
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not token.isdigit():
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None

"""Account writes: create, reset password, activate/deactivate (township administrator).

Generated passwords are shown once and never stored in clear; the account must change
its password at first login (accounts.middleware.PasswordChangeRequiredMiddleware).
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.accounts.scope import orgs_in_scope, visible_to

# No look-alike characters (0/O, 1/l/I): the password is read off a screen and typed by hand.
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")
_SYMBOLS = "@#%+=?"


def generate_password(length: int = 12) -> str:
    """A random password that passes AUTH_PASSWORD_VALIDATORS (letters, digits, a symbol)."""
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(length - 1)] + [secrets.choice(_SYMBOLS)]
        secrets.SystemRandom().shuffle(chars)
        pw = "".join(chars)
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            try:
                validate_password(pw)
            except ValidationError:
                continue
            return pw


def _check_target_org(by: User, org) -> None:
    if org is None or not orgs_in_scope(by).filter(pk=org.pk).exists():
        raise PermissionDenied("只能为本级及下级党组织创建或修改账号。")


@transaction.atomic
def create_account(*, by: User, username: str, full_name: str, role: str, org=None, member=None) -> tuple[User, str]:
    """Create an account in `by`'s scope; returns (user, the one-time initial password)."""
    if role == Role.MEMBER:
        if member is None:
            raise ValidationError("党员账号须选择对应的党员。")
        if not visible_to(by, type(member)).filter(pk=member.pk).exists():
            raise PermissionDenied("该党员不在您的管理范围内。")
        org = None
    else:
        _check_target_org(by, org)
    if member is not None and User.objects.filter(member=member).exists():
        raise ValidationError("该党员已有账号。")
    password = generate_password()
    user = User(
        username=username,
        full_name=full_name or (member.name if member else ""),
        role=role,
        org=org,
        member=member,
        must_change_password=True,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, password


@transaction.atomic
def update_account(*, by: User, user: User, full_name: str, role: str, org=None) -> User:
    if user.pk == by.pk and role != user.role:
        raise ValidationError("不能修改自己的角色。")
    if role != Role.MEMBER:
        _check_target_org(by, org)
        user.org = org
    user.full_name = full_name
    user.role = role
    user.save(update_fields=["full_name", "role", "org"])
    return user


@transaction.atomic
def reset_password(*, by: User, user: User) -> str:
    """A new one-time password; the account must change it at next login. Unlocks it too."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    unlock(user)
    return password


def unlock(user: User) -> None:
    unlock_username(user.username)


def unlock_username(username: str) -> None:
    """Lift the lockout of one user name (by an administrator, or by its own second factor)."""
    from axes.utils import reset

    reset(username=username)


@transaction.atomic
def set_active(*, by: User, user: User, active: bool) -> User:
    if user.pk == by.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user

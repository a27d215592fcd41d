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
from dangjian.accounts.scope import editable_by, orgs_in_scope, visible_to

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


# Roles an account may hand out: never above its own; the least privilege (党员) first.
_OFFERED = {
    Role.ADMIN: (Role.MEMBER, Role.COMMITTEE, Role.SECRETARY, Role.INSPECTOR, Role.ADMIN),
    Role.SECRETARY: (Role.MEMBER, Role.COMMITTEE),
}


def roles_offered(by: User) -> list[str]:
    return list(_OFFERED.get(by.role, ()))


def _check_role(by: User, role: str) -> None:
    if role not in roles_offered(by):
        raise PermissionDenied("不能授予高于自己的角色。")


def _check_target_org(by: User, org) -> None:
    if org is None or not orgs_in_scope(by).filter(pk=org.pk).exists():
        raise PermissionDenied("只能为本级及下级党组织创建或修改账号。")


@transaction.atomic
def create_account(*, by: User, username: str, full_name: str, role: str, org=None, member=None) -> tuple[User, str]:
    """Create an account in `by`'s scope; returns (user, the one-time initial password)."""
    _check_role(by, role)
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
    if role != user.role:
        _check_role(by, role)
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
    from axes.utils import reset

    reset(username=user.username)


@transaction.atomic
def set_active(*, by: User, user: User, active: bool) -> User:
    if user.pk == by.pk and not active:
        raise ValidationError("不能停用自己的账号。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


# --- accounts at scale (issue 15) ------------------------------------------------------------
_USERNAME_OK = set(string.ascii_lowercase + string.digits)


def suggest_username(name: str, taken: set[str]) -> str:
    """Full pinyin of the name (张三 → zhangsan), a number added when taken; `taken` is lower-case
    and gets the new name added."""
    from dangjian.core.pinyin import full_pinyin

    base = "".join(c for c in full_pinyin(name) if c in _USERNAME_OK)[:24] or "dangyuan"
    if len(base) < 3:
        base = (base + "dy")[:24]
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def _taken_usernames() -> set[str]:
    return {u.lower() for u in User.objects.values_list("username", flat=True)}


def _new_account(*, username: str, member, role: str, org) -> tuple[User, str]:
    password = generate_password()
    user = User(username=username, full_name=member.name, role=role, org=org, member=member, must_change_password=True)
    user.set_password(password)
    user.save()
    return user, password


def post_role(kind: str) -> str:
    from dangjian.orgs.models import Post

    return Role.SECRETARY if kind == Post.Kind.SECRETARY else Role.COMMITTEE


@transaction.atomic
def create_post_accounts(*, by: User, under=None) -> list[tuple[User, str]]:
    """Accounts for every current 书记 and 支委 (from the posts) in `by`'s scope (under `under`)
    who has none: 书记 → 支部书记, other posts → 支委委员, scoped to the post's branch."""
    from dangjian.orgs.models import BRANCH_TYPES, Post

    offered = roles_offered(by)
    posts = (
        visible_to(by, Post)
        .filter(
            ended_on__isnull=True, org__org_type__in=BRANCH_TYPES, member__is_current=True, member__account__isnull=True
        )
        .exclude(kind=Post.Kind.GROUP_LEADER)
        .select_related("member", "org")
        .order_by("org__path", "kind")
    )
    if under is not None:
        posts = posts.filter(org__path__startswith=under.path)
    best: dict[int, tuple[str, object, object]] = {}
    for p in posts:
        role = post_role(p.kind)
        if role not in offered:
            continue
        cur = best.get(p.member_id)
        if cur is None or (role == Role.SECRETARY and cur[0] != Role.SECRETARY):
            best[p.member_id] = (role, p.org, p.member)
    taken = _taken_usernames()
    return [
        _new_account(username=suggest_username(m.name, taken), member=m, role=role, org=org)
        for role, org, m in best.values()
    ]


@transaction.atomic
def create_member_accounts(*, by: User, branch) -> list[tuple[User, str]]:
    """党员 accounts (least privilege) for every current member of `branch` who has none."""
    from dangjian.members.models import Member

    _check_role(by, Role.MEMBER)
    _check_target_org(by, branch)
    members = (
        visible_to(by, Member)
        .filter(branch=branch, is_current=True, account__isnull=True)
        .order_by("name_pinyin", "pk")
    )
    taken = _taken_usernames()
    return [
        _new_account(username=suggest_username(m.name, taken), member=m, role=Role.MEMBER, org=None) for m in members
    ]


@transaction.atomic
def reset_member_password(*, by: User, member) -> tuple[User, str]:
    """A secretary (or the administrator) resets a member's password, making the account if
    there is none. Only 党员 accounts: staff accounts are the administrator's (账号管理)."""
    from dangjian.members.models import Member

    if by.role not in _OFFERED or not editable_by(by, Member).filter(pk=member.pk).exists():
        raise PermissionDenied("该党员不在您的管理范围内。")
    user = User.objects.filter(member=member).first()
    if user is None:
        return _new_account(username=suggest_username(member.name, _taken_usernames()), member=member,
                            role=Role.MEMBER, org=None)  # fmt: skip
    if user.role != Role.MEMBER and by.role != Role.ADMIN:
        raise PermissionDenied("该党员的账号是支部书记或支委账号，请由镇（区）党委管理员重置。")
    if user.pk == by.pk:
        raise PermissionDenied("请通过“修改密码”更改自己的密码。")
    return user, reset_password(by=by, user=user)

"""First run (issue 15): on an empty database, the top organization and its first administrator.

`set_up` creates the optional higher levels (区委 and above, top first), the top organization
under them and the administrator of the topmost one. It refuses once any organization exists.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role


class SetupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def needs_setup() -> bool:
    from dangjian.orgs.models import Organization

    return not Organization.objects.exists()


@transaction.atomic
def set_up(
    *,
    name: str,
    short_name: str,
    org_type: str,
    category: str,
    higher: list[str],
    user: User | None = None,
    username: str = "",
    full_name: str = "",
    password: str = "",
):
    """Returns (top organization, administrator). `user` (an existing superuser) is given the
    scope; otherwise a new administrator account is created with `password`."""
    from dangjian.orgs.models import Organization, OrgCategory, OrgType

    if not needs_setup():
        raise SetupError("系统已设置过最上级党组织，不能重复设置。")
    name = (name or "").strip()
    if not name:
        raise SetupError("请填写党组织全称。")
    if org_type not in (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.HIGHER):
        raise SetupError("最上级党组织应为基层党委、党总支或党支部（区委等上级党委请填在“上级党委”中）。")
    higher = [h.strip() for h in higher if h.strip()]
    if len(set(higher + [name])) != len(higher) + 1:
        raise SetupError("上级党委与本级党组织的名称不能重复。")
    parent = None
    topmost = None
    for h in higher:
        node = (
            Organization.objects.add_root(dict(name=h, org_type=OrgType.HIGHER, category=OrgCategory.ORGAN))
            if parent is None
            else Organization.objects.add_child(
                parent, dict(name=h, org_type=OrgType.HIGHER, category=OrgCategory.ORGAN)
            )
        )
        topmost = topmost or node
        parent = node
    fields = {"name": name, "short_name": (short_name or "").strip()[:40], "org_type": org_type, "category": category}
    top = Organization.objects.add_root(fields) if parent is None else Organization.objects.add_child(parent, fields)
    scope = topmost or top
    if user is not None:
        user.role = Role.ADMIN
        user.org = scope
        user.save(update_fields=["role", "org"])
        return top, user
    if User.objects.filter(username__iexact=username).exists():
        raise SetupError("该用户名已被使用。")
    admin = User(
        username=username, full_name=(full_name or "").strip(), role=Role.ADMIN, org=scope,
        is_staff=True, is_superuser=True,
    )  # fmt: skip
    try:
        validate_password(password, admin)
    except ValidationError as exc:
        raise SetupError("；".join(exc.messages)) from None
    admin.set_password(password)
    admin.save()
    return top, admin

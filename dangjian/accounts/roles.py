"""Roles (DESIGN.md 'Who uses it')."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "镇（区）党委管理员"
    SECRETARY = "secretary", "支部书记"
    COMMITTEE = "committee", "支委委员"
    MEMBER = "member", "党员"
    # Writes inspections, findings, 销号/退回 and integrity-signal reviews; reads the rest.
    INSPECTOR = "inspector", "督查"


ALL_ROLES = frozenset(Role.values)
STAFF_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.COMMITTEE, Role.INSPECTOR})
WRITER_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.COMMITTEE})
BRANCH_ROLES = frozenset({Role.SECRETARY, Role.COMMITTEE})
TOWNSHIP_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR})
ADMIN_ONLY = frozenset({Role.ADMIN})
# Who may reveal a full 公民身份号码 / phone number within their scope (each reveal is logged).
ID_REVEAL_ROLES = frozenset({Role.ADMIN, Role.SECRETARY})
PHONE_REVEAL_ROLES = frozenset({Role.ADMIN, Role.SECRETARY, Role.COMMITTEE})

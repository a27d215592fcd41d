"""The one scoping function. Every list, detail, export, import and form goes through
`visible_to` (read) or `editable_by` (write); no view filters by hand.

Each model declares how it relates to the organization tree:

    scope = ScopeRule(org="branch", member="member")

org     lookup path from the model to an Organization ("" when the model is the
        Organization itself); staff see rows whose organization lies in their subtree.
member  what a 党员 (member role) sees: "self" (the row is their Member record), a lookup
        path to a Member (their own rows), "branch" (rows of their own branch), "none".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

# Declared in core (models of every app, core's own included, carry one); enforced here.
from dangjian.core.scoping import ScopeRule


class ScopeNotDeclared(Exception):
    pass


def rule_for(model: type[Model]) -> ScopeRule:
    rule = getattr(model, "scope", None)
    if not isinstance(rule, ScopeRule):
        raise ScopeNotDeclared(f"{model.__name__} has no ScopeRule: every model users see must declare one")
    return rule


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def scope_root(user):
    """The organization at the top of a staff user's scope (cached on the user)."""
    if not hasattr(user, "_scope_root"):
        user._scope_root = user.org if user.org_id else None
    return user._scope_root


def member_branch(user):
    if not hasattr(user, "_member_branch"):
        member = user.member if user.member_id else None
        user._member_branch = member.branch if member else None
    return user._member_branch


def _as_queryset(model_or_qs) -> QuerySet:
    if isinstance(model_or_qs, QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def _from_above(rule: ScopeRule, org) -> Q:
    """Rows of the organizations above `org` (published downward)."""
    from dangjian.orgs.selectors import ancestor_paths

    return Q(**{f"{rule.org_path_lookup()}__in": ancestor_paths(org)[:-1]})


def visible_to(user, model_or_qs, *, own_only: bool = False) -> QuerySet:
    """Rows of `model_or_qs` that `user` may see (`own_only`: without what ancestors published)."""
    from dangjian.accounts.roles import STAFF_ROLES, Role

    qs = _as_queryset(model_or_qs)
    rule = rule_for(qs.model)
    role = _role(user)
    if role in STAFF_ROLES:
        root = scope_root(user)
        if root is None:
            return qs.none()
        q = rule.in_subtree(root.path)
        if rule.from_above and not own_only:
            q |= _from_above(rule, root)
        return qs.filter(q)
    if role == Role.MEMBER and user.member_id:
        rows = _member_rows(user, qs, rule, own_only=own_only)
        return rows.filter(rule.member_q(user)) if rule.member_q is not None else rows
    return qs.none()


def _member_rows(user, qs, rule, *, own_only: bool = False) -> QuerySet:
    if rule.member == "self":
        return qs.filter(pk=user.member_id)
    if rule.member == "none":
        return qs.none()
    if rule.member == "branch":
        branch = member_branch(user)
        if branch is None:
            return qs.none()
        q = rule.in_subtree(branch.path)
        if rule.from_above and not own_only:
            q |= _from_above(rule, branch)
        return qs.filter(q)
    return qs.filter(**{rule.member: user.member_id})


def editable_by(user, model_or_qs) -> QuerySet:
    """Rows `user` may change: writers (administrator, secretary, committee) in scope."""
    from dangjian.accounts.roles import WRITER_ROLES

    qs = _as_queryset(model_or_qs)
    if _role(user) not in WRITER_ROLES:
        return qs.none()
    return visible_to(user, qs, own_only=True)


def can_write(user) -> bool:
    from dangjian.accounts.roles import WRITER_ROLES

    return _role(user) in WRITER_ROLES


def get_in_scope(user, model_or_qs, pk, *, write: bool = False):
    """The object, or 404 when outside scope; 403 when visible but not writable."""
    qs = _as_queryset(model_or_qs)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到") from None
    obj = visible_to(user, qs).filter(pk=pk).first()
    if obj is None:
        raise Http404("未找到或无权查看")
    if write and not editable_by(user, qs).filter(pk=pk).exists():
        raise PermissionDenied("您没有修改此记录的权限")
    return obj


def orgs_in_scope(user, *, branches_only: bool = False) -> QuerySet:
    from dangjian.orgs.models import BRANCH_TYPES, Organization

    qs = visible_to(user, Organization).filter(is_active=True)
    if branches_only:
        qs = qs.filter(org_type__in=BRANCH_TYPES)
    return qs.order_by("path")

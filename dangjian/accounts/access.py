"""The view decorator that declares and enforces each view's scope rule.

    @scoped(member=Member)                 # URL kwarg <int:member> → Member in scope or 404
    def member_detail(request, member): ...

    @scoped(meeting=Meeting, write=True)   # visible but not writable → 403
    @scoped(roles=ADMIN_ONLY)              # other roles → 403
    @scoped(public=True)                   # login page and the like

The generated scope test (tests/security/test_security_scope_everywhere.py) reads `view.scope_rule`
from every URL pattern: a view without it fails that test.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from dangjian.accounts.roles import ALL_ROLES
from dangjian.accounts.scope import can_write, get_in_scope


def scoped(*, roles=ALL_ROLES, write: bool = False, public: bool = False, **params):
    roles = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not public:
                user = request.user
                if not user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if user.role not in roles:
                    raise PermissionDenied("您的角色无权使用此功能")
                if write and not can_write(user):
                    # Also for views without object kwargs (create, import): read-only roles
                    # (督查, 党员) never reach a write view's code.
                    raise PermissionDenied("您的角色为只读，不能修改数据")
                for name, model in params.items():
                    if name in kwargs:
                        kwargs[name] = get_in_scope(user, model, kwargs[name], write=write)
            return view(request, *args, **kwargs)

        wrapper.scope_rule = {"params": dict(params), "roles": roles, "write": write, "public": public}
        return wrapper

    return decorator

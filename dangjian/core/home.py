"""The home page: the overview plus each app's alerts ("what is due this month").

Apps contribute panels by adding a function to HOME_PANELS: (user, root) -> dict | None
with keys title, items (list of (label, value, url)), level.
"""

from datetime import date

from dangjian.core.cache import cached, data_version
from dangjian.orgs.selectors import overview

HOME_PANELS: list = []


def register_panel(fn):
    HOME_PANELS.append(fn)
    return fn


def home_context(user, root) -> dict:
    """Panels and the overview, cached per user scope at the current data version
    (core.cache: any write invalidates them)."""
    version = data_version()
    who = (user.role, user.org_id, user.member_id, date.today())
    ctx = {
        "root": root,
        # Scoped to the root's subtree (core.cache): writes in other townships keep it cached.
        "overview": cached(("overview", root, date.today()), lambda: overview(root)) if root else None,
        "panels": [],
    }
    for fn in HOME_PANELS:
        panel = cached(
            ("panel", fn.__module__, fn.__qualname__, *who), lambda fn=fn: fn(user, root) or {}, version=version
        )
        if panel:
            ctx["panels"].append(panel)
    return ctx

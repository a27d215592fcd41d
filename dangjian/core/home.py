"""The home page: the overview plus each app's alerts ("what is due this month").

Apps contribute panels by adding a function to HOME_PANELS: (user, root) -> dict | None
with keys title, items (list of (label, value, url)), level.
"""

from dangjian.orgs.selectors import overview

HOME_PANELS: list = []


def register_panel(fn):
    HOME_PANELS.append(fn)
    return fn


def home_context(user, root) -> dict:
    ctx = {"root": root, "overview": overview(root) if root else None, "panels": []}
    for fn in HOME_PANELS:
        panel = fn(user, root)
        if panel:
            ctx["panels"].append(panel)
    return ctx

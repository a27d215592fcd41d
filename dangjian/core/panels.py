"""The home page's panels ("what is due this month"), contributed by each app.

An app adds a function `(user, root) -> dict | None` (keys title, items — a list of
(label, value, url) — and level) with `register_panel` in its AppConfig.ready; the site shell
(shell/home.py) shows them in order. The registry lives in core so that features never import
the shell, which imports them."""

HOME_PANELS: list = []


def register_panel(fn, *, first: bool = False):
    if fn not in HOME_PANELS:
        HOME_PANELS.insert(0, fn) if first else HOME_PANELS.append(fn)
    return fn

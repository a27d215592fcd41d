from dangjian.shell.nav import menu_for, trail_for


def nav(request):
    """The menu, and the breadcrumbs of this page derived from it (base.html's {% breadcrumbs %})."""
    user = getattr(request, "user", None)
    menu = menu_for(user) if user is not None else []
    crumbs, exact = trail_for(menu, request.path) if menu else ([], False)
    return {"menu": menu, "nav_crumbs": crumbs, "nav_crumbs_exact": exact}

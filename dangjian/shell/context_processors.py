from dangjian.shell.nav import menu_for


def nav(request):
    user = getattr(request, "user", None)
    return {"menu": menu_for(user) if user is not None else []}

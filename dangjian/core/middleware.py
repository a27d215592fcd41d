from django.http import HttpResponseBadRequest

MAX_USERNAME = 150  # Django's username length; login throttling stores what is typed


class RefuseNulCharacters:
    """A NUL character in a query or form value is never real input (Django's form fields
    refuse it, PostgreSQL cannot store it), and neither is a user name longer than any
    account's (the login throttle would try to store it). Refuse such requests plainly
    before any view or lookup sees them, instead of failing deep inside with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for data in (request.GET, request.POST if request.method == "POST" else None):
            if data is None:
                continue
            for key, values in data.lists():
                too_long = key == "username" and any(len(v) > MAX_USERNAME for v in values)
                if too_long or "\x00" in key or any("\x00" in v for v in values):
                    return HttpResponseBadRequest(
                        "输入内容无效（含有控制字符，或用户名过长），请检查后重新填写。".encode(),
                        content_type="text/plain; charset=utf-8",
                    )
        return self.get_response(request)

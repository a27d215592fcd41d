"""One error shape for every refused write.

Services raise `ServiceError` (or an app's subclass of it) with one or more Chinese messages
for the user, and optionally the form field they concern; views show it with `show(request,
exc)` (a message on the next page) — or let it propagate: `ServiceErrorMiddleware` renders an
uncaught one as a 400 page with the same messages. Nothing is written when one is raised
inside the service's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable


class ServiceError(Exception):
    """A refused action. `messages`: Chinese text for the user; `field`: the form field, if any."""

    status = 400
    title = "操作未完成"

    def __init__(self, messages: str | Iterable[str], field: str | None = None):
        self.messages = [messages] if isinstance(messages, str) else [str(m) for m in messages]
        self.field = field
        self.message = "；".join(self.messages)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class BadRequest(ServiceError):
    """Input a page cannot use (a year, a number, an id): shown as 400 with the reason."""

    title = "请求参数有误"


def show(request, exc: ServiceError) -> None:
    """Put the error on the page the user is sent back to (django.contrib.messages)."""
    from django.contrib import messages

    for text in exc.messages:
        messages.error(request, text)


def render_error(request, exc: ServiceError):
    """The same messages as a page of their own (status 400 unless the error says otherwise)."""
    from django.shortcuts import render

    return render(
        request,
        "core/error.html",
        {"title": exc.title, "message": exc.message},
        status=exc.status,
    )


class ServiceErrorMiddleware:
    """An uncaught ServiceError becomes a 400 page with its Chinese messages, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if isinstance(exc, ServiceError):
            return render_error(request, exc)
        return None

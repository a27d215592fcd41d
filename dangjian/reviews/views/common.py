"""Shared by the 民主评议, 处置 and 评星 views."""

from __future__ import annotations

from django.contrib import messages

from dangjian.accounts.roles import Role

MEMBER_ONLY = frozenset({Role.MEMBER})


def form_error(request, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields and form.fields[field].label else ""
        messages.error(request, f"{label}：{'；'.join(errs)}" if label else "；".join(errs))

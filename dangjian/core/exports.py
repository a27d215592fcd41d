"""The large exports (审计日志, 党员名册, 会议台账): one query per sheet, rows streamed into a
write-only workbook. The same code serves a small export inside the request and a large one
in the task worker (core.jobs), where `progress` reports every 500 rows.

Each kind is registered by the app that owns its rows (`@jobs.job_kind`, imported in its
AppConfig.ready): shell/exports.py (审计日志), members/exports.py, meetings/exports.py."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.shortcuts import redirect

from dangjian.core import jobs
from dangjian.core.xlsx import xlsx_response


def _noop(n: int = 1) -> None:
    return None


def respond(request, kind: str, *, total: int, filename: str, org) -> HttpResponse:
    """Small: the file now. Large (> EXPORT_BACKGROUND_ROWS rows): a background job and its page.
    `org`: the scope the export was made in (the job's page and its pruning keep to it)."""
    if total > jobs.background_rows():
        job = jobs.start(request, kind, total=total, filename=filename, org=org)
        return redirect("core:job", job=str(job.pk))
    buf = io.BytesIO()
    jobs.KINDS[kind].build(job=None, request=request, progress=_noop, target=buf)
    return xlsx_response(buf.getvalue(), filename)

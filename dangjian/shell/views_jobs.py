"""Background jobs (core.jobs): the progress page, its polled fragment, stop and download.
A job is only ever shown to the account that started it, and only while the organization
whose data it holds is still in that account's scope (a secretary moved to another branch
no longer gets the old branch's file)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ALL_ROLES
from dangjian.accounts.scope import scope_root
from dangjian.core import jobs
from dangjian.core.models import ExportJob


def _in_scope(job: ExportJob, user) -> bool:
    """A job's result is the data of its organization: served only while that organization
    is still in the user's scope (a job without one: its owner alone decides)."""
    if job.org_id is None:
        return True
    root = scope_root(user)
    return root is not None and job.org.path.startswith(root.path)


def _own(request, job: str) -> ExportJob:
    try:
        pk = uuid.UUID(job)
    except ValueError:
        raise Http404("没有这个任务") from None
    found = ExportJob.objects.filter(pk=pk, user=request.user).select_related("org").first()
    if found is None:
        raise Http404("没有这个任务")
    if not _in_scope(found, request.user):
        raise Http404("没有这个任务")
    return found


def _context(job: ExportJob) -> dict:
    kind = jobs.KINDS.get(job.kind)
    result_url = kind.result_url(job) if kind and kind.result_url and job.status == ExportJob.Status.DONE else None
    return {"job": job, "kind": kind, "result_url": result_url}


def _seen(job: ExportJob) -> None:
    if not job.finished:
        ExportJob.objects.filter(pk=job.pk).update(seen_at=timezone.now())


@scoped(roles=ALL_ROLES)
def job_page(request, job: str):
    j = _own(request, job)
    _seen(j)
    return render(request, "shell/job.html", _context(j))


@scoped(roles=ALL_ROLES)
def job_progress(request, job: str):
    """Polled every second by the page (htmx): keeps the job alive while the page is open."""
    j = _own(request, job)
    _seen(j)
    return render(request, "shell/_job_progress.html", _context(j))


@require_POST
@scoped(roles=ALL_ROLES)
def job_cancel(request, job: str):
    j = _own(request, job)
    if not j.finished:
        ExportJob.objects.filter(pk=j.pk, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).update(
            status=ExportJob.Status.CANCELLED, message="已按您的要求停止", finished_at=timezone.now()
        )
    return redirect("core:job", job=str(j.pk))


@scoped(roles=ALL_ROLES)
def job_download(request, job: str):
    j = _own(request, job)
    kind = jobs.KINDS.get(j.kind)
    path = jobs.file_path(j)
    if j.status != ExportJob.Status.DONE or kind is None or not kind.file or not path.exists():
        raise Http404("文件尚未生成或已过期")
    resp = FileResponse(path.open("rb"), content_type=kind.content_type if kind else None)  # noqa: SIM115 — closed by the response
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(j.filename or 'export.xlsx')}"
    return resp

"""Long work in the background (django-tasks, database backend): exports over a few thousand
rows run in the task worker (`manage.py db_worker`, started beside the server by `serve`),
not inside the request.

A kind of job is registered with `@job_kind(...)` by the app that owns its rows (imported in
its AppConfig.ready, so the worker knows every kind): a function `build(job, request, progress,
target)` that writes the file to `target`. The page (shell.views_jobs) polls the job's progress
and offers the file when done. The page's polling is also the job's lifeline: when nobody has
looked for ABANDON_SECONDS (the browser was closed) or the user pressed 停止, the job stops at
its next progress step — an abandoned export never keeps the worker busy.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone

try:
    from django_tasks import task
except ImportError:  # Django 6 has the framework built in
    from django.tasks import task  # type: ignore[no-redef]

from dangjian.core.models import ExportJob

logger = logging.getLogger(__name__)

ABANDON_SECONDS = 60


class Abandoned(Exception):
    pass


@dataclass
class JobKind:
    kind: str
    title: str
    build: object
    content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


KINDS: dict[str, JobKind] = {}


def job_kind(kind: str, title: str):
    def register(fn):
        KINDS[kind] = JobKind(kind, title, fn)
        return fn

    return register


def export_dir() -> Path:
    path = Path(getattr(settings, "EXPORT_DIR", settings.VAR_DIR / "exports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path:
    return export_dir() / f"{job.pk}.xlsx"


def background_rows() -> int:
    """Exports with more rows than this run in the background."""
    return int(getattr(settings, "EXPORT_BACKGROUND_ROWS", 2000))


class Progress:
    """`progress(n)`: n more rows done. Writes the count at most every half second and stops
    the job (Abandoned) when it was cancelled or nobody is watching any more."""

    def __init__(self, job: ExportJob):
        self.job_id = job.pk
        self.done = 0
        self.last = 0.0

    def total(self, n: int) -> None:
        ExportJob.objects.filter(pk=self.job_id).update(total=n)

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last < 0.5:
            return
        self.last = now
        self.check()

    def check(self) -> None:
        ExportJob.objects.filter(pk=self.job_id).update(done=self.done)
        status, seen = ExportJob.objects.filter(pk=self.job_id).values_list("status", "seen_at").first() or (
            ExportJob.Status.CANCELLED,
            None,
        )
        if status == ExportJob.Status.CANCELLED:
            raise Abandoned("已停止")
        if seen is not None and timezone.now() - seen > timedelta(seconds=ABANDON_SECONDS):
            raise Abandoned("页面已关闭")


def start(request, kind: str, *, total: int, filename: str, org) -> ExportJob:
    """Queue a job of `kind` for this request's user and filters (GET), in the scope `org`."""
    prune()
    root = org
    job = ExportJob.objects.create(
        kind=kind,
        title=KINDS[kind].title,
        user=request.user,
        org=root,
        params=request.GET.urlencode(),
        total=total,
        filename=filename,
        seen_at=timezone.now(),
    )
    run_job.enqueue(str(job.pk))
    return job


def prune(days: int = 1) -> None:
    """Files of jobs older than `days` are removed (they were offered once; exports are cheap
    to make again and hold personal data)."""
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
    for pk in old.values_list("pk", flat=True):
        export_dir().joinpath(f"{pk}.xlsx").unlink(missing_ok=True)
    old.delete()


@task()
def run_job(job_id: str) -> str:
    """The worker's side: build the file, keep the progress, never outlive its page."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.get(pk=job_id)
    progress = Progress(job)
    target = file_path(job)
    partial = target.with_suffix(".part")
    try:
        user = User.objects.get(pk=job.user_id)
        if not user.is_active:
            raise Abandoned("账号已停用")
        request = SimpleNamespace(user=user, GET=QueryDict(job.params), META={})
        progress.check()
        with open(partial, "wb") as fh:
            KINDS[job.kind].build(job=job, request=request, progress=progress, target=fh)
        partial.replace(target)
    except Abandoned as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.CANCELLED, message=f"{exc}，导出已停止", finished_at=timezone.now()
        )
        return "cancelled"
    except Exception:
        logger.exception("background job %s (%s) failed", job_id, job.kind)
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, message="生成文件时出错，请稍后重试或联系管理员", finished_at=timezone.now()
        )
        return "failed"
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, done=progress.done, finished_at=timezone.now()
    )
    return "done"

"""Long work in the background (django-tasks, database backend): exports over a few thousand
rows, the survey report and the integrity scan run in the task worker (`manage.py
db_worker`, started beside the server by `serve`), not inside the request.

A kind of job is registered with `@job_kind(...)` by the app that owns its rows (imported in
its AppConfig.ready, so the worker knows every kind): a function `build(job, request, progress,
target)` that writes the file to `target` (or, for a kind without a file, does its work and
returns the sentence to show). The page (shell.views_jobs) polls the job's progress and offers
the file, or the result's page, when done. The page's polling is also the job's lifeline: when nobody has
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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class JobKind:
    kind: str
    title: str
    build: object
    content_type: str = XLSX
    suffix: str = ".xlsx"
    unit: str = "行"  # what `total`/`done` count: rows, or steps of a report or scan
    file: bool = True  # False: the job's result is its message and `result_url`
    result_url: object = None  # job -> URL of the result's page (kinds without a file)


KINDS: dict[str, JobKind] = {}


def job_kind(kind: str, title: str, **options):
    def register(fn):
        KINDS[kind] = JobKind(kind, title, fn, **options)
        return fn

    return register


def export_dir() -> Path:
    path = Path(getattr(settings, "EXPORT_DIR", settings.VAR_DIR / "exports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job: ExportJob) -> Path:
    kind = KINDS.get(job.kind)
    return export_dir() / f"{job.pk}{kind.suffix if kind else '.xlsx'}"


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

    def step(self, label: str = "") -> None:
        """One more step of a job counted in steps (a report, a scan), written at once with
        what is being done now (shown on the page)."""
        self.done += 1
        self.check(label)

    def check(self, label: str | None = None) -> None:
        changes = {"done": self.done} if label is None else {"done": self.done, "message": label[:200]}
        ExportJob.objects.filter(pk=self.job_id).update(**changes)
        status, seen = ExportJob.objects.filter(pk=self.job_id).values_list("status", "seen_at").first() or (
            ExportJob.Status.CANCELLED,
            None,
        )
        if status == ExportJob.Status.CANCELLED:
            raise Abandoned("已停止")
        if seen is not None and timezone.now() - seen > timedelta(seconds=ABANDON_SECONDS):
            raise Abandoned("页面已关闭")


def start(request, kind: str, *, total: int, org, filename: str = "", params: str | None = None) -> ExportJob:
    """Queue a job of `kind` for this request's user and filters (GET, or `params` as a query
    string). `org`: the organization whose data it reads; the result is served only while that
    organization is still in the user's scope."""
    prune()
    root = org
    job = ExportJob.objects.create(
        kind=kind,
        title=KINDS[kind].title,
        user=request.user,
        org=root,
        params=request.GET.urlencode() if params is None else params,
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
        for path in export_dir().glob(f"{pk}.*"):
            path.unlink(missing_ok=True)
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
    kind = KINDS[job.kind]
    target = file_path(job)
    partial = target.with_suffix(".part")
    message = ""
    try:
        user = User.objects.get(pk=job.user_id)
        if not user.is_active:
            raise Abandoned("账号已停用")
        request = SimpleNamespace(user=user, GET=QueryDict(job.params), META={})
        progress.check()
        if kind.file:
            with open(partial, "wb") as fh:
                message = kind.build(job=job, request=request, progress=progress, target=fh) or ""
            partial.replace(target)
        else:
            message = kind.build(job=job, request=request, progress=progress, target=None) or ""
    except Abandoned as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.CANCELLED, message=f"{exc}，任务已停止", finished_at=timezone.now()
        )
        return "cancelled"
    except Exception:
        logger.exception("background job %s (%s) failed", job_id, job.kind)
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            message="后台任务出错，未能完成，请稍后重试或联系管理员",
            finished_at=timezone.now(),
        )
        return "failed"
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, done=progress.done, message=str(message)[:200], finished_at=timezone.now()
    )
    return "done"

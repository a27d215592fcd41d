"""The integrity scan (重新扫描) as a background job (core.jobs): the page shows its
progress, detector by detector, and links to the review queue when done. `manage.py
integrity_scan` stays synchronous."""

from __future__ import annotations

from django.urls import reverse

from dangjian.core import jobs


def _queue_url(job) -> str:
    from django.http import QueryDict

    year = QueryDict(job.params).get("year", "")
    return f"{reverse('integrity:queue')}?year={year}" if year else reverse("integrity:queue")


def steps() -> int:
    from dangjian.integrity.detectors import DETECTORS

    return len(DETECTORS) + 1  # every detector, then storing the signals


@jobs.job_kind("integrity_scan", "诚信信号扫描", file=False, unit="步", result_url=_queue_url)
def scan(*, job, request, progress, target) -> str:
    from dangjian.accounts.scope import scope_root
    from dangjian.integrity import services

    year = int(request.GET["year"])
    root = scope_root(request.user)
    if root is None:
        raise jobs.Abandoned("账号没有所属党组织")
    progress.check("正在检测")
    total = steps()

    def detector_done(_text: str) -> None:
        # After each detector: the count moves on, and a closed page or 停止 ends the scan
        # here, before anything is stored.
        progress.step(f"已完成 {progress.done + 1}/{total - 1} 项检测")

    run = services.run_scan(root=root, year=year, user=request.user, progress=detector_done)
    progress.step("")  # the signals are stored
    if run.skipped:
        return "自上次扫描以来数据没有变化，无需重新扫描。"
    return f"扫描完成：发现{run.found}条信号，其中新增{run.new}条，用时{run.seconds}秒。"

"""A large roster import (确认导入 of more than EXPORT_BACKGROUND_ROWS rows) as a background
job (core.jobs): the writes run in the task worker, the page shows the steps and links to
the roster when done. `manage.py import_roster` stays synchronous."""

from __future__ import annotations

from django.urls import reverse

from dangjian.core import jobs


def _roster_url(job) -> str:
    return reverse("members:list")


@jobs.job_kind("roster_import", "党员名册导入", file=False, unit="步", result_url=_roster_url)
def roster_import(*, job, request, progress, target) -> str:
    from dangjian.core.spreadsheet import Table, drop_preview, load_preview
    from dangjian.members.roster_import import SPEC, BranchIndex, StalePreview, apply_plan, plan_import

    token = request.GET.get("token", "")
    state = load_preview(token)
    if state is None:
        raise jobs.Abandoned("上传的文件已过期（超过1小时未确认），请重新上传")
    progress.check("正在逐行检查")
    # Checked again in the worker, against the user's scope now (not at upload).
    index = BranchIndex.for_user(request.user)
    branch_id = request.GET.get("branch", "")
    default_branch = index.by_pk.get(int(branch_id)) if branch_id.isdigit() else None
    plan = plan_import(Table.from_state(state["table"], SPEC), branches=index, default_branch=default_branch)
    if not plan.ok:
        raise jobs.Abandoned(f"文件中有{len(plan.errors)}处错误，未导入任何数据，请回到导入页查看")
    progress.step("正在写入")  # a closed page or 停止 ends the job here, before any write
    try:
        # Refused, nothing written, when the members the preview matched changed since.
        result = apply_plan(
            plan, user=request.user, remote_addr=request.GET.get("addr") or None, basis=state.get("basis") or {}
        )
    except StalePreview as exc:
        drop_preview(token)
        raise jobs.Abandoned(exc.message) from None
    drop_preview(token)
    progress.step("")
    return f"导入完成：新增 {result.created} 人，更新 {result.updated} 人，无变化 {result.unchanged} 人。"

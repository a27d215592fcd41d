""" "三抓三促" 行动 task ledger (RULES.md §9: 甘肃省, 2023年2月起; the township practice of
重点工作清单、问题清单 and "日周月季年" scheduling). Categories are configurable because later
campaigns use other names; no official township indicator template exists (RULES.md §9)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned
from dangjian.core.settings_registry import setting

# RULES.md §9 (H): 抓学习促提升、抓执行促落实、抓效能促发展.
DEFAULT_CATEGORIES = ["抓学习促提升", "抓执行促落实", "抓效能促发展"]


def stalled_days() -> int:
    """No progress report for this many days → 停滞 (settings.DANGJIAN["STALLED_TASK_DAYS"])."""
    return setting("STALLED_TASK_DAYS")


class ActionPlan(Versioned):
    """工作方案 of an organization (usually the 镇党委)."""

    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="制定单位", on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField("方案名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    started_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    goals = models.TextField("目标任务", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "工作方案"
        verbose_name_plural = "工作方案"
        ordering = ["-year", "-started_on", "-id"]

    def __str__(self) -> str:
        return self.title


class TaskCategory(Versioned):
    scope = ScopeRule(org="plan__org", member="none")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField("类别", max_length=40)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "任务类别"
        verbose_name_plural = "任务类别"
        ordering = ["plan", "order", "id"]

    def __str__(self) -> str:
        return self.name


class Task(Versioned):
    """One task: on the 重点工作清单 or the 问题清单; `org` is the responsible organization."""

    scope = ScopeRule(org="org", member="none")

    class Kind(models.TextChoices):
        KEY_WORK = "重点工作", "重点工作"
        PROBLEM = "问题整改", "问题整改"

    class Status(models.TextChoices):
        NOT_STARTED = "未开始", "未开始"
        IN_PROGRESS = "进行中", "进行中"
        DONE = "已完成", "已完成"

    class Cycle(models.TextChoices):
        ONCE = "一次性", "一次性"
        DAY = "日", "每日"
        WEEK = "周", "每周"
        MONTH = "月", "每月"
        QUARTER = "季", "每季"
        YEAR = "年", "每年"

    plan = models.ForeignKey(ActionPlan, verbose_name="工作方案", on_delete=models.CASCADE, related_name="tasks")
    category = models.ForeignKey(TaskCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField("清单", max_length=10, choices=Kind.choices, default=Kind.KEY_WORK)
    title = models.CharField("任务", max_length=200)
    detail = models.TextField("具体内容", blank=True)
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="责任单位", on_delete=models.PROTECT, related_name="action_tasks"
    )
    responsible = models.CharField("责任人", max_length=40)
    cycle = models.CharField("推进周期", max_length=10, choices=Cycle.choices, default=Cycle.ONCE)
    starts_on = models.DateField("开始日期")
    deadline = models.DateField("完成时限", db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NOT_STARTED)
    done_on = models.DateField("完成日期", null=True, blank=True)
    # The date of the newest progress report (kept by services.report_progress) so that
    # "stalled" is one indexed filter rather than a subquery per row.
    last_report_on = models.DateField("最近进展日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.status != self.Status.DONE and self.deadline < today

    def is_stalled(self, today: date) -> bool:
        if self.status == self.Status.DONE or self.starts_on > today:
            return False
        since = self.last_report_on or self.starts_on
        return since < today - timedelta(days=stalled_days())


class Milestone(Versioned):
    scope = ScopeRule(org="task__org", member="none")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due_on = models.DateField("节点时间")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "节点"
        verbose_name_plural = "节点"
        ordering = ["task", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(TimeStamped):
    scope = ScopeRule(org="task__org", member="none")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    date = models.DateField("日期")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度（%）", default=0)
    evidence = models.CharField("佐证材料（存储路径）", max_length=300, blank=True)
    evidence_name = models.CharField("佐证文件名", max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["task", "-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.text[:20]}"

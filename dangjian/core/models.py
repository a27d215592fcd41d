"""Abstract bases shared by every app."""

import uuid

from django.db import models

from dangjian.core.scoping import ScopeRule


class TimeStamped(models.Model):
    """Server timestamps on every record (DESIGN principle 5: provenance)."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        abstract = True


class Versioned(TimeStamped):
    """Optimistic locking: every edit form carries the version it was read at."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True


class CacheVersion(models.Model):
    """One token per scope ("*", "g", "p:<organisation path>") that changes after a write
    there commits (see core.cache). Cached figures are keyed by the tokens of their scope, so a
    write invalidates them for every process at once, and only for the organisations it touched."""

    scope = models.CharField(max_length=255, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "缓存版本"
        verbose_name_plural = "缓存版本"


class ExportJob(models.Model):
    """A long piece of work run by the task worker (core.jobs): an export over a few thousand
    rows, the survey report, an integrity scan, a large roster import. The page polls its
    progress (`total`/`done` count rows or steps); the file, or the result's page, is offered
    when it is done."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "正在生成"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        CANCELLED = "cancelled", "已停止"

    scope = ScopeRule(org="org")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=40)
    title = models.CharField("名称", max_length=100)
    user = models.ForeignKey("accounts.User", verbose_name="发起人", on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="范围", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    params = models.TextField("筛选条件", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已完成行数", default=0)
    message = models.CharField("说明", max_length=200, blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seen_at = models.DateTimeField("页面最后查看", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        indexes = [models.Index(fields=["user", "-created_at"])]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.done * 100 / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

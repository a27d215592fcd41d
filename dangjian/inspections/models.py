"""督查 (明察暗访、巡视督查), findings and rectification (整改销号).

An inspection belongs to the organization that ran it (usually the 镇党委); each finding
names the branch concerned, so a branch secretary sees the findings about their branch and
reports completion, while only the inspector closes (销号) an item.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core import clock
from dangjian.core.models import Versioned

CATEGORIES = ["组织生活", "党员管理", "党费", "学习", "作风", "弄虚作假", "其他"]
SIGNAL_INSPECTION_KIND = "诚信信号核查"


class Inspection(Versioned):
    # Seen by whoever's scope holds a visited branch: the township sees all its inspections,
    # a branch the inspections that visited it (its own findings only, see Finding).
    # The join can repeat a row: list selectors group or use distinct().
    scope = ScopeRule(org="branches", member="none")

    class Mode(models.TextChoices):
        ANNOUNCED = "明察", "明察（事先通知）"
        UNANNOUNCED = "暗访", "暗访（不打招呼）"

    KIND_CHOICES = [(k, k) for k in ("日常督查", "专项督查", "巡视督查", SIGNAL_INSPECTION_KIND)]

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="督查单位", on_delete=models.PROTECT, related_name="inspections"
    )
    title = models.CharField("督查名称", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=KIND_CHOICES, default="日常督查")
    date = models.DateField("督查日期", db_index=True)
    mode = models.CharField("方式", max_length=4, choices=Mode.choices, default=Mode.ANNOUNCED)
    team = models.CharField("督查组成员", max_length=200)
    method = models.CharField("督查方法", max_length=300, blank=True)
    branches = models.ManyToManyField(
        "orgs.Organization", verbose_name="督查支部", related_name="inspections_visited", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "督查"
        verbose_name_plural = "督查"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class Finding(Versioned):
    scope = ScopeRule(org="branch", member="none")

    CATEGORY_CHOICES = [(c, c) for c in CATEGORIES]

    inspection = models.ForeignKey(Inspection, verbose_name="督查", on_delete=models.CASCADE, related_name="findings")
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="所在支部", on_delete=models.PROTECT, related_name="findings"
    )
    category = models.CharField("问题类别", max_length=10, choices=CATEGORY_CHOICES)
    description = models.TextField("问题描述")
    evidence_note = models.TextField("证据说明", blank=True)
    evidence = models.CharField("证据材料（存储路径）", max_length=300, blank=True)
    evidence_name = models.CharField("证据文件名", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "发现问题"
        verbose_name_plural = "发现问题"
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return f"{self.category}：{self.description[:30]}"


class RectificationItem(Versioned):
    """整改事项. Stored status is 未开始/整改中/已完成; 逾期 is derived from the deadline
    (see `overdue_q`), so it is never out of date. 已完成 only through 销号 by the inspector."""

    scope = ScopeRule(org="finding__branch", member="none")

    class Status(models.TextChoices):
        NOT_STARTED = "未开始", "未开始"
        IN_PROGRESS = "整改中", "整改中"
        DONE = "已完成", "已完成"

    finding = models.OneToOneField(Finding, verbose_name="问题", on_delete=models.CASCADE, related_name="item")
    measure = models.TextField("整改措施")
    responsible = models.CharField("责任人", max_length=40)
    deadline = models.DateField("整改时限", db_index=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NOT_STARTED)
    reported_on = models.DateField("报告完成日期", null=True, blank=True)
    completion_note = models.TextField("整改情况", blank=True)
    completion_evidence = models.CharField("整改佐证（存储路径）", max_length=300, blank=True)
    completion_evidence_name = models.CharField("整改佐证文件名", max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_on = models.DateField("销号日期", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    close_note = models.CharField("销号意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"整改：{self.measure[:30]}"

    def is_overdue(self, today: date | None = None) -> bool:
        today = clock.or_today(today)
        if self.status == self.Status.DONE:
            return False
        if self.reported_on and self.reported_on <= self.deadline:
            return False  # reported in time: waiting for 销号 is not the branch's delay
        return self.deadline < today

    def display_status(self, today: date | None = None) -> str:
        if self.status == self.Status.DONE:
            return "已完成"
        if self.is_overdue(today):
            return "逾期"
        if self.reported_on:
            return "整改中（已报完成，待销号）"
        return self.status


def overdue_q(today: date, prefix: str = "") -> Q:
    """The 逾期 condition as a query (mirrors RectificationItem.is_overdue)."""
    p = prefix
    return (
        ~Q(**{f"{p}status": RectificationItem.Status.DONE})
        & Q(**{f"{p}deadline__lt": today})
        & ~Q(**{f"{p}reported_on__lte": F(f"{p}deadline")})
    )

"""学习培训：活动与个人学习记录 —— 2019《党员教育管理工作条例》（每年不少于32学时，设置项）。

党课学时不在这里重复录入：支部的党课会议（meetings 应用，类型 党课）按出席记录和会议时长
由 selectors 自动计入（最多报一次）。这里只记录会议以外的学习。只记录事实（参加了哪次学习、
多少学时），不统计屏幕停留时间（《关于防治“指尖上的形式主义”的若干意见》2023）。
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned
from dangjian.rules.study import STUDY_KINDS


class StudyKind(models.TextChoices):
    CENTRAL = "集中学习", "集中学习"
    LECTURE = "党课", "党课"
    THEME = "主题教育", "主题教育"
    WARNING = "警示教育", "警示教育"
    TRAINING = "专题培训", "专题培训"
    SELF = "自学", "自学"


assert list(StudyKind.values) == STUDY_KINDS


class StudyActivity(Versioned):
    scope = ScopeRule(org="org", member="branch")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="组织单位", on_delete=models.PROTECT, related_name="study_activities"
    )
    kind = models.CharField("形式", max_length=10, choices=StudyKind.choices)
    date = models.DateField("日期", db_index=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    topic = models.CharField("主题", max_length=200)
    # A 党课 held as a branch meeting is counted from the meeting itself; a link here is for
    # other study held together with a meeting (e.g. 集中学习 during a 主题党日).
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="关联会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="study_activities",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "学习活动"
        verbose_name_plural = "学习活动"
        ordering = ["-date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=80), name="study_hours_range")]
        indexes = [models.Index(fields=["org", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.kind} {self.topic}"


class StudyRecord(TimeStamped):
    scope = ScopeRule(org="member__branch", member="member")

    activity = models.ForeignKey(
        StudyActivity, verbose_name="学习活动", on_delete=models.CASCADE, related_name="records"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="study_records"
    )
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    reflection = models.TextField("心得体会", blank=True)

    class Meta:
        verbose_name = "学习记录"
        verbose_name_plural = "学习记录"
        ordering = ["activity", "member"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="study_record_unique"),
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=80), name="study_record_hours_range"),
        ]
        indexes = [models.Index(fields=["member", "activity"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.hours}学时"

"""党员量化积分：年度规则、需要审核的手工项目、支部年度确认。

由台账得出的积分（出席、请假、缺席、按时交纳党费、欠缴、学习学时）在 selectors 中由记录
推算，从不作为数字存储。手工项目（志愿服务、荣誉、先锋作用、扣分）须附依据，由支委提出，
经另一人审核后生效。积分不得以登录、点击、点赞、在线时长为依据
（《关于防治“指尖上的形式主义”的若干意见》2023；dangjian.rules.points.validate_rule）。
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned


class PointRuleSet(Versioned):
    """一个镇（或上级）党委一年的积分规则；没有时使用 rules.points.DEFAULT_RULESET。"""

    scope = ScopeRule(org="org", member="branch")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党委", on_delete=models.CASCADE, related_name="point_rulesets"
    )
    year = models.PositiveSmallIntegerField("年度")
    ranking_enabled = models.BooleanField("启用排名（仅支部和镇党委负责人可见）", default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="point_ruleset_org_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年积分规则"


class PointRule(models.Model):
    scope = ScopeRule(org="ruleset__org", member="branch")

    class Source(models.TextChoices):
        DERIVED = "derived", "由台账自动得出"
        MANUAL = "manual", "支部录入并审核"

    ruleset = models.ForeignKey(PointRuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField("代码", max_length=30)
    label = models.CharField("项目", max_length=40)
    points = models.SmallIntegerField("分值")
    cap_per_year = models.PositiveSmallIntegerField("年度上限（绝对值）", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    per = models.PositiveSmallIntegerField("计分单位", default=1)
    basis = models.CharField("依据", max_length=100, blank=True)
    is_base = models.BooleanField("基础分", default=False)
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "积分项目"
        verbose_name_plural = "积分项目"
        ordering = ["ruleset", "position"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "code"], name="point_rule_code")]

    def __str__(self) -> str:
        return self.label


class ManualPoint(Versioned):
    """手工积分项目：支委提出（附依据），另一人审核后生效（提出人不能审核自己提出的项目）。"""

    scope = ScopeRule(org="member__branch", member="member")

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已生效"
        REJECTED = "rejected", "未通过"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="manual_points"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    code = models.CharField("积分项目", max_length=30)
    date = models.DateField("日期")
    description = models.CharField("事由", max_length=200)
    evidence = models.CharField("依据（证明材料、会议记录、表彰文号等）", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "手工积分"
        verbose_name_plural = "手工积分"
        ordering = ["-date", "-id"]
        constraints = [
            # 审核人不能是提出人（四眼原则）。
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="manual_point_other_approver",
            ),
        ]
        indexes = [models.Index(fields=["member", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.member} {self.description}"


class BranchPointsYear(TimeStamped):
    """支部确认本年度积分（积分管理覆盖率的依据之一）。"""

    scope = ScopeRule(org="branch", member="branch")

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.CASCADE, related_name="points_years"
    )
    year = models.PositiveSmallIntegerField("年度")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "支部年度积分确认"
        verbose_name_plural = "支部年度积分确认"
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="branch_points_year")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年积分已确认"

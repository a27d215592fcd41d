"""民主评议党员, 不合格党员处置 and branch rating (五好党支部).

Rules: dangjian.rules.appraisal (RULES.md §2 《中国共产党支部工作条例（试行）》Art. 18;
§3 《中国共产党不合格党员组织处置办法》2024). Nothing here changes a member's status by
itself: every grade and every disposal step is a person's recorded decision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import Versioned
from dangjian.rules.appraisal import DISPOSAL_MEASURES, GRADES

GRADE_CHOICES = [(g, g) for g in GRADES]
MEASURE_CHOICES = [(m, m) for m in DISPOSAL_MEASURES]


class Appraisal(Versioned):
    """One branch's 民主评议党员 of one year (支部工作条例 Art. 18)."""

    scope = ScopeRule(org="branch", member="branch")

    class Step(models.TextChoices):
        STUDY = "study", "学习教育"
        SELF = "self", "个人自评"
        VOTING = "voting", "党员互评·民主测评"
        DECISION = "decision", "组织评定"
        DONE = "done", "已完成"

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="appraisals"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    step = models.CharField("当前环节", max_length=10, choices=Step.choices, default=Step.STUDY)
    study_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="学习教育会议",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    study_note = models.TextField("学习教育情况", blank=True)
    study_on = models.DateField("学习教育日期", null=True, blank=True)
    voting_open = models.BooleanField("网上测评进行中", default=False)
    completed_on = models.DateField("完成日期", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["-year", "branch__path"]
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="appraisal_branch_year")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年民主评议党员"


class AppraisalEntry(Versioned):
    """One member in one appraisal: self-assessment and the 组织评定 grade.

    `grade` stays blank for 预备党员 (RULES.md §2: 预备党员参加评议但不评定等次).
    A grade is only valid with the deciding 支委会/党员大会 meeting (`decided_meeting`).
    """

    scope = ScopeRule(org="appraisal__branch", member="member")

    appraisal = models.ForeignKey(Appraisal, verbose_name="民主评议", on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="appraisal_entries"
    )
    # 评议时的人员类别（正式/预备），转正后也保持当时的身份。
    member_kind = models.CharField("评议时人员类别", max_length=10)
    self_assessment = models.TextField("个人自评", blank=True)
    self_by_member = models.BooleanField("本人填写", default=False)
    self_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="自评录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    self_at = models.DateTimeField("自评时间", null=True, blank=True)
    grade = models.CharField("评定等次", max_length=10, choices=GRADE_CHOICES, blank=True)
    decided_meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name="评定会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade_note = models.CharField("评定说明", max_length=300, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_at = models.DateTimeField("录入时间", null=True, blank=True)

    class Meta:
        verbose_name = "评议党员"
        verbose_name_plural = "评议党员"
        ordering = ["appraisal", "member__name_pinyin"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "member"], name="appraisal_entry_unique")]

    def __str__(self) -> str:
        return f"{self.member} {self.grade or '未评定'}"

    @property
    def is_full(self) -> bool:
        return self.member_kind == "正式党员"


class BallotTally(models.Model):
    """Counts of 测评 votes for one member, one grade, one source. No voter identity here.

    Online votes are counted with a conditional UPDATE (`F("count") + 1`), which writes no
    audit entry: an audit row with the actor beside each increment would reveal who voted
    how. Paper ballots are entered as totals by the secretary (audited, they are counts).
    """

    scope = ScopeRule(org="entry__appraisal__branch", member="none")

    class Source(models.TextChoices):
        ONLINE = "online", "网上测评"
        PAPER = "paper", "纸质票"

    entry = models.ForeignKey(AppraisalEntry, on_delete=models.CASCADE, related_name="tallies")
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    grade = models.CharField("等次", max_length=10, choices=GRADE_CHOICES)
    count = models.PositiveIntegerField("票数", default=0)

    class Meta:
        verbose_name = "测评票数"
        verbose_name_plural = "测评票数"
        constraints = [models.UniqueConstraint(fields=["entry", "source", "grade"], name="ballot_tally_unique")]

    def __str__(self) -> str:
        return f"{self.grade} {self.count}"


class VoterFlag(models.Model):
    """That a 正式党员 has voted online in an appraisal — kept apart from the tallies."""

    scope = ScopeRule(org="appraisal__branch", member="voter")

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="voter_flags")
    voter = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "已测评标记"
        verbose_name_plural = "已测评标记"
        constraints = [models.UniqueConstraint(fields=["appraisal", "voter"], name="voter_flag_unique")]

    def __str__(self) -> str:
        return f"{self.voter_id} 已测评"


class Disposal(Versioned):
    """处置不合格党员 (《中国共产党不合格党员组织处置办法》2024): one measure for one
    不合格 grade, tracked step by step. Nothing changes the member until a person records
    the final decision and, for 劝其退党/除名, confirms the member's leaving."""

    scope = ScopeRule(org="entry__appraisal__branch", member="none")

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        CORRECTED = "corrected", "已改正"
        DECIDED = "decided", "已作出决定"
        WITHDRAWN = "withdrawn", "已撤销"

    entry = models.ForeignKey(
        AppraisalEntry, verbose_name="评议结果", on_delete=models.PROTECT, related_name="disposals"
    )
    measure = models.CharField("处置方式", max_length=10, choices=MEASURE_CHOICES)
    started_on = models.DateField("开始日期")
    correction_months = models.PositiveSmallIntegerField("改正期限（月）", null=True, blank=True)
    deadline = models.DateField("改正期限至", null=True, blank=True)
    reason = models.TextField("处置理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_on = models.DateField("最终决定日期", null=True, blank=True)
    decision = models.TextField("最终决定", blank=True)
    leaving_event = models.ForeignKey(
        "members.MemberEvent",
        verbose_name="离开组织事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "不合格党员处置"
        verbose_name_plural = "不合格党员处置"
        ordering = ["-started_on", "-id"]

    def __str__(self) -> str:
        return f"{self.entry.member} {self.measure}"


class DisposalStep(Versioned):
    """One step of the disposal procedure with its document and decision."""

    scope = ScopeRule(org="disposal__entry__appraisal__branch", member="none")

    disposal = models.ForeignKey(Disposal, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("步骤", max_length=30)
    due_on = models.DateField("应完成日期", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name="相关会议", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.TextField("决定/意见", blank=True)
    document = models.CharField("文书（存储路径）", max_length=300, blank=True)
    document_name = models.CharField("文书名称", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "处置步骤"
        verbose_name_plural = "处置步骤"
        ordering = ["disposal", "order"]
        constraints = [models.UniqueConstraint(fields=["disposal", "order"], name="disposal_step_unique")]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------
# Branch rating (五好党支部 and the like; the template is configurable, localities differ).


class Indicator(models.TextChoices):
    """Figures the records already hold; filled in automatically, never typed."""

    ORGLIFE = "orglife", "组织生活落实率"
    ATTENDANCE = "attendance", "党员参会率"
    DUES = "dues", "党费收缴率"
    STUDY = "study", "学习学时完成率"
    POINTS = "points", "积分管理落实"
    RECTIFICATION = "rectification", "问题整改销号率"


class RatingTemplate(Versioned):
    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="制定单位", on_delete=models.CASCADE, related_name="rating_templates"
    )
    name = models.CharField("名称", max_length=60)
    is_active = models.BooleanField("当前使用", default=True)

    class Meta:
        verbose_name = "评星模板"
        verbose_name_plural = "评星模板"
        ordering = ["org", "-is_active", "name"]

    def __str__(self) -> str:
        return self.name


class RatingCriterion(Versioned):
    """A criterion: weight, automatic indicators (averaged) and/or a manual assessment."""

    scope = ScopeRule(org="template__org", member="none")

    template = models.ForeignKey(RatingTemplate, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    name = models.CharField("标准", max_length=40)
    description = models.CharField("说明", max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField("权重", default=20)
    # Comma-separated Indicator codes; blank = manual only.
    indicators = models.CharField("自动指标", max_length=120, blank=True)
    manual = models.BooleanField("人工评价", default=True)

    class Meta:
        verbose_name = "评星标准"
        verbose_name_plural = "评星标准"
        ordering = ["template", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def indicator_codes(self) -> list[str]:
        return [c for c in (self.indicators or "").split(",") if c in Indicator.values]


class StarLevel(Versioned):
    scope = ScopeRule(org="template__org", member="none")

    template = models.ForeignKey(RatingTemplate, on_delete=models.CASCADE, related_name="levels")
    stars = models.PositiveSmallIntegerField("星级")
    min_score = models.PositiveSmallIntegerField("最低得分")
    label = models.CharField("称号", max_length=30, blank=True)

    class Meta:
        verbose_name = "星级"
        verbose_name_plural = "星级"
        ordering = ["template", "-min_score"]

    def __str__(self) -> str:
        return f"{self.stars}星"


class BranchRating(Versioned):
    """One branch's rating of one year. Derived figures are computed on view, never stored."""

    scope = ScopeRule(org="branch", member="branch")

    template = models.ForeignKey(RatingTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="ratings")
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    is_model = models.BooleanField("示范点", default=False)
    note = models.CharField("备注", max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评定人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "支部评星"
        verbose_name_plural = "支部评星"
        ordering = ["-year", "branch__path"]
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="branch_rating_year")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}年评星"


class ManualScore(Versioned):
    """The manual part of one criterion for one branch: a score (0–100) with evidence."""

    scope = ScopeRule(org="rating__branch", member="none")

    rating = models.ForeignKey(BranchRating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RatingCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField("得分（0–100）")
    evidence = models.TextField("依据", blank=True)
    document = models.CharField("佐证材料（存储路径）", max_length=300, blank=True)

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"
        constraints = [models.UniqueConstraint(fields=["rating", "criterion"], name="manual_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion} {self.score}"

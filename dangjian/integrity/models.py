"""Integrity signals: patterns that suggest formalism or falsified records, for a person to
review. A signal is never a penalty (DESIGN principle 4: the system alerts, people decide)."""

from django.conf import settings
from django.db import models

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped


class SignalKind(models.TextChoices):
    NEAR_DUPLICATE_TEXT = "near_dup_text", "记录文字高度雷同"
    IDENTICAL_ATTENDANCE = "same_attendance", "多次会议出席名单完全相同"
    OVERLAPPING_PRESENCE = "overlap_presence", "同一党员同时出现在两地会议"
    LATE_BATCH = "late_batch", "集中补录"
    YEAR_END_BATCH = "year_end_batch", "全年记录集中在年底录入"
    MOBILE_FULL_ATTENDANCE = "mobile_full", "流动党员多的支部却长期全员出席"
    SAME_PHOTO = "same_photo", "不同会议使用同一照片"
    COMMITTEE_NO_QUORUM = "committee_quorum", "支委会到会人数不足"
    SHORT_MINUTES = "short_minutes", "会议记录过于简短"
    COPIED_PUBLISHED = "copied_published", "照抄已发布材料"
    DATED_AFTER_ENTRY = "dated_after_entry", "记录日期晚于录入日期"
    UNEXPECTED_SIGNIN = "unexpected_signin", "不应参会的人签到"
    SIGNIN_BURST = "signin_burst", "同一设备或网络短时间批量签到"
    QUARTER_SITTING = "quarter_sitting", "一个季度的记录一次录入"


class Signal(TimeStamped):
    scope = ScopeRule(org="org", member="none")

    class Status(models.TextChoices):
        OPEN = "open", "待核查"
        VERIFY = "verify", "需核实"
        NORMAL = "normal", "正常"
        FINDING = "finding", "已转为督查问题"

    kind = models.CharField("类型", max_length=20, choices=SignalKind.choices, db_index=True)
    org = models.ForeignKey(
        "orgs.Organization", verbose_name="涉及党组织", on_delete=models.CASCADE, related_name="integrity_signals"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    strength = models.FloatField("强度")  # 0..1; shown as 强/中/弱
    title = models.CharField("标题", max_length=200)
    explanation = models.TextField("说明")
    # The records behind the signal: [{"type": "meeting", "id": 1, "label": "..."}, ...]
    records = models.JSONField("相关记录", default=list)
    # Identity of the pattern (kind + records) and a digest of the records' current state:
    # a reviewed signal comes back only when its records change.
    key = models.CharField("模式标识", max_length=64, db_index=True)
    state_digest = models.CharField("记录状态摘要", max_length=64)
    details = models.JSONField("细节", default=dict, blank=True)
    status = models.CharField("处理状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    review_reason = models.TextField("核查意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField("核查时间", null=True, blank=True)
    finding_id = models.PositiveIntegerField("督查问题编号", null=True, blank=True)
    is_current = models.BooleanField("最近一次扫描仍存在", default=True, db_index=True)

    class Meta:
        verbose_name = "诚信信号"
        verbose_name_plural = "诚信信号"
        ordering = ["-strength", "-id"]
        constraints = [models.UniqueConstraint(fields=["key"], name="signal_key_unique")]

    def __str__(self) -> str:
        return self.title

    @property
    def strength_label(self) -> str:
        if self.strength >= 0.8:
            return "强"
        if self.strength >= 0.5:
            return "中"
        return "弱"


class ScanRun(TimeStamped):
    """One scan: when, over what, what it found (for incremental scans and the record)."""

    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey("orgs.Organization", verbose_name="范围", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL
    )
    source_digest = models.CharField("数据摘要", max_length=64, blank=True)
    seconds = models.FloatField("耗时（秒）", default=0)
    documents = models.PositiveIntegerField("扫描文本数", default=0)
    found = models.PositiveIntegerField("发现信号数", default=0)
    new = models.PositiveIntegerField("新增信号数", default=0)
    skipped = models.BooleanField("数据未变、跳过", default=False)

    class Meta:
        verbose_name = "扫描记录"
        verbose_name_plural = "扫描记录"
        ordering = ["-created_at"]


class PublishedText(TimeStamped):
    """Published material (上级文件, a 心得 范文, a 党课 讲稿, a materials library entry):
    records that are mostly this text pasted as 心得 or minutes are flagged. Entered with
    `manage.py integrity_published`; a scan reads the texts of its own organization, its
    ancestors and its subtree."""

    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="发布或录入单位", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("标题", max_length=200)
    source = models.CharField("出处", max_length=200, blank=True)
    text = models.TextField("正文")

    class Meta:
        verbose_name = "已发布材料"
        verbose_name_plural = "已发布材料"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

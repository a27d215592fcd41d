"""组织生活：会议记录、出席、附件、谈心谈话与各类会议的频次要求。

Rules (kinds, minimum frequencies, quorum, 补录) live in dangjian.rules.orglife, citing
《中国共产党支部工作条例（试行）》2018 Arts. 11–19; this module only stores facts.

One meeting may count for several kinds (a 主题党日 held with the 党员大会 and a 党课):
the kinds are rows of MeetingKindLink, which also carries the branch and the date so that
compliance is one GROUP BY over an indexed table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned
from dangjian.rules import orglife
from dangjian.rules.dates import ym_index
from dangjian.rules.orglife import ActivityKind


class Kind(models.TextChoices):
    """Meeting kinds (谈心谈话 is recorded as a Talk, not a meeting)."""

    MEMBER_MEETING = ActivityKind.MEMBER_MEETING.value, ActivityKind.MEMBER_MEETING.short
    COMMITTEE_MEETING = ActivityKind.COMMITTEE_MEETING.value, ActivityKind.COMMITTEE_MEETING.short
    GROUP_MEETING = ActivityKind.GROUP_MEETING.value, ActivityKind.GROUP_MEETING.short
    PARTY_LECTURE = ActivityKind.PARTY_LECTURE.value, ActivityKind.PARTY_LECTURE.short
    THEME_DAY = ActivityKind.THEME_DAY.value, ActivityKind.THEME_DAY.short
    LIFE_MEETING = ActivityKind.LIFE_MEETING.value, ActivityKind.LIFE_MEETING.short
    APPRAISAL = ActivityKind.APPRAISAL.value, ActivityKind.APPRAISAL.short


# Kinds whose expected attendees are all current members of the branch: the one list is
# rules.orglife.WHOLE_BRANCH_KINDS (string values, so it meets Kind values in sets and queries).
WHOLE_BRANCH_KINDS = orglife.WHOLE_BRANCH_KINDS


def on_committee(user) -> bool:
    """Is this 党员 account's member a current 支委 of their own branch (cached on the user)?"""
    if not hasattr(user, "_on_committee"):
        from dangjian.orgs.models import Post

        member = user.member if user.member_id else None
        user._on_committee = bool(
            member
            and Post.objects.filter(member_id=member.pk, org_id=member.branch_id, ended_on__isnull=True)
            .exclude(kind=Post.Kind.GROUP_LEADER)
            .exists()
        )
    return user._on_committee


def _committee_only(meeting_ref: str) -> Q:
    """Meetings that are committee business only: a 支委会 not held with a whole-branch kind."""
    links = MeetingKindLink.objects.filter(meeting=OuterRef(meeting_ref))
    return Q(Exists(links.filter(kind=Kind.COMMITTEE_MEETING))) & ~Q(
        Exists(links.filter(kind__in=[k.value for k in WHOLE_BRANCH_KINDS]))
    )


def meeting_member_q(user) -> Q:
    """党员 see 支委会 records (and others' leave reasons in them) only when on the committee."""
    return Q() if on_committee(user) else ~_committee_only("pk")


def attachment_member_q(user) -> Q:
    return Q() if on_committee(user) else ~_committee_only("meeting_id")


class Meeting(Versioned):
    scope = ScopeRule(org="org", member="branch", member_q=meeting_member_q)

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="meetings"
    )
    # The branch the meeting counts for (= org, or the 党小组's branch); kept for grouping.
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="所属党支部", on_delete=models.PROTECT, related_name="branch_meetings"
    )
    date = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=100)
    topic = models.CharField("主题", max_length=200)
    host = models.ForeignKey(
        "members.Member", verbose_name="主持人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorder = models.ForeignKey(
        "members.Member", verbose_name="记录人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lecturer = models.CharField("授课人（党课）", max_length=60, blank=True)
    agenda = models.TextField("议程", blank=True)
    minutes = models.TextField("会议内容", blank=True)
    decisions = models.TextField("会议决定", blank=True)
    is_late = models.BooleanField("补录", default=False)
    late_reason = models.CharField("补录原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "会议记录"
        verbose_name_plural = "会议记录"
        ordering = ["-date", "-start_time", "-id"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"

    @property
    def kind_codes(self) -> list[str]:
        cached = getattr(self, "_prefetched_objects_cache", {}).get("kind_links")
        links = cached if cached is not None else self.kind_links.all()
        return sorted((link.kind for link in links), key=list(Kind.values).index)

    @property
    def kinds_label(self) -> str:
        return "、".join(Kind(k).label for k in self.kind_codes)


class MeetingKindLink(models.Model):
    """One kind of one meeting; branch and date copied from the meeting for fast grouping."""

    scope = ScopeRule(org="meeting__org", member="branch")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="kind_links")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    branch = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    date = models.DateField("日期")

    class Meta:
        verbose_name = "会议类型"
        verbose_name_plural = "会议类型"
        constraints = [models.UniqueConstraint(fields=["meeting", "kind"], name="meeting_kind_unique")]
        indexes = [models.Index(fields=["kind", "date"]), models.Index(fields=["branch", "kind", "date"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class Attendance(models.Model):
    scope = ScopeRule(org="meeting__org", member="member")

    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        EXCUSED = "excused", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField("出席情况", max_length=10, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField("请假事由", max_length=200, blank=True)
    # 流动党员 taking part in the host organization's 组织生活 (2019《党员教育管理工作条例》).
    attended_elsewhere = models.BooleanField("参加流入地组织生活", default=False)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代签人", null=True, blank=True, on_delete=models.SET_NULL
    )
    proxy_reason = models.CharField("代签原因", max_length=200, blank=True)
    # Where a QR self sign-in came from (issue 21: many sign-ins from one phone in seconds =
    # a secretary signing for everyone). A digest of a random per-browser cookie, and the
    # client address; empty for rows entered by hand.
    signin_device = models.CharField("签到设备标识", max_length=32, blank=True, default="", db_default="")
    signin_address = models.GenericIPAddressField("签到网络地址", null=True, blank=True)
    # The meeting's month as year*12 + month - 1 (rules.dates.ym_index), copied so that
    # per-member monthly counts (党章 Art. 9) group on one indexed column without a join.
    ym = models.PositiveIntegerField("月份序号", default=0)

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]
        indexes = [models.Index(fields=["member", "ym"])]

    def save(self, *args, **kwargs):
        if not self.ym and self.meeting_id:
            self.ym = ym_index((self.meeting.date.year, self.meeting.date.month))
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.member_id} {self.get_status_display()}"

    @property
    def counts_as_attended(self) -> bool:
        return self.status == self.Status.PRESENT or self.attended_elsewhere


class Attachment(TimeStamped):
    """A photo or PDF of a meeting, stored under MEDIA_ROOT (outside the web root)."""

    scope = ScopeRule(org="meeting__org", member="branch", member_q=attachment_member_q)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    path = models.CharField("存储路径", max_length=300)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    # Perceptual hash (ImageHash phash, hex) of photos, for spotting reused pictures.
    phash = models.CharField("感知哈希", max_length=32, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Talk(Versioned):
    """谈心谈话 —— 《中国共产党支部工作条例（试行）》2018 Art. 19."""

    scope = ScopeRule(org="branch", member="to_member")

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="talks"
    )
    date = models.DateField("日期", db_index=True)
    from_member = models.ForeignKey(
        "members.Member", verbose_name="谈话人", on_delete=models.CASCADE, related_name="talks_given"
    )
    to_member = models.ForeignKey(
        "members.Member", verbose_name="谈话对象", on_delete=models.CASCADE, related_name="talks_received"
    )
    summary = models.TextField("谈话内容摘要", blank=True)
    before_life_meeting = models.BooleanField("组织生活会前谈心谈话", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "谈心谈话"
        verbose_name_plural = "谈心谈话"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 谈心谈话"


class KindRequirement(Versioned):
    """A local minimum frequency overriding rules.orglife.DEFAULT_REQUIREMENTS for the
    branches under `org` (the nearest ancestor's setting wins). Set by the township admin."""

    scope = ScopeRule(org="org", member="none")

    class Period(models.TextChoices):
        MONTH = "month", "每月"
        QUARTER = "quarter", "每季度"
        YEAR = "year", "每年"

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="适用党组织", on_delete=models.CASCADE, related_name="kind_requirements"
    )
    kind = models.CharField("类型", max_length=20, choices=[(k.value, k.label) for k in ActivityKind])
    period = models.CharField("周期", max_length=10, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField("最少次数", default=1)
    note = models.CharField("依据/说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "组织生活频次要求"
        verbose_name_plural = "组织生活频次要求"
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="kind_requirement_unique")]

    def __str__(self) -> str:
        return f"{self.org} {self.get_kind_display()} {self.get_period_display()}{self.minimum}次"


def notice_member_q(user) -> Q:
    """党员 see the notices they are expected at: the whole branch's, their own 党小组's, and
    the committee's only when they sit on it."""
    member = user.member if user.member_id else None
    q = Q(audience=MeetingNotice.Audience.BRANCH)
    if member and member.group_id:
        q |= Q(audience=MeetingNotice.Audience.GROUP, org_id=member.group_id)
    if on_committee(user):
        q |= Q(audience=MeetingNotice.Audience.COMMITTEE)
    return q


class MeetingNotice(Versioned):
    """会议通知: a meeting planned ahead. Members expected at it see it in 我的 and sign in from
    it; the record (Meeting) is made from it after the meeting, with the sign-ins filled in."""

    scope = ScopeRule(org="org", member="branch", member_q=notice_member_q)

    class Audience(models.TextChoices):
        BRANCH = "branch", "全体党员"
        COMMITTEE = "committee", "支部委员会委员"
        GROUP = "group", "党小组党员"

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.PROTECT, related_name="meeting_notices"
    )
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="所属党支部", on_delete=models.PROTECT, related_name="branch_notices"
    )
    kinds = models.CharField("会议类型", max_length=200)  # comma-separated Kind codes
    audience = models.CharField("参会人员", max_length=12, choices=Audience.choices)
    date = models.DateField("日期", db_index=True)
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=100)
    topic = models.CharField("主题", max_length=200)
    note = models.TextField("通知事项", blank=True)
    meeting = models.OneToOneField(
        Meeting, verbose_name="会议记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="notice"
    )
    cancelled = models.BooleanField("已取消", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "会议通知"
        verbose_name_plural = "会议通知"
        ordering = ["date", "start_time", "id"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self) -> str:
        return f"{self.date.year}年{self.date.month}月{self.date.day}日 {self.topic}（会议通知）"

    @property
    def kind_codes(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]

    @property
    def kinds_label(self) -> str:
        return "、".join(Kind(k).label for k in self.kind_codes if k in Kind.values)


class NoticeSignIn(models.Model):
    """One expected member's sign-in at a noticed meeting (own phone, or 代签 with a reason)."""

    scope = ScopeRule(org="notice__org", member="member")

    notice = models.ForeignKey(MeetingNotice, on_delete=models.CASCADE, related_name="signins")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="notice_signins")
    signed_in_at = models.DateTimeField("签到时间")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="代签人", null=True, blank=True, on_delete=models.SET_NULL
    )
    proxy_reason = models.CharField("代签原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "会议签到"
        verbose_name_plural = "会议签到"
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="notice_signin_unique")]

    def __str__(self) -> str:
        return f"{self.member.name}签到"

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
    plan_item = models.ForeignKey(
        "study.PlanItem",
        verbose_name="落实的计划项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
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


# --- 抓学习促提升：年度学习计划、学习资料、发展对象培训 ---------------------------------
# 计划和资料由上级（镇党委）发布、下级各支部使用，所以它们的 ScopeRule 带 from_above：
# 支部的账号也看得到上级组织发布的计划和资料，但只能修改本级及下级的（editable_by 不含上级）。
# 这里不记录阅读时长、点击次数或打开次数（《关于防治“指尖上的形式主义”的若干意见》2023）。


class Material(Versioned):
    """学习资料：镇党委（或支部）发布的文件、讲话、图片或视频链接，手机上可直接阅读。"""

    scope = ScopeRule(org="org", member="branch", from_above=True)

    class Kind(models.TextChoices):
        DOCUMENT = "文件", "文件"
        SPEECH = "讲话", "讲话"
        IMAGE = "图片", "图片"
        VIDEO = "视频链接", "视频链接"
        OTHER = "其他", "其他"

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="发布组织", on_delete=models.PROTECT, related_name="study_materials"
    )
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.DOCUMENT)
    published_on = models.DateField("发布日期")
    body = models.TextField("正文", blank=True, help_text="文件正文或摘要，手机上直接阅读；也用于比对照抄的心得")
    file = models.FileField("附件", upload_to="study_materials/%Y/", blank=True)
    file_name = models.CharField("附件原名", max_length=200, blank=True)
    link = models.URLField("视频或网页地址", blank=True)
    meetings = models.ManyToManyField("meetings.Meeting", verbose_name="用于会议", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "学习资料"
        verbose_name_plural = "学习资料"
        ordering = ["-published_on", "-id"]
        indexes = [models.Index(fields=["org", "published_on"])]

    def __str__(self) -> str:
        return self.title


class StudyPlan(Versioned):
    """一个组织一年的学习计划。镇党委的计划适用于下辖各支部；支部可另建本支部计划，增加自己的学习内容。"""

    scope = ScopeRule(org="org", member="branch", from_above=True)

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="制定组织", on_delete=models.PROTECT, related_name="study_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "学习计划"
        verbose_name_plural = "学习计划"
        ordering = ["-year", "org__path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="study_plan_one_per_org_year")]

    def __str__(self) -> str:
        return self.title


class PlanItem(Versioned):
    """计划中的一项：某月（或某几个月）学习的专题、要学的资料和预计学时。"""

    scope = ScopeRule(org="plan__org", member="branch", from_above=True)

    plan = models.ForeignKey(StudyPlan, verbose_name="学习计划", on_delete=models.CASCADE, related_name="items")
    month_from = models.PositiveSmallIntegerField("开始月份")
    month_to = models.PositiveSmallIntegerField("结束月份")
    topic = models.CharField("学习专题", max_length=200)
    kind = models.CharField("学习形式", max_length=10, choices=StudyKind.choices, default=StudyKind.CENTRAL)
    hours = models.DecimalField("预计学时", max_digits=4, decimal_places=1)
    materials = models.ManyToManyField(Material, verbose_name="学习资料", blank=True, related_name="plan_items")
    note = models.TextField("学习要求", blank=True)

    class Meta:
        verbose_name = "学习计划项"
        verbose_name_plural = "学习计划项"
        ordering = ["plan", "month_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month_from__gte=1, month_to__lte=12, month_from__lte=models.F("month_to")),
                name="plan_item_months",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=80), name="plan_item_hours_range"),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def period(self) -> str:
        if self.month_from == self.month_to:
            return f"{self.month_from}月"
        return f"{self.month_from}—{self.month_to}月"


class PlanItemMeeting(TimeStamped):
    """一次会议（如党课、主题党日）落实了计划中的某项学习：不另记学时，党课学时仍按出席记录计入。"""

    scope = ScopeRule(org="meeting__branch", member="none")

    item = models.ForeignKey(PlanItem, verbose_name="计划项", on_delete=models.CASCADE, related_name="meeting_links")
    meeting = models.ForeignKey(
        "meetings.Meeting", verbose_name="会议", on_delete=models.CASCADE, related_name="plan_item_links"
    )

    class Meta:
        verbose_name = "计划项落实会议"
        verbose_name_plural = "计划项落实会议"
        constraints = [models.UniqueConstraint(fields=["item", "meeting"], name="plan_item_meeting_unique")]


class Course(Versioned):
    """入党积极分子、发展对象的集中培训班（《中国共产党发展党员工作细则》：发展对象集中培训一般不少于3天或24学时）。"""

    scope = ScopeRule(org="org", member="none")

    class Audience(models.TextChoices):
        CANDIDATE = "发展对象", "发展对象"
        ACTIVIST = "入党积极分子", "入党积极分子"

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="举办组织", on_delete=models.PROTECT, related_name="courses"
    )
    title = models.CharField("培训班名称", max_length=200)
    audience = models.CharField("培训对象", max_length=10, choices=Audience.choices, default=Audience.CANDIDATE)
    year = models.PositiveSmallIntegerField("年度")
    pass_score = models.DecimalField("合格分数", max_digits=5, decimal_places=1, default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class CourseSession(TimeStamped):
    scope = ScopeRule(org="course__org", member="none")

    course = models.ForeignKey(Course, verbose_name="培训班", on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField("日期")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    topic = models.CharField("内容", max_length=200)

    class Meta:
        verbose_name = "培训课次"
        verbose_name_plural = "培训课次"
        ordering = ["course", "date", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=12), name="course_session_hours")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class Enrollment(TimeStamped):
    """参训人员（发展党员档案中的人，尚未进入党员名册）及其考试成绩（纸质试卷由书记录入分数）。"""

    scope = ScopeRule(org="course__org", member="none")

    course = models.ForeignKey(Course, verbose_name="培训班", on_delete=models.CASCADE, related_name="enrollments")
    case = models.ForeignKey(
        "lifecycle.DevelopmentCase", verbose_name="参训人员", on_delete=models.CASCADE, related_name="+"
    )
    score = models.DecimalField("考试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="成绩录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "参训人员"
        verbose_name_plural = "参训人员"
        ordering = ["course", "id"]
        constraints = [models.UniqueConstraint(fields=["course", "case"], name="enrollment_unique")]


class SessionAttendance(TimeStamped):
    scope = ScopeRule(org="session__course__org", member="none")

    session = models.ForeignKey(CourseSession, verbose_name="课次", on_delete=models.CASCADE, related_name="attendance")
    enrollment = models.ForeignKey(
        Enrollment, verbose_name="参训人员", on_delete=models.CASCADE, related_name="attendance"
    )

    class Meta:
        verbose_name = "培训出勤"
        verbose_name_plural = "培训出勤"
        constraints = [models.UniqueConstraint(fields=["session", "enrollment"], name="session_attendance_unique")]


class Question(TimeStamped):
    """题库中的一道单选题；试卷按题库打印，纸质作答后由书记录入分数。"""

    scope = ScopeRule(org="course__org", member="none")

    course = models.ForeignKey(Course, verbose_name="培训班", on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("题目", max_length=300)
    options = models.JSONField("选项", default=list)
    answer = models.PositiveSmallIntegerField("正确选项序号")

    class Meta:
        verbose_name = "试题"
        verbose_name_plural = "试题"
        ordering = ["course", "id"]

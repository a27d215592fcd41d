"""Member lifecycle: 发展党员 cases and their steps, probation decisions, transfers of
组织关系, and the contact log of 流动党员 (RULES.md §4, §6, §8).

Facts about the member themselves (kind, full_on, is_current, standing, is_mobile, is_lost…)
live on members.Member and its MemberEvent history; these models keep what the roster has
no field for: who decided, on which vote, with which letter.
"""

from django.db import models

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned


class Stage(models.TextChoices):
    # 《中国共产党发展党员工作细则》2014 —— 5 个阶段（RULES.md §6, H）。
    APPLICANT = "入党申请人", "入党申请人"
    ACTIVIST = "入党积极分子", "入党积极分子"
    CANDIDATE = "发展对象", "发展对象"
    PROBATIONARY = "预备党员", "预备党员"
    FULL = "正式党员", "正式党员"
    CLOSED = "已终止", "已终止"


OPEN_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)


class DevelopmentCase(Versioned):
    """One person's way from 入党申请 to 正式党员. The person is not yet on the roster;
    `member` is set once the 党委 approves them as 预备党员."""

    scope = ScopeRule(org="branch", member="none")

    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="党支部", on_delete=models.PROTECT, related_name="development_cases"
    )
    name = models.CharField("姓名", max_length=40)
    sex = models.CharField("性别", max_length=2, choices=[("男", "男"), ("女", "女")])
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("公民身份号码（密文）", blank=True)
    id_number_mask = models.CharField("公民身份号码", max_length=18, blank=True)
    education = models.CharField("学历", max_length=10, blank=True)
    job = models.CharField("工作岗位", max_length=60, blank=True)
    stage = models.CharField("所处阶段", max_length=10, choices=Stage.choices, default=Stage.APPLICANT, db_index=True)
    applied_on = models.DateField("递交入党申请书日期")
    talk_on = models.DateField("谈话日期", null=True, blank=True)
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    contacts = models.CharField("培养联系人", max_length=60, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    introducer_1 = models.ForeignKey(
        "members.Member", verbose_name="入党介绍人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    introducer_2 = models.ForeignKey(
        "members.Member", verbose_name="入党介绍人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    political_review_on = models.DateField("政治审查日期", null=True, blank=True)
    training_days = models.DecimalField("集中培训天数", max_digits=4, decimal_places=1, null=True, blank=True)
    training_hours = models.DecimalField("集中培训学时", max_digits=5, decimal_places=1, null=True, blank=True)
    vote_on = models.DateField("支部大会讨论日期", null=True, blank=True)
    vote_agree = models.PositiveSmallIntegerField("赞成票", null=True, blank=True)
    vote_entitled = models.PositiveSmallIntegerField("有表决权的正式党员", null=True, blank=True)
    # 实到：登记表决时必填；此前登记的档案没有这个数（null）。
    vote_present = models.PositiveSmallIntegerField("实到有表决权的正式党员", null=True, blank=True)
    approved_on = models.DateField("党委审批日期", null=True, blank=True)
    approval_special = models.BooleanField("特殊情况（审批期限六个月）", default=False)
    member = models.OneToOneField(
        "members.Member",
        verbose_name="党员档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_case",
    )
    closed_reason = models.CharField("终止原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "发展党员档案"
        verbose_name_plural = "发展党员档案"
        ordering = ["branch", "applied_on", "id"]
        indexes = [models.Index(fields=["branch", "stage"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.stage}）"


class DevelopmentStep(TimeStamped):
    """One recorded step of a case: date, decision, responsible people and documents."""

    scope = ScopeRule(org="case__branch", member="none")

    class Kind(models.TextChoices):
        APPLY = "apply", "递交入党申请书"
        TALK = "talk", "派人谈话"
        ACTIVIST = "activist", "确定为入党积极分子"
        REVIEW = "review", "培养考察"
        CANDIDATE = "candidate", "确定为发展对象"
        POLITICAL_REVIEW = "political_review", "政治审查"
        TRAINING = "training", "集中培训"
        VOTE = "vote", "支部大会讨论接收"
        APPROVAL = "approval", "党委审批（接收为预备党员）"
        CLOSE = "close", "终止培养"

    case = models.ForeignKey(
        DevelopmentCase, verbose_name="发展党员档案", on_delete=models.CASCADE, related_name="steps"
    )
    kind = models.CharField("步骤", max_length=20, choices=Kind.choices)
    date = models.DateField("日期")
    decision = models.CharField("决定或结果", max_length=200, blank=True)
    responsible = models.CharField("责任人", max_length=100, blank=True)
    documents = models.CharField("材料", max_length=200, blank=True)
    warnings = models.TextField("保存时的提醒", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ["case", "date", "id"]

    def __str__(self) -> str:
        return f"{self.case.name} {self.get_kind_display()} {self.date}"


class ProbationDecision(TimeStamped):
    """按期转正 / 延长预备期 / 取消预备党员资格, with the 支部大会 vote and the approval (党章 Art. 7)."""

    scope = ScopeRule(org="member__branch", member="member")

    class Outcome(models.TextChoices):
        FULL = "按期转正", "按期转正"
        EXTEND = "延长预备期", "延长预备期"
        CANCEL = "取消预备党员资格", "取消预备党员资格"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="probation_decisions"
    )
    outcome = models.CharField("决定", max_length=10, choices=Outcome.choices)
    due_on = models.DateField("预备期满日期")
    vote_on = models.DateField("支部大会日期")
    vote_agree = models.PositiveSmallIntegerField("赞成票")
    vote_entitled = models.PositiveSmallIntegerField("有表决权的正式党员")
    vote_present = models.PositiveSmallIntegerField("实到有表决权的正式党员", null=True, blank=True)
    approved_on = models.DateField("党委审批日期")
    extension_months = models.PositiveSmallIntegerField("延长月数", default=0)
    effective_on = models.DateField("生效日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "预备党员转正决定"
        verbose_name_plural = "预备党员转正决定"
        ordering = ["member", "vote_on", "id"]

    def __str__(self) -> str:
        return f"{self.member} {self.outcome} {self.effective_on}"


class Transfer(Versioned):
    """组织关系转接. `branch` is our side (the branch a member leaves, or joins);
    `to_branch` is set when the member moves to another branch under the same 党委."""

    scope = ScopeRule(org="branch", member="member")

    class Direction(models.TextChoices):
        OUT = "转出", "转出"
        IN = "转入", "转入"

    class Reach(models.TextChoices):
        TOWNSHIP = "本镇内", "本镇（街道）内"
        COUNTY = "本县内", "本县（区）内跨乡镇"
        BEYOND = "县外", "县（区）外"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    reach = models.CharField("范围", max_length=6, choices=Reach.choices)
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="本方党支部", on_delete=models.PROTECT, related_name="transfers"
    )
    to_branch = models.ForeignKey(
        "orgs.Organization",
        verbose_name="转入党支部（本镇内）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    other_org = models.CharField("对方党组织", max_length=100)
    date = models.DateField("转接日期")
    letter_year = models.PositiveSmallIntegerField("介绍信年度", null=True, blank=True)
    letter_no = models.PositiveIntegerField("介绍信编号", null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField("有效期（天）", default=30)
    received_letter = models.CharField("来信（介绍信）编号", max_length=60, blank=True)
    dues_paid_to = models.CharField("党费交至", max_length=20, blank=True)
    reason = models.CharField("转接原因", max_length=100, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["branch", "date"])]

    def __str__(self) -> str:
        return f"{self.member} {self.direction} {self.date}"

    @property
    def letter_number(self) -> str:
        if not self.letter_no:
            return ""
        return f"〔{self.letter_year}〕第{self.letter_no:03d}号"


class MobileContact(TimeStamped):
    """One contact with a 流动党员 (2019 《党员教育管理工作条例》: contact at least every 6 months)."""

    scope = ScopeRule(org="member__branch", member="member")

    class Method(models.TextChoices):
        PHONE = "电话", "电话"
        WECHAT = "微信", "微信"
        VISIT = "走访", "走访（回乡时见面）"
        HOST = "流入地党组织", "经流入地党组织"
        OTHER = "其他", "其他"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="mobile_contacts"
    )
    date = models.DateField("联系日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices, default=Method.PHONE)
    content = models.CharField("联系情况", max_length=300, blank=True)
    contact_person = models.CharField("联系人", max_length=40, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "流动党员联系记录"
        verbose_name_plural = "流动党员联系记录"
        ordering = ["member", "-date", "-id"]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self) -> str:
        return f"{self.member} {self.date}"

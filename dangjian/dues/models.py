"""党费：每年核定的交纳基数、减免、交纳记录（含每月明细）、支部设置与年度使用情况。

依据 中组发〔2008〕3号 《关于中国共产党党费收缴、使用和管理的规定》（RULES.md §5）。
金额由 dangjian.rules.dues.monthly_dues 计算后存入 DuesBase.amount，从不手工填写；
欠缴、收缴率、第九条预警都由交纳明细（PaidMonth）推算，不另存数字。
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import TimeStamped, Versioned
from dangjian.members.models import DuesCategory as Category  # one list: rules.dues.DuesCategory


class BranchDuesSetting(Versioned):
    """支部确定的农民党员每月交纳金额（0.2–1元，中组发〔2008〕3号）。"""

    scope = ScopeRule(org="branch", member="none")

    branch = models.OneToOneField(
        "orgs.Organization", verbose_name="党支部", on_delete=models.CASCADE, related_name="dues_setting"
    )
    farmer_amount = models.DecimalField("农民党员每月党费（元）", max_digits=4, decimal_places=2)
    decided_on = models.DateField("支部决定日期", null=True, blank=True)
    note = models.CharField("决定依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "支部党费设置"
        verbose_name_plural = "支部党费设置"
        constraints = [
            models.CheckConstraint(
                condition=Q(farmer_amount__gte=Decimal("0.20"), farmer_amount__lte=Decimal("1.00")),
                name="dues_farmer_amount_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} 农民党员 {self.farmer_amount} 元/月"


class DuesBase(Versioned):
    """一名党员一年的党费类别、月交纳基数和由规则算出的每月应交金额。"""

    scope = ScopeRule(org="member__branch", member="member")

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    category = models.CharField("党费类别", max_length=10, choices=Category.choices)
    base = models.DecimalField("月交纳基数（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("每月应交（元）", max_digits=9, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核定人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "党费基数"
        verbose_name_plural = "党费基数"
        ordering = ["year", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_base_member_year"),
            models.CheckConstraint(condition=Q(base__isnull=True) | Q(base__gte=0), name="dues_base_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.member} {self.category} {self.amount}元/月"


class Reduction(Versioned):
    """少交或免交：须有支部决定（会议、日期、文号）和上级党组织批准文号（中组发〔2008〕3号）。"""

    scope = ScopeRule(org="member__branch", member="member")

    class Kind(models.TextChoices):
        REDUCE = "少交", "少交"
        EXEMPT = "免交", "免交"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_reductions"
    )
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=4, choices=Kind.choices)
    from_month = models.PositiveSmallIntegerField("起始月份", default=1)
    to_month = models.PositiveSmallIntegerField("截止月份", default=12)
    monthly_amount = models.DecimalField("减免后每月交纳（元）", max_digits=9, decimal_places=2, default=Decimal("0"))
    reason = models.CharField("原因", max_length=200)
    decision_meeting = models.CharField("支部决定会议", max_length=100)
    decision_date = models.DateField("支部决定日期")
    decision_reference = models.CharField("支部决定记录/文号", max_length=100)
    approval_body = models.CharField("批准的上级党组织", max_length=100)
    approval_reference = models.CharField("上级批准文号", max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "党费减免"
        verbose_name_plural = "党费减免"
        ordering = ["-year", "member"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_month__gte=1, to_month__lte=12, from_month__lte=F("to_month")),
                name="dues_reduction_months",
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="dues_reduction_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.member} {self.kind}"

    def covers(self, month: int) -> bool:
        return self.from_month <= month <= self.to_month


class Payment(TimeStamped):
    """一次交纳（一张收据）。收据号在支部内按年连续编号；只能由党员本人交纳（可经他人转交），
    不得由组织垫交或扣缴（中组发〔2008〕3号）。"""

    scope = ScopeRule(org="member__branch", member="member")

    class Kind(models.TextChoices):
        MONTHLY = "按月", "按月"
        QUARTERLY = "按季", "按季"
        BACK = "补交", "补交"
        AHEAD = "预交", "预交"
        VOLUNTARY = "自愿", "自愿交纳"

    class Via(models.TextChoices):
        SELF = "本人", "本人交纳"
        THROUGH = "他人转交", "本人委托他人转交"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="dues_payments"
    )
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="收缴支部", on_delete=models.PROTECT, related_name="dues_payments"
    )
    receipt_year = models.PositiveSmallIntegerField("收据年度")
    receipt_no = models.PositiveIntegerField("收据号")
    kind = models.CharField("方式", max_length=4, choices=Kind.choices)
    via = models.CharField("交纳人", max_length=8, choices=Via.choices, default=Via.SELF)
    via_name = models.CharField("转交人", max_length=40, blank=True)
    first_month = models.DateField("起始月份", null=True, blank=True)
    months = models.PositiveSmallIntegerField("月数", default=1)
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    paid_on = models.DateField("交纳日期", db_index=True)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="收缴人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        ordering = ["-paid_on", "-receipt_no"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "receipt_year", "receipt_no"], name="dues_receipt_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_payment_amount"),
        ]
        indexes = [models.Index(fields=["branch", "paid_on"])]

    def __str__(self) -> str:
        return f"{self.receipt_label} {self.member} {self.amount}元"

    @property
    def receipt_label(self) -> str:
        return f"{self.receipt_year}年第{self.receipt_no:04d}号"

    @property
    def goes_to_centre(self) -> bool:
        # 一次性自愿交纳1000元以上，全额上缴中央（中组发〔2008〕3号）。
        from dangjian.rules.dues import LARGE_VOLUNTARY_THRESHOLD

        return self.kind == self.Kind.VOLUNTARY and self.amount >= LARGE_VOLUNTARY_THRESHOLD


class PaidMonth(models.Model):
    """一笔交纳覆盖的一个月（每名党员每月至多一条）。欠缴、收缴率由此推算。"""

    scope = ScopeRule(org="member__branch", member="member")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="paid_months")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_paid_months")
    month = models.DateField("所属月份")  # the first day of the month
    amount = models.DecimalField("金额（元）", max_digits=9, decimal_places=2)
    on_time = models.BooleanField("按时交纳", default=True)

    class Meta:
        verbose_name = "党费月度明细"
        verbose_name_plural = "党费月度明细"
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_paid_month_unique")]
        indexes = [models.Index(fields=["month", "member"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m}"


class Expenditure(Versioned):
    """党费使用（年度公示用）：党委或支部登记的支出项目。"""

    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="党组织", on_delete=models.CASCADE, related_name="dues_spending"
    )
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    spent_on = models.DateField("日期")
    item = models.CharField("用途", max_length=200)
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2)
    approved_by = models.CharField("审批", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "党费使用"
        verbose_name_plural = "党费使用"
        ordering = ["year", "spent_on"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="dues_expenditure_positive")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.item} {self.amount}元"


class PaymentVoid(TimeStamped):
    """冲红：一笔交纳作废的记录（红字冲销，财务做法）。原交纳（Payment）保留不改、不删，收据号仍占
    原号，收据连续；本记录写明谁、何时、为何冲红，并留存原交纳覆盖的月份明细（months），原明细
    （PaidMonth）随之移出，于是各项数字把这些月份当作未交，可以重新登记。一笔交纳只能冲红一次
    （payment 唯一）。写入见 dangjian.dues.voids。"""

    scope = ScopeRule(org="payment__member__branch", member="payment__member")

    payment = models.OneToOneField(
        Payment, verbose_name="原交纳", on_delete=models.PROTECT, related_name="void", editable=False
    )
    reason = models.CharField("冲红原因", max_length=200)
    voided_on = models.DateField("冲红日期")
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="冲红人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # [{"month": "2026-03-01", "amount": "20.00", "on_time": true}, …] — the PaidMonth rows moved out.
    months = models.JSONField("原交纳月份明细", default=list, blank=True)

    class Meta:
        verbose_name = "党费冲红"
        verbose_name_plural = "党费冲红"
        ordering = ["-voided_on", "-id"]

    def __str__(self) -> str:
        return f"冲红 {self.payment.receipt_label}（{self.reason}）"

    @property
    def month_dates(self) -> list:
        from datetime import date as _date

        return [_date.fromisoformat(m["month"]) for m in self.months]


class BaseChange(Versioned):
    """年内调整基数：自 from_month 起按新的类别、基数交纳，此前各月仍按年度基数（issue 20）。

    中组发〔2008〕3号未规定年内是否调整；常见做法是每年核定一次、年内不变，也有从工资变动
    当月起调整的（RULES.md §5, M）—— 是否允许由本地设置 DUES_BASE_MIDYEAR_CHANGE 决定。"""

    scope = ScopeRule(org="base__member__branch", member="base__member")

    base = models.ForeignKey(DuesBase, verbose_name="年度基数", on_delete=models.CASCADE, related_name="changes")
    from_month = models.PositiveSmallIntegerField("自哪月起")
    category = models.CharField("党费类别", max_length=10, choices=Category.choices)
    new_base = models.DecimalField("新的月交纳基数（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("调整后每月应交（元）", max_digits=9, decimal_places=2)
    reason = models.CharField("调整原因", max_length=200)
    evidence = models.CharField("依据（工资变动证明、支部决定等）", max_length=200)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "党费基数年内调整"
        verbose_name_plural = "党费基数年内调整"
        ordering = ["base", "from_month"]
        constraints = [
            models.UniqueConstraint(fields=["base", "from_month"], name="dues_base_change_month"),
            models.CheckConstraint(condition=Q(from_month__gte=2, from_month__lte=12), name="dues_base_change_range"),
        ]

    def __str__(self) -> str:
        return f"{self.base} 自{self.from_month}月起 {self.amount}元/月"


class HostDuesRecord(Versioned):
    """流动党员在流入地交纳党费的登记：所列月份不计本支部欠缴，也不计入党章第九条的连续月数。

    持《流动党员活动证》的党员在流入地参加组织生活、交纳党费（RULES.md §8, M）。须有凭据：
    流入地党组织名称、凭据类型与编号（活动证记载、流入地证明或收据）。"""

    scope = ScopeRule(org="member__branch", member="member")

    class Evidence(models.TextChoices):
        CARD = "活动证记载", "流动党员活动证记载"
        LETTER = "流入地证明", "流入地党组织证明"
        RECEIPT = "收据", "流入地党费收据"

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="dues_host_records"
    )
    host_org = models.CharField("流入地党组织", max_length=100)
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    amount = models.DecimalField("在流入地交纳金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    evidence_kind = models.CharField("凭据类型", max_length=8, choices=Evidence.choices)
    evidence_reference = models.CharField("凭据编号或说明", max_length=100)
    confirmed_on = models.DateField("核实日期")
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "流入地交纳党费"
        verbose_name_plural = "流入地交纳党费"
        ordering = ["member", "first_month"]
        constraints = [
            models.CheckConstraint(condition=Q(first_month__lte=F("last_month")), name="dues_host_months"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.first_month:%Y-%m}至{self.last_month:%Y-%m} 在{self.host_org}交纳"


class HostPaidMonth(models.Model):
    """A month a HostDuesRecord covers (one row a member and month, like PaidMonth)."""

    scope = ScopeRule(org="member__branch", member="member")

    record = models.ForeignKey(HostDuesRecord, on_delete=models.CASCADE, related_name="months")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_host_months")
    month = models.DateField("所属月份")

    class Meta:
        verbose_name = "流入地交纳月份"
        verbose_name_plural = "流入地交纳月份"
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_host_month_unique")]

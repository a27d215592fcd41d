"""The member roster (RULES.md §10) and each member's history of events."""

import re

from django.db import models
from django.db.models import Q

from dangjian.accounts.scope import ScopeRule
from dangjian.core import clock, crypto
from dangjian.core.choices import text_choices
from dangjian.core.models import TimeStamped, Versioned
from dangjian.core.pinyin import pinyin_keys
from dangjian.rules import dues as dues_rules


def id_mask(raw: str) -> str:
    """The displayed mask of a 公民身份号码 (region code, and the check char unless the setting drops it)."""
    from django.conf import settings

    from dangjian.rules.idcard import mask_id

    return mask_id(raw, keep_check=settings.DANGJIAN.get("ID_MASK_KEEP_CHECK", True))


_DIGIT_RUN = re.compile(r"[0-9０-９][0-9０-９\- ]{5,}[0-9０-９]")


def mask_contact(raw: str) -> str:
    """Free text with any phone-like digit run masked as phones are (138****5678)."""
    from dangjian.rules.idcard import mask_phone

    return _DIGIT_RUN.sub(lambda m: mask_phone(m.group(0)), raw or "")


class Sex(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class MemberKind(models.TextChoices):
    FULL = "正式党员", "正式党员"
    PROBATIONARY = "预备党员", "预备党员"


class Education(models.TextChoices):
    POSTGRADUATE = "研究生", "研究生"
    BACHELOR = "大学本科", "大学本科"
    COLLEGE = "大学专科", "大学专科"
    SECONDARY_VOCATIONAL = "中专", "中专"
    HIGH_SCHOOL = "高中", "高中"
    JUNIOR_OR_BELOW = "初中及以下", "初中及以下"


COLLEGE_OR_ABOVE = (Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE)


class Occupation(models.TextChoices):
    # RULES.md §10: occupation categories of the annual statistics.
    WORKER = "工人", "工人"
    FARMER = "农牧渔民", "农牧渔民"
    PROFESSIONAL = "专业技术人员", "专业技术人员"
    MANAGER = "管理人员", "管理人员"
    CIVIL_SERVANT = "党政机关工作人员", "党政机关工作人员"
    STUDENT = "学生", "学生"
    OTHER = "其他职业", "其他职业"
    RETIRED = "离退休人员", "离退休人员"


# RULES.md §5 / 中组发〔2008〕3号: the one list is rules.dues.DuesCategory (dues.Category is this class).
DuesCategory = text_choices("DuesCategory", dues_rules.DuesCategory, __name__)


class Standing(models.TextChoices):
    NORMAL = "正常", "正常"
    SUSPENDED = "停止党籍", "停止党籍"


class Member(Versioned):
    scope = ScopeRule(org="branch", member="self")

    name = models.CharField("姓名", max_length=40)
    name_pinyin = models.CharField("姓名全拼", max_length=120, blank=True, db_index=True)
    name_initials = models.CharField("姓名首字母", max_length=40, blank=True, db_index=True)
    sex = models.CharField("性别", max_length=2, choices=Sex.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    # 公民身份号码: encrypted at rest; a keyed hash for uniqueness and lookup; a mask to show.
    id_number_enc = models.TextField("公民身份号码（密文）", blank=True)
    id_number_hash = models.CharField("公民身份号码（检索摘要）", max_length=64, db_index=True)
    id_number_mask = models.CharField("公民身份号码", max_length=18)
    birth_date = models.DateField("出生日期")
    education = models.CharField("学历", max_length=10, choices=Education.choices)
    degree = models.CharField("学位", max_length=20, blank=True)
    kind = models.CharField("人员类别", max_length=10, choices=MemberKind.choices, db_index=True)
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name="所在党支部", on_delete=models.PROTECT, related_name="members"
    )
    group = models.ForeignKey(
        "orgs.Organization",
        verbose_name="所在党小组",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_members",
    )
    joined_on = models.DateField("入党日期")
    full_on = models.DateField("转为正式党员日期", null=True, blank=True)
    probation_extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    job = models.CharField("工作岗位", max_length=60, blank=True)
    occupation = models.CharField("职业类别", max_length=10, choices=Occupation.choices, default=Occupation.OTHER)
    dues_category = models.CharField(
        "党费类别", max_length=10, choices=DuesCategory.choices, default=DuesCategory.FARMER
    )
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    phone_mask = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("家庭住址", max_length=120, blank=True)
    native_place = models.CharField("籍贯", max_length=40, blank=True)
    registered_residence = models.CharField("户籍所在地", max_length=60, blank=True)
    current_residence = models.CharField("现居住地", max_length=60, blank=True)
    is_migrant_worker = models.BooleanField("是否农民工", default=False)
    standing = models.CharField("党籍状态", max_length=10, choices=Standing.choices, default=Standing.NORMAL)
    is_lost = models.BooleanField("是否失联党员", default=False, db_index=True)
    lost_on = models.DateField("失联日期", null=True, blank=True)
    is_mobile = models.BooleanField("是否流动党员", default=False, db_index=True)
    mobile_destination = models.CharField("外出流向", max_length=60, blank=True)
    mobile_since = models.DateField("外出日期", null=True, blank=True)
    mobile_host_org = models.CharField("流入地党组织", max_length=100, blank=True)
    # 外出联系方式 often holds a phone number: encrypted like the phone, shown masked.
    mobile_contact_enc = models.TextField("外出联系方式（密文）", blank=True)
    mobile_contact_mask = models.CharField("外出联系方式", max_length=60, blank=True)
    introducers = models.CharField("入党介绍人", max_length=60, blank=True)
    # Members who left (转出, 死亡, 除名, 退党) stay on record but out of current counts.
    is_current = models.BooleanField("在册", default=True, db_index=True)
    left_on = models.DateField("离开本组织日期", null=True, blank=True)
    left_reason = models.CharField("离开类型", max_length=20, blank=True)
    joined_org_on = models.DateField("进入本组织日期", null=True, blank=True)
    joined_org_type = models.CharField("进入本组织类型", max_length=20, blank=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["branch", "name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=Q(is_current=True), name="member_id_unique_current"
            )
        ]
        indexes = [models.Index(fields=["branch", "is_current", "kind"])]

    def __str__(self) -> str:
        return self.name

    # --- sensitive fields -------------------------------------------------------------
    def set_id_number(self, raw: str, *, lookup: str | None = None) -> None:
        """`lookup`: the current key's hash of `raw` when the caller has it already (an import
        computes it to match existing members)."""
        self.id_number_enc = crypto.encrypt(raw)
        self.id_number_hash = lookup if lookup is not None else crypto.lookup_hash(raw)
        self.id_number_mask = id_mask(raw)

    @property
    def id_number(self) -> str:
        """Full number. Only `members.services.reveal_*` may show it to a person (logged)."""
        return crypto.decrypt(self.id_number_enc)

    def set_phone(self, raw: str) -> None:
        from dangjian.rules.idcard import mask_phone

        raw = (raw or "").strip()
        self.phone_enc = crypto.encrypt(raw)
        self.phone_mask = mask_phone(raw) if raw else ""

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_enc)

    def set_mobile_contact(self, raw: str) -> None:
        raw = (raw or "").strip()[:60]
        self.mobile_contact_enc = crypto.encrypt(raw)
        self.mobile_contact_mask = mask_contact(raw)

    @property
    def mobile_contact(self) -> str:
        """Full 外出联系方式 (may hold a phone number): show `mobile_contact_mask` instead."""
        return crypto.decrypt(self.mobile_contact_enc)

    @mobile_contact.setter
    def mobile_contact(self, raw: str) -> None:
        Member.set_mobile_contact(self, raw)

    @property
    def age_band(self) -> str:
        """统计年龄段: what roles not entitled to the full 公民身份号码 see instead of the birth date."""

        from dangjian.rules.membership import age_band, age_on

        return age_band(age_on(self.birth_date, clock.today()))

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    @property
    def is_full(self) -> bool:
        return self.kind == MemberKind.FULL


class MemberEvent(TimeStamped):
    """A member's history: 发展, 转入, 转出, 转正, 停止党籍, 恢复党籍, 死亡, 除名, 退党, …"""

    scope = ScopeRule(org="member__branch", member="member")

    class Kind(models.TextChoices):
        DEVELOPED = "发展", "发展（接收为预备党员）"
        TRANSFER_IN = "转入", "转入"
        TRANSFER_OUT = "转出", "转出"
        FULL = "转正", "转正"
        PROBATION_EXTENDED = "延长预备期", "延长预备期"
        PROBATION_CANCELLED = "取消预备党员资格", "取消预备党员资格"
        SUSPENDED = "停止党籍", "停止党籍"
        RESTORED = "恢复党籍", "恢复党籍"
        DIED = "死亡", "死亡"
        EXPELLED = "除名", "除名"
        WITHDREW = "退党", "退党"
        PERSUADED_OUT = "劝其退党", "劝其退党"
        MOBILE_OUT = "外出流动", "外出流动"
        MOBILE_BACK = "流动返回", "流动返回"
        LOST = "失联", "失联"
        FOUND = "恢复联系", "恢复联系"
        BRANCH_CHANGE = "支部调整", "支部调整"

    member = models.ForeignKey(Member, verbose_name="党员", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事项", max_length=20, choices=Kind.choices)
    date = models.DateField("日期")
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "党员事项"
        verbose_name_plural = "党员事项"
        ordering = ["member", "date", "id"]
        # members_as_of looks up who was 停止党籍 (or had left) on a date by kind and date: without
        # this index that subquery read every event of the county on each dashboard request.
        indexes = [models.Index(fields=["kind", "date", "member"], name="member_event_kind_date")]


# Events after which a member is no longer counted (stays on record).
LEAVING_EVENTS = {
    MemberEvent.Kind.TRANSFER_OUT,
    MemberEvent.Kind.DIED,
    MemberEvent.Kind.EXPELLED,
    MemberEvent.Kind.WITHDREW,
    MemberEvent.Kind.PERSUADED_OUT,
    MemberEvent.Kind.PROBATION_CANCELLED,
}

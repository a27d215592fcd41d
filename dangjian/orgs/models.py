"""The organization tree, committees and terms, and administrative units.

The tree is a materialized path (django-treebeard MP_Node), so "everything under this
镇党委" is one indexed prefix filter on SQLite and PostgreSQL alike.
"""

from datetime import date

from django.db import models
from treebeard.mp_tree import MP_Node

from dangjian.accounts.scope import ScopeRule
from dangjian.core import clock
from dangjian.core.choices import text_choices
from dangjian.core.models import Versioned
from dangjian.rules.structure import PostKind


class OrgType(models.TextChoices):
    # 区委/县委 and above: any depth, so one installation can hold a district or more.
    HIGHER = "higher", "上级党委"
    COMMITTEE = "committee", "基层党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    JOINT_BRANCH = "joint_branch", "联合党支部"
    GROUP = "group", "党小组"


BRANCH_TYPES = (OrgType.BRANCH, OrgType.JOINT_BRANCH)


class OrgCategory(models.TextChoices):
    # RULES.md §10 organization record; §7 terms differ for 村/社区.
    ORGAN = "机关", "机关"
    COMMUNITY = "社区", "社区"
    VILLAGE = "村", "村"
    ENTERPRISE = "非公企业", "非公企业"
    SOCIAL = "社会组织", "社会组织"
    OTHER = "其他", "其他"


class Organization(MP_Node, Versioned):
    scope = ScopeRule(org="", member="branch")

    name = models.CharField("全称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    org_type = models.CharField("组织类型", max_length=20, choices=OrgType.choices, db_index=True)
    category = models.CharField("组织类别", max_length=10, choices=OrgCategory.choices, default=OrgCategory.OTHER)
    founded_on = models.DateField("成立日期", null=True, blank=True)
    unit = models.ForeignKey(
        "orgs.AdminUnit",
        verbose_name="所在社区/单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="branches",
    )
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    region = models.CharField("所在行政区划", max_length=60, blank=True)
    is_active = models.BooleanField("有效", default=True)

    node_order_by = None

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def is_branch(self) -> bool:
        return self.org_type in BRANCH_TYPES

    @property
    def is_group(self) -> bool:
        return self.org_type == OrgType.GROUP


class Post(Versioned):
    """A post on a committee (书记, 副书记, 组织委员, 宣传委员, 纪检委员, 党小组组长)."""

    scope = ScopeRule(org="org", member="branch")

    Kind = text_choices("Kind", PostKind, __name__)  # the one list: rules.structure.PostKind

    org = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="posts")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField("职务", max_length=10, choices=Kind.choices)
    started_on = models.DateField("任职日期")
    ended_on = models.DateField("离任日期", null=True, blank=True)

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["org", "ended_on", "kind"]
        indexes = [models.Index(fields=["org", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.org} {self.kind} {self.member}"

    def is_current(self, on: date | None = None) -> bool:
        on = on or clock.today()
        return self.started_on <= on and (self.ended_on is None or self.ended_on >= on)


class Term(Versioned):
    """A committee's term (届). Length per RULES.md §7, a setting (dangjian.rules.terms)."""

    scope = ScopeRule(org="org", member="branch")

    org = models.ForeignKey(Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="terms")
    started_on = models.DateField("换届日期")
    years = models.PositiveSmallIntegerField("任期（年）")
    ends_on = models.DateField("任期届满")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "任期"
        verbose_name_plural = "任期"
        ordering = ["org", "-started_on"]

    def __str__(self) -> str:
        return f"{self.org} {self.started_on:%Y}—{self.ends_on:%Y}"


class AdminUnit(Versioned):
    """社区居委会, 居民小组 or another unit a branch serves."""

    scope = ScopeRule(org="township", member="none")

    class Kind(models.TextChoices):
        COMMUNITY = "community", "社区居委会"
        VILLAGE = "village", "村民委员会"
        GROUP = "group", "居民小组"
        ORGAN = "organ", "机关单位"
        OTHER = "other", "其他单位"

    township = models.ForeignKey(
        Organization, verbose_name="所属党委", on_delete=models.CASCADE, related_name="admin_units"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "行政单位"
        verbose_name_plural = "行政单位"
        ordering = ["township", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class UnitYearFigure(Versioned):
    """Households and people (户籍, 常住) of one unit in one year. Missing stays None."""

    scope = ScopeRule(org="unit__township", member="none")

    unit = models.ForeignKey(AdminUnit, verbose_name="单位", on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField("年度")
    households_registered = models.PositiveIntegerField("户籍户数", null=True, blank=True)
    people_registered = models.PositiveIntegerField("户籍人口", null=True, blank=True)
    households_resident = models.PositiveIntegerField("常住户数", null=True, blank=True)
    people_resident = models.PositiveIntegerField("常住人口", null=True, blank=True)

    class Meta:
        verbose_name = "户数人口"
        verbose_name_plural = "户数人口"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unit_year_unique")]

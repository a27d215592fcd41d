"""Township statistics per year (the economy and labour figures of the survey report).

Every figure is nullable: a value nobody entered stays None ("数据缺失"), never zero.
Households and people per community live in dangjian.orgs.models.UnitYearFigure (per
resident group); they are not duplicated here.
"""

from django.db import models

from dangjian.accounts.scope import ScopeRule
from dangjian.core.models import Versioned


def _dec(label: str, digits: int = 14, places: int = 2):
    return models.DecimalField(label, max_digits=digits, decimal_places=places, null=True, blank=True)


def _int(label: str):
    return models.PositiveIntegerField(label, null=True, blank=True)


class TownshipYearStats(Versioned):
    """One township's (镇党委's) economic and labour figures for one year."""

    scope = ScopeRule(org="org", member="none")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name="所属党委", on_delete=models.CASCADE, related_name="year_stats"
    )
    year = models.PositiveSmallIntegerField("年度")
    gdp = _dec("生产总值（亿元）")
    income_per_capita = _int("居民人均可支配收入（元）")
    private_enterprises = _int("非公有制企业（家）")
    private_employees = _int("非公有制企业从业人员（人）")
    private_net_profit = _dec("非公有制企业净利润（万元）")
    labour_workers = _int("输出劳动力（人）")
    labour_skills_trained = _int("输出前技能培训（人）")
    labour_orientation_trained = _int("引导性培训（人）")
    labour_income = _dec("劳务收入（万元）")
    note = models.CharField("备注", max_length=200, blank=True)

    # (field, short label used in sentences, unit) — the order of forms, templates and reports.
    FIGURES = [
        ("gdp", "生产总值", "亿元"),
        ("income_per_capita", "居民人均可支配收入", "元"),
        ("private_enterprises", "非公有制企业数", "家"),
        ("private_employees", "非公有制企业从业人员", "人"),
        ("private_net_profit", "非公有制企业净利润", "万元"),
        ("labour_workers", "输出劳动力", "人"),
        ("labour_skills_trained", "输出前技能培训", "人"),
        ("labour_orientation_trained", "引导性培训", "人"),
        ("labour_income", "劳务收入", "万元"),
    ]
    # The figures without which a year's statistics are not "complete" enough to report.
    CORE = ("gdp", "income_per_capita")

    class Meta:
        verbose_name = "年度统计"
        verbose_name_plural = "年度统计"
        ordering = ["org", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="stats_org_year_unique")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年统计"

    def missing(self) -> list[str]:
        """Labels of the township figures nobody entered."""
        return [label for field, label, _unit in self.FIGURES if getattr(self, field) is None]

    @property
    def is_core_complete(self) -> bool:
        return all(getattr(self, f) is not None for f in self.CORE)


class SpecialtyIndustry(Versioned):
    """A specialty crop (特色产业) of one township-year: planted area and revenue."""

    scope = ScopeRule(org="stats__org", member="none")

    stats = models.ForeignKey(
        TownshipYearStats, verbose_name="年度统计", on_delete=models.CASCADE, related_name="industries"
    )
    crop = models.CharField("产业（作物）", max_length=30)
    area_mu = _dec("种植面积（亩）", 12, 1)
    revenue = _dec("收入（万元）")
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "特色产业"
        verbose_name_plural = "特色产业"
        ordering = ["stats", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["stats", "crop"], name="industry_stats_crop_unique")]

    def __str__(self) -> str:
        return f"{self.stats.year}年{self.crop}"

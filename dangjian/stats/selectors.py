"""Reads of township statistics: the years kept, and the economic picture a report uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from dangjian.core.figures import figure
from dangjian.orgs.models import Organization, OrgType
from dangjian.stats.models import SpecialtyIndustry, TownshipYearStats
from dangjian.stats.types import Trend

ADDITIVE = {
    "gdp",
    "private_enterprises",
    "private_employees",
    "private_net_profit",
    "labour_workers",
    "labour_skills_trained",
    "labour_orientation_trained",
    "labour_income",
}


def stats_under(root: Organization):
    """Every statistics year of the townships under `root` (fixed: 2 queries when iterated)."""
    return (
        TownshipYearStats.objects.filter(org__path__startswith=root.path)
        .select_related("org")
        .prefetch_related(Prefetch("industries", queryset=SpecialtyIndustry.objects.order_by("position", "id")))
        .order_by("org__path", "year")
    )


def townships_under(root: Organization) -> list[Organization]:
    """The 基层党委 at or under `root` — the organizations statistics are attached to (from the
    one read of the tree, orgs.selectors.active_orgs_under)."""
    from dangjian.orgs.selectors import orgs_of_type

    return orgs_of_type(root, OrgType.COMMITTEE)


def years_of(org: Organization) -> list[TownshipYearStats]:
    return list(stats_under(org).filter(org=org))


@dataclass
class Economy:
    """The economic picture of one year for one township or the sum of several."""

    year: int
    townships: list[TownshipYearStats]
    figures: dict[str, Decimal | int | None]
    # (crop, area 亩 or None, revenue 万元 or None), in first-seen order
    industries: list[tuple[str, Decimal | None, Decimal | None]]
    per_capita: list[tuple[str, int | None]] = field(default_factory=list)  # per township when several
    missing: list[str] = field(default_factory=list)  # "2022年花椒收入"
    notes: list[str] = field(default_factory=list)

    @property
    def several(self) -> bool:
        return len(self.townships) > 1


def _sum(values):
    if any(v is None for v in values) or not values:
        return None
    return sum(values)


def economy(root: Organization, *, upto_year: int) -> Economy | None:
    """The latest COMPLETE year (core figures entered) at or before `upto_year`, for the
    township(s) under `root`. None when no such year exists (e.g. `root` is a branch)."""
    rows = list(stats_under(root).filter(year__lte=upto_year))
    complete_years = [s.year for s in rows if s.is_core_complete]
    if not complete_years:
        return None
    year = max(complete_years)
    chosen = [s for s in rows if s.year == year]
    missing: list[str] = []
    notes: list[str] = []
    later = sorted({s.year for s in rows if s.year > year})
    if later:
        notes.append(
            f"{'、'.join(f'{y}年' for y in later)}统计数据尚未录入完整（缺生产总值或人均可支配收入），本报告采用{year}年数据。"
        )
    all_townships = townships_under(root)
    have = {s.org_id for s in chosen}
    for t in all_townships:
        if t.id not in have and any(s.org_id == t.id for s in rows):
            missing.append(f"{year}年{t.name}统计数据")
    figures: dict = {}
    labels = {f: label for f, label, _u in TownshipYearStats.FIGURES}
    for f, _label, _unit in TownshipYearStats.FIGURES:
        if f == "income_per_capita" and len(chosen) > 1:
            figures[f] = None  # an average of averages would be wrong: listed per township
            continue
        values = [getattr(s, f) for s in chosen]
        figures[f] = _sum(values)
        for s, v in zip(chosen, values):
            if v is None:
                missing.append(f"{year}年{s.org.name if len(chosen) > 1 else ''}{labels[f]}")
    per_capita = [(s.org.name, s.income_per_capita) for s in chosen] if len(chosen) > 1 else []
    if len(chosen) > 1:
        missing += [f"{year}年{s.org.name}居民人均可支配收入" for s in chosen if s.income_per_capita is None]
    crops: dict[str, list] = {}
    for s in chosen:
        for ind in s.industries.all():
            crops.setdefault(ind.crop, []).append((s, ind))
    industries = []
    for crop, items in crops.items():
        area = _sum([i.area_mu for _s, i in items])
        revenue = _sum([i.revenue for _s, i in items])
        for s, i in items:
            where = s.org.name if len(chosen) > 1 else ""
            if i.area_mu is None:
                missing.append(f"{year}年{where}{crop}种植面积")
            if i.revenue is None:
                missing.append(f"{year}年{where}{crop}收入")
        industries.append((crop, area, revenue))
    return Economy(
        year=year,
        townships=chosen,
        figures=figures,
        industries=industries,
        per_capita=per_capita,
        missing=missing,
        notes=notes,
    )


@figure
def trend(root: Organization) -> Trend:
    """Years × figures for the dashboard's trend charts (additive figures summed)."""
    rows = list(stats_under(root))
    years = sorted({s.year for s in rows})
    series = {}
    for f, _label, _unit in TownshipYearStats.FIGURES:
        per_year = []
        for y in years:
            vals = [getattr(s, f) for s in rows if s.year == y]
            if f == "income_per_capita" and len(vals) > 1:
                per_year.append(None)
            else:
                v = _sum(vals)
                per_year.append(float(v) if v is not None else None)
        series[f] = per_year
    crops: dict[str, dict[int, list]] = {}
    for s in rows:
        for ind in s.industries.all():
            crops.setdefault(ind.crop, {}).setdefault(s.year, []).append(ind)
    industry = {
        crop: {
            "area": [_float(_sum([i.area_mu for i in by_year.get(y, [])]) if by_year.get(y) else None) for y in years],
            "revenue": [
                _float(_sum([i.revenue for i in by_year.get(y, [])]) if by_year.get(y) else None) for y in years
            ],
        }
        for crop, by_year in crops.items()
    }
    return Trend(years=years, series=series, industry=industry)


def _float(v):
    return float(v) if v is not None else None


def years_recorded_under(root: Organization) -> int:
    """How many township-years of 基本情况统计 `root`'s subtree holds (the 从零开始 checklist)."""
    return TownshipYearStats.objects.filter(org__path__startswith=root.path).count()

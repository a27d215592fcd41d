"""The read contract of 年度统计 for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.stats.models import TownshipYearStats

# (field, label, unit) of each yearly figure, for charts and tables in other apps
FIGURES = TownshipYearStats.FIGURES


@dataclass(frozen=True)
class Trend:
    """Yearly figures summed over the townships under an organization, oldest year first."""

    years: list[int]
    series: dict[str, list[float | None]]  # {figure: one value per year}
    industry: dict[str, dict[str, list[float | None]]]  # {crop: {"area": […], "revenue": […]}}

"""Demo statistics: the first township's 2022 exactly as the source report gives it
(shared/domain/TOWNSHIP.md, with the 花椒 revenue missing as in the source) and a
plausible 2021; other townships of a county get plausible figures of the same size."""

from __future__ import annotations

from decimal import Decimal

from dangjian.demo.context import DemoContext
from dangjian.stats.models import SpecialtyIndustry, TownshipYearStats

# 2022 as in the source report.
SOURCE_2022 = {
    "gdp": Decimal("5.08"),
    "income_per_capita": 26987,
    "private_enterprises": 3392,
    "private_employees": 13980,
    "private_net_profit": Decimal("7590"),
    "labour_workers": 1349,
    "labour_skills_trained": 468,
    "labour_orientation_trained": 185,
    "labour_income": Decimal("852"),
}
SOURCE_2022_INDUSTRIES = [
    ("花椒", Decimal("421"), None),  # the source printed "花椒收入万元": the figure is missing
    ("油橄榄", Decimal("3342"), Decimal("1340")),
    ("樱桃", Decimal("2500"), Decimal("986")),
]
# 2021: synthetic, a year of slightly smaller figures (growth of 3–8 %).
SYNTHETIC_2021 = {
    "gdp": Decimal("4.79"),
    "income_per_capita": 25310,
    "private_enterprises": 3215,
    "private_employees": 13402,
    "private_net_profit": Decimal("7105"),
    "labour_workers": 1298,
    "labour_skills_trained": 431,
    "labour_orientation_trained": 170,
    "labour_income": Decimal("798"),
}
SYNTHETIC_2021_INDUSTRIES = [
    ("花椒", Decimal("405"), Decimal("276")),
    ("油橄榄", Decimal("3180"), Decimal("1226")),
    ("樱桃", Decimal("2430"), Decimal("918")),
]


def _scaled(base: dict, factor: float) -> dict:
    out = {}
    for k, v in base.items():
        if k == "income_per_capita":
            out[k] = int(v * (0.9 + (factor - 1) * 0.2))
        elif isinstance(v, Decimal):
            out[k] = (v * Decimal(str(round(factor, 3)))).quantize(Decimal("0.01"))
        else:
            out[k] = int(v * factor)
    return out


def load(ctx: DemoContext) -> None:
    townships = list(ctx.townships or [])
    if not townships:
        return
    rng = ctx.rng_for("stats")
    stats_rows, plans = [], []
    for n, township in enumerate(townships):
        if n == 0:
            years = [(2021, SYNTHETIC_2021, SYNTHETIC_2021_INDUSTRIES), (2022, SOURCE_2022, SOURCE_2022_INDUSTRIES)]
        else:
            f = rng.uniform(0.6, 1.5)
            years = [
                (
                    2021,
                    _scaled(SYNTHETIC_2021, f),
                    [(c, a * Decimal(str(round(f, 2))), r) for c, a, r in SYNTHETIC_2021_INDUSTRIES],
                ),
                (
                    2022,
                    _scaled(SOURCE_2022, f),
                    [
                        (
                            c,
                            a * Decimal(str(round(f, 2))),
                            r if r is None else (r * Decimal(str(round(f, 2)))).quantize(Decimal("0.01")),
                        )
                        for c, a, r in SYNTHETIC_2021_INDUSTRIES
                    ],
                ),
            ]
        for year, figures, industries in years:
            stats_rows.append(TownshipYearStats(org=township, year=year, **figures))
            plans.append(industries)
    TownshipYearStats.objects.bulk_create(stats_rows, batch_size=500)
    industries = [
        SpecialtyIndustry(stats=s, crop=crop, area_mu=area, revenue=revenue, position=pos)
        for s, plan in zip(stats_rows, plans)
        for pos, (crop, area, revenue) in enumerate(plan)
    ]
    SpecialtyIndustry.objects.bulk_create(industries, batch_size=1000)
    try:
        from dangjian.core.audit import log_bulk

        log_bulk(stats_rows, note="演示数据")
        log_bulk(industries, note="演示数据")
    except ImportError:
        pass
    ctx.say(f"年度统计：{len(stats_rows)} 个年度，特色产业 {len(industries)} 行")

"""The plan of each township before anything is written: communities and their groups with
the 户籍/常住 figures, branches and their sizes (TOWNSHIP.md for the demo township)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from dangjian.demo import names as N
from dangjian.orgs.models import AdminUnit, OrgCategory

# The report's figures (TOWNSHIP.md), reproduced exactly for the demo township.
DEMO_FIGURES_2022 = {"hh_reg": 20669, "ppl_reg": 72341, "hh_res": 28441, "ppl_res": 99544}
DEMO_GROUPS_PER_COMMUNITY_TOTAL = 106
DEMO_BRANCHES_PER_COMMUNITY = [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1]  # 39 over 17 communities
DEMO_MEMBERS = 1494
DEMO_ORGAN_MEMBERS = 42
FIGURE_YEAR = 2022
GROUP_MIN_BRANCH_SIZE = 26  # branches with more than ~25 members have 党小组
BATCH = 2000


@dataclass
class UnitPlan:
    name: str
    kind: str  # AdminUnit.Kind
    groups: list[str]
    figures: dict[int, list[tuple[int, int, int, int]]] = field(default_factory=dict)  # year -> per group


@dataclass
class BranchPlan:
    name: str
    short: str
    category: str
    unit_index: int | None  # index into TownshipPlan.units; None for the 机关 branch
    size: int
    founded: date
    term_state: str = "normal"  # normal | near | overdue


@dataclass
class TownshipPlan:
    name: str
    units: list[UnitPlan]
    branches: list[BranchPlan]
    is_demo: bool = False


def _tiny_plan(rng: random.Random) -> TownshipPlan:
    units = [UnitPlan(f"{c}社区", AdminUnit.Kind.COMMUNITY, ["第一居民小组", "第二居民小组"]) for c in ("东街", "西街")]
    for u in units:
        per_group = []
        for _g in u.groups:
            hh = rng.randint(280, 420)
            ppl = int(hh * rng.uniform(3.2, 3.7))
            per_group.append((hh, ppl, int(hh * 1.3), int(ppl * 1.3)))
        u.figures[FIGURE_YEAR] = per_group
    t = N.DEMO_TOWNSHIP
    branches = [
        BranchPlan(f"中共{t}机关支部委员会", "镇机关党支部", OrgCategory.ORGAN, None, 10, date(1958, 3, 1)),
        BranchPlan(
            f"中共{t}东街社区第一支部委员会", "东街社区第一党支部", OrgCategory.COMMUNITY, 0, 26, date(1984, 7, 1)
        ),
        BranchPlan(
            f"中共{t}东街社区第二支部委员会", "东街社区第二党支部", OrgCategory.COMMUNITY, 0, 14, date(2012, 7, 1)
        ),
        BranchPlan(f"中共{t}西街社区支部委员会", "西街社区党支部", OrgCategory.COMMUNITY, 1, 10, date(1986, 7, 1)),
    ]
    branches[1].term_state = "near"
    branches[3].term_state = "overdue"
    return TownshipPlan(t, units, branches, is_demo=True)


def _demo_plan(rng: random.Random) -> TownshipPlan:
    """TOWNSHIP.md: 17 communities, 106 groups, 39 community branches, exact figures."""
    t = N.DEMO_TOWNSHIP
    n_comm = len(N.DEMO_COMMUNITIES)
    # Community sizes: a few big central ones, the rest smaller; groups follow size.
    weights = [rng.uniform(0.6, 1.6) for _ in range(n_comm)]
    order = sorted(range(n_comm), key=lambda i: -weights[i])
    group_counts = N.fit_sizes(rng, N.partition(DEMO_GROUPS_PER_COMMUNITY_TOTAL, weights), 106, 4, 9)
    units: list[UnitPlan] = []
    for i, c in enumerate(N.DEMO_COMMUNITIES):
        units.append(
            UnitPlan(
                f"{c}社区", AdminUnit.Kind.COMMUNITY, [f"第{N.ordinal(g + 1)}居民小组" for g in range(group_counts[i])]
            )
        )
    # Per-group figures: registered by group weight, residents by a community inflow factor
    # (central communities draw people in). Each total is an exact integer partition.
    gw, rw, keys = [], [], []
    for i, u in enumerate(units):
        inflow = rng.uniform(1.1, 1.6) if order.index(i) < 6 else rng.uniform(0.95, 1.35)
        for _g in u.groups:
            w = rng.uniform(0.7, 1.3)
            gw.append(w)
            rw.append(w * inflow)
            keys.append(i)
    hh_reg = N.partition(DEMO_FIGURES_2022["hh_reg"], gw)
    ppl_reg = N.partition(DEMO_FIGURES_2022["ppl_reg"], [w * rng.uniform(0.93, 1.07) for w in gw])
    hh_res = N.partition(DEMO_FIGURES_2022["hh_res"], rw)
    ppl_res = N.partition(DEMO_FIGURES_2022["ppl_res"], [w * rng.uniform(0.93, 1.07) for w in rw])
    k = 0
    for u in units:
        rows = []
        for _g in u.groups:
            rows.append((hh_reg[k], ppl_reg[k], hh_res[k], ppl_res[k]))
            k += 1
        u.figures[FIGURE_YEAR] = rows
    # Branches: bigger communities get more branches.
    per_comm = [0] * n_comm
    for rank, i in enumerate(order):
        per_comm[i] = DEMO_BRANCHES_PER_COMMUNITY[rank]
    sizes = [round(rng.triangular(14, 58, 36)) for _ in range(sum(per_comm))]
    sizes = N.fit_sizes(rng, sizes, DEMO_MEMBERS - DEMO_ORGAN_MEMBERS, 15, 58)
    branches = [
        BranchPlan(
            f"中共{t}机关支部委员会", "镇机关党支部", OrgCategory.ORGAN, None, DEMO_ORGAN_MEMBERS, date(1956, 10, 1)
        )
    ]
    s = 0
    for i, c in enumerate(N.DEMO_COMMUNITIES):
        for b in range(per_comm[i]):
            num = f"第{N.ordinal(b + 1)}" if per_comm[i] > 1 else ""
            founded = (
                date(rng.randint(1958, 1995), 7, 1) if b == 0 else date(rng.randint(2005, 2018), rng.randint(1, 12), 1)
            )
            branches.append(
                BranchPlan(
                    f"中共{t}{c}社区{num}支部委员会", f"{c}社区{num}党支部", OrgCategory.COMMUNITY, i, sizes[s], founded
                )
            )
            s += 1
    # 换届: 3 branches whose term ends within 6 months, 2 overdue (relative to ctx.today).
    picks = rng.sample(range(1, len(branches)), 5)
    for j in picks[:3]:
        branches[j].term_state = "near"
    for j in picks[3:]:
        branches[j].term_state = "overdue"
    return TownshipPlan(t, units, branches, is_demo=True)


def _generated_plan(rng: random.Random, name: str, taken: set[str]) -> TownshipPlan:
    """Another township 'like the demo one': villages and communities of varied sizes."""
    n_units = rng.randint(8, 20)
    unit_names = N.place_names(rng, n_units, taken=taken)
    units: list[UnitPlan] = []
    for un in unit_names:
        is_village = rng.random() < 0.6
        kind = AdminUnit.Kind.VILLAGE if is_village else AdminUnit.Kind.COMMUNITY
        label = "村" if is_village else "社区"
        group_label = "村民小组" if is_village else "居民小组"
        u = UnitPlan(f"{un}{label}", kind, [f"第{N.ordinal(g + 1)}{group_label}" for g in range(rng.randint(3, 9))])
        rows = []
        for _g in u.groups:
            hh = rng.randint(110, 330)
            ppl = int(hh * rng.uniform(3.1, 3.9))
            factor = rng.uniform(0.7, 1.0) if is_village else rng.uniform(1.0, 1.4)
            rows.append((hh, ppl, max(1, int(hh * factor)), max(1, int(ppl * factor))))
        u.figures[FIGURE_YEAR] = rows
        units.append(u)
    total = rng.randint(1100, 1900)
    organ = rng.randint(28, 48)
    rest = total - organ
    n_branches = max(n_units, round(rest / rng.uniform(28, 34)))
    per_unit = [1] * n_units
    for _ in range(n_branches - n_units):
        per_unit[rng.randrange(n_units)] += 1
    sizes = N.fit_sizes(rng, [round(rng.triangular(15, 56, 34)) for _ in range(n_branches)], rest, 12, 58)
    branches = [
        BranchPlan(f"中共{name}机关支部委员会", f"{name}机关党支部", OrgCategory.ORGAN, None, organ, date(1956, 10, 1))
    ]
    s = 0
    for i, u in enumerate(units):
        cat = OrgCategory.VILLAGE if u.kind == AdminUnit.Kind.VILLAGE else OrgCategory.COMMUNITY
        for b in range(per_unit[i]):
            num = f"第{N.ordinal(b + 1)}" if per_unit[i] > 1 else ""
            founded = (
                date(rng.randint(1955, 1998), 7, 1) if b == 0 else date(rng.randint(2003, 2019), rng.randint(1, 12), 1)
            )
            branches.append(
                BranchPlan(f"中共{name}{u.name}{num}支部委员会", f"{u.name}{num}党支部", cat, i, sizes[s], founded)
            )
            s += 1
    for bp in branches[1:]:
        x = rng.random()
        bp.term_state = "near" if x < 0.05 else "overdue" if x < 0.08 else "normal"
    return TownshipPlan(f"{name}", units, branches)


def _add_previous_year(rng: random.Random, plan: TownshipPlan) -> None:
    """2021 figures: slightly smaller than 2022 (no later years, so the overview shows 2022)."""
    for u in plan.units:
        rows = []
        for hh, ppl, hhr, pplr in u.figures[FIGURE_YEAR]:
            f = rng.uniform(0.975, 0.997)
            rows.append((max(1, int(hh * f)), max(1, int(ppl * f)), max(1, int(hhr * f)), max(1, int(pplr * f))))
        u.figures[FIGURE_YEAR - 1] = rows

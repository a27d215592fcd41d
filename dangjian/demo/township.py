"""The foundation demo step: the organization tree, administrative units, members,
committees, terms and accounts (TOWNSHIP.md).

Scales (dangjian.demo.context.SCALES):
  tiny      1 township, 4 branches (1 机关 + 3 社区), 2 communities × 2 groups, ~60 members
  township  exactly TOWNSHIP.md: 17 communities, 106 resident groups, the report's
            户籍/常住 figures, 40 branches (1 机关 + 39 社区), 1,494 members
  county    20 townships under one 区委 (~1,000 branches, ~30,000 members); the first is
            the demo township, the others are generated the same way with varied sizes
  city      a 市委 over 10 区委 × 20 townships (~300,000 members)

Deterministic: all randomness comes from ctx.rng_for("township") and one Faker seeded
with ctx.seed; dates are relative to ctx.today. Everything is written with bulk_create;
treebeard paths, depth and numchild are computed here (steplen 4, see Organization).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from faker import Faker

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.audit import log_bulk
from dangjian.demo import names as N
from dangjian.demo.context import SCALES, DemoContext
from dangjian.members.models import DuesCategory, Education, Member, MemberEvent, MemberKind, Occupation, Sex
from dangjian.orgs.models import AdminUnit, Organization, OrgCategory, OrgType, Post, Term, UnitYearFigure
from dangjian.orgs.selectors import default_term_years
from dangjian.rules.dates import add_months
from dangjian.rules.idcard import make_id
from dangjian.rules.membership import probation_end
from dangjian.rules.terms import term_end

# The report's figures (TOWNSHIP.md), reproduced exactly for the demo township.
DEMO_FIGURES_2022 = {"hh_reg": 20669, "ppl_reg": 72341, "hh_res": 28441, "ppl_res": 99544}
DEMO_GROUPS_PER_COMMUNITY_TOTAL = 106
DEMO_BRANCHES_PER_COMMUNITY = [3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1]  # 39 over 17 communities
DEMO_MEMBERS = 1494
DEMO_ORGAN_MEMBERS = 42
FIGURE_YEAR = 2022
GROUP_MIN_BRANCH_SIZE = 26  # branches with more than ~25 members have 党小组
BATCH = 2000


# --------------------------------------------------------------------------- plans
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


# --------------------------------------------------------------------------- tree paths
class _Tree:
    """Assigns treebeard MP paths (steplen 4) for nodes created with bulk_create."""

    def __init__(self):
        last = Organization.objects.get_last_root_node()
        self.next_root = (Organization._str2int(last.path[: Organization.steplen]) + 1) if last else 1

    def root(self, **fields) -> Organization:
        node = Organization(path=Organization._get_path(None, 1, self.next_root), depth=1, numchild=0, **fields)
        self.next_root += 1
        return node

    @staticmethod
    def child(parent: Organization, **fields) -> Organization:
        parent.numchild += 1
        return Organization(
            path=Organization._get_path(parent.path, parent.depth + 1, parent.numchild),
            depth=parent.depth + 1,
            numchild=0,
            **fields,
        )


def _bulk(model, objs: list, *, batch_size: int = BATCH) -> list:
    return model.objects.bulk_create(objs, batch_size=batch_size)


# --------------------------------------------------------------------------- people
AGE_TABLE_COMMUNITY = [((21, 30), 6), ((31, 35), 5), ((36, 40), 6), ((41, 45), 7), ((46, 50), 9), ((51, 55), 11),
                       ((56, 60), 12), ((61, 75), 29), ((76, 92), 15)]  # fmt: skip
EDU_OLD = [(Education.JUNIOR_OR_BELOW, 75), (Education.HIGH_SCHOOL, 15), (Education.SECONDARY_VOCATIONAL, 7), (Education.COLLEGE, 3)]  # fmt: skip
EDU_MID = [(Education.JUNIOR_OR_BELOW, 50), (Education.HIGH_SCHOOL, 25), (Education.SECONDARY_VOCATIONAL, 10),
           (Education.COLLEGE, 10), (Education.BACHELOR, 5)]  # fmt: skip
EDU_YOUNG = [(Education.JUNIOR_OR_BELOW, 15), (Education.HIGH_SCHOOL, 20), (Education.SECONDARY_VOCATIONAL, 15),
             (Education.COLLEGE, 30), (Education.BACHELOR, 19), (Education.POSTGRADUATE, 1)]  # fmt: skip
EDU_ORGAN = [(Education.SECONDARY_VOCATIONAL, 5), (Education.COLLEGE, 25), (Education.BACHELOR, 65), (Education.POSTGRADUATE, 5)]  # fmt: skip
ETHNICITY = [("汉族", 975), ("回族", 20), ("藏族", 2), ("东乡族", 2), ("满族", 1)]
OCC_OLD = [(Occupation.RETIRED, 35), (Occupation.FARMER, 60), (Occupation.OTHER, 5)]
OCC_WORKING = [(Occupation.FARMER, 45), (Occupation.WORKER, 25), (Occupation.PROFESSIONAL, 7), (Occupation.MANAGER, 5),
               (Occupation.OTHER, 18)]  # fmt: skip
JOBS = {
    Occupation.FARMER: ["务农", "种植户", "果农", "养殖户"],
    Occupation.WORKER: ["务工", "建筑工人", "企业职工"],
    Occupation.PROFESSIONAL: ["乡村医生", "小学教师", "农技员"],
    Occupation.MANAGER: ["合作社负责人", "企业管理人员"],
    Occupation.OTHER: ["个体经营", "社区网格员", "公益性岗位"],
    Occupation.RETIRED: ["退休"],
    Occupation.STUDENT: ["在读学生"],
    Occupation.CIVIL_SERVANT: ["镇党政办", "镇综治中心", "镇财政所", "镇农业农村办", "镇社会事务办", "镇党建办"],
}


def _dues_for(rng: random.Random, occupation: str, age: int) -> str:
    """党费类别 follows occupation (中组发〔2008〕3号, RULES.md §5)."""
    if occupation == Occupation.RETIRED:
        return DuesCategory.RETIRED
    if occupation == Occupation.FARMER:
        return DuesCategory.WELFARE if age >= 70 and rng.random() < 0.06 else DuesCategory.FARMER
    if occupation == Occupation.STUDENT:
        return DuesCategory.STUDENT
    if occupation == Occupation.OTHER:
        return weighted_pick(rng, [(DuesCategory.EMPLOYED, 6), (DuesCategory.FARMER, 3), (DuesCategory.UNEMPLOYED, 1)])
    return DuesCategory.EMPLOYED


def weighted_pick(rng, table):
    return N.weighted(rng, table)


def _birth_for_age(rng: random.Random, today: date, age: int) -> date:
    """A birth date giving exactly `age` full years on `today`."""
    latest = add_months(today, -12 * age)  # turned `age` on or before today
    return latest - timedelta(days=rng.randint(0, 364))


class _People:
    """Generates members with unique, valid IDs and consistent dates."""

    def __init__(self, ctx: DemoContext, rng: random.Random):
        self.ctx = ctx
        self.rng = rng
        self.today = ctx.today
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(ctx.seed)
        self.used_ids: set[str] = set()

    def person(self, *, organ: bool) -> dict:
        rng = self.rng
        if organ:
            age = rng.randint(61, 72) if rng.random() < 0.15 else rng.randint(24, 58)
            female = rng.random() < 0.32
        else:
            lo, hi = weighted_pick(rng, AGE_TABLE_COMMUNITY)
            age = rng.randint(lo, hi)
            female = rng.random() < 0.25
        sex = Sex.FEMALE if female else Sex.MALE
        name = self.fake.name_female() if female else self.fake.name_male()
        birth = _birth_for_age(rng, self.today, age)
        area = N.HOME_AREA_CODE if rng.random() < 0.78 else rng.choice(N.NEIGHBOUR_AREA_CODES)
        while True:
            seq = rng.randrange(0, 999)
            if (seq % 2 == 1) != (sex == Sex.MALE):
                seq += 1 if seq < 998 else -1
            id_number = make_id(area, birth, seq)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                break
        if organ:
            education = weighted_pick(rng, EDU_ORGAN)
            occupation = Occupation.RETIRED if age >= 60 else Occupation.CIVIL_SERVANT
        else:
            education = weighted_pick(rng, EDU_OLD if age >= 61 else EDU_MID if age >= 41 else EDU_YOUNG)
            if age >= 60:
                occupation = weighted_pick(rng, OCC_OLD)
            elif age <= 23 and rng.random() < 0.5:
                occupation = Occupation.STUDENT
            else:
                occupation = weighted_pick(rng, OCC_WORKING)
        return {
            "name": name,
            "sex": sex,
            "age": age,
            "birth_date": birth,
            "id_number": id_number,
            "ethnicity": weighted_pick(rng, ETHNICITY),
            "education": education,
            "occupation": occupation,
        }

    def full_dates(self, p: dict) -> tuple[date, date]:
        """入党 and 转正 dates of a 正式党员: joined at 19–45, 转正 one year later (党章 Art. 7)."""
        rng = self.rng
        age = p["age"]
        latest_join = self.today - timedelta(days=400)
        join_age = min(max(19, round(rng.triangular(19, 45, 27))), age - 1)
        joined = add_months(p["birth_date"], 12 * join_age) + timedelta(days=rng.randint(0, 300))
        if joined > latest_join:
            joined = latest_join - timedelta(days=rng.randint(0, 200))
        earliest_join = add_months(p["birth_date"], 12 * 18) + timedelta(days=1)
        if joined < earliest_join:  # only possible for the very young: keep age ≥ 18 at 入党
            joined = earliest_join
        return joined, probation_end(joined)

    def probationary_joined(self) -> date:
        """入党 within the last year, so some are due for 转正 in the coming months."""
        return self.today - timedelta(days=self.rng.randint(15, 355))


# --------------------------------------------------------------------------- the step
def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("township")
    today = ctx.today
    tree = _Tree()
    people = _People(ctx, rng)
    password_hash = make_password(ctx.password)

    # ---- plans
    n_townships = SCALES[ctx.scale]
    taken: set[str] = set(N.DEMO_COMMUNITIES) | {N.DEMO_TOWNSHIP[:-1]}
    plans = [_tiny_plan(rng) if ctx.scale == "tiny" else _demo_plan(rng)]
    town_names = N.place_names(rng, n_townships - 1, taken=taken)
    for tn in town_names:
        plans.append(_generated_plan(rng, tn + rng.choice(["镇", "镇", "镇", "乡"]), taken))
    for p in plans:
        _add_previous_year(rng, p)
    ctx.say(f"规划完成：{len(plans)} 个乡镇，{sum(len(p.branches) for p in plans)} 个党支部，"
            f"{sum(b.size for p in plans for b in p.branches):,} 名党员")  # fmt: skip

    # ---- the whole tree in memory first, so every numchild is final before its insert
    founded_top = date(1950, 1, 1)
    if ctx.scale == "city":
        root = tree.root(name=f"中共{N.CITY_NAME}委员会", short_name=f"{N.CITY_NAME}委", org_type=OrgType.HIGHER,
                         category=OrgCategory.ORGAN, founded_on=founded_top)  # fmt: skip
        district_names = [N.DISTRICT_NAME] + [n + "区" for n in N.place_names(rng, 9, taken=taken)]
        districts = [tree.child(root, name=f"中共{N.CITY_NAME}{d}委员会", short_name=f"{d}委", org_type=OrgType.HIGHER,
                                category=OrgCategory.ORGAN, founded_on=founded_top) for d in district_names]  # fmt: skip
        parents = [districts[i * len(districts) // len(plans)] for i in range(len(plans))]
    else:
        root = tree.root(name=f"中共{N.DISTRICT_NAME}委员会", short_name="区委", org_type=OrgType.HIGHER,
                         category=OrgCategory.ORGAN, founded_on=founded_top, region=f"甘肃省{N.DISTRICT_NAME}")  # fmt: skip
        districts = []
        parents = [root] * len(plans)
    township_orgs = [
        tree.child(parent, name=f"中共{p.name}委员会", short_name=f"{p.name}党委", org_type=OrgType.COMMITTEE,
                   category=OrgCategory.ORGAN, founded_on=date(1956, 10, 1), region=f"甘肃省{N.DISTRICT_NAME}{p.name}")
        for parent, p in zip(parents, plans)
    ]  # fmt: skip
    branch_orgs: list[Organization] = []
    branch_plans: list[tuple[TownshipPlan, BranchPlan, int]] = []
    for ti, (t, p) in enumerate(zip(township_orgs, plans)):
        for bp in p.branches:
            branch_orgs.append(
                tree.child(t, name=bp.name, short_name=bp.short, org_type=OrgType.BRANCH, category=bp.category,
                           founded_on=bp.founded, region=f"甘肃省{N.DISTRICT_NAME}{p.name}")
            )  # fmt: skip
            branch_plans.append((p, bp, ti))
    group_orgs: list[Organization] = []
    groups_of_branch: list[list[Organization]] = []
    for b, (_p, bp, _ti) in zip(branch_orgs, branch_plans):
        n_groups = max(2, round(bp.size / 14)) if bp.size >= GROUP_MIN_BRANCH_SIZE else 0
        gs = [
            tree.child(b, name=f"{bp.short}第{N.ordinal(g + 1)}党小组", short_name=f"第{N.ordinal(g + 1)}党小组",
                       org_type=OrgType.GROUP, category=bp.category, founded_on=max(bp.founded, date(1990, 1, 1)))
            for g in range(n_groups)
        ]  # fmt: skip
        groups_of_branch.append(gs)
        group_orgs.extend(gs)
    _bulk(Organization, [root, *districts, *township_orgs])
    ctx.district = root
    ctx.townships = township_orgs
    ctx.say(f"上级党委与 {len(township_orgs)} 个乡镇党委已建立")

    # ---- administrative units and their figures
    units_by_town: list[list[AdminUnit]] = []
    unit_objs, organ_units = [], []
    for t, p in zip(township_orgs, plans):
        row = [AdminUnit(township=t, name=u.name, kind=u.kind) for u in p.units]
        units_by_town.append(row)
        unit_objs.extend(row)
        organ_units.append(AdminUnit(township=t, name=f"{p.name}人民政府", kind=AdminUnit.Kind.ORGAN))
    _bulk(AdminUnit, unit_objs + organ_units)
    group_units, figures = [], []
    for t, p, row in zip(township_orgs, plans, units_by_town):
        for u, obj in zip(p.units, row):
            for gname in u.groups:
                group_units.append(
                    AdminUnit(township=t, parent=obj, name=f"{u.name}{gname}", kind=AdminUnit.Kind.GROUP)
                )
    _bulk(AdminUnit, group_units)
    gi = 0
    for p in plans:
        for u in p.units:
            for g in range(len(u.groups)):
                unit = group_units[gi]
                gi += 1
                for year, rows in sorted(u.figures.items()):
                    hh, ppl, hhr, pplr = rows[g]
                    figures.append(UnitYearFigure(unit=unit, year=year, households_registered=hh, people_registered=ppl,
                                                  households_resident=hhr, people_resident=pplr))  # fmt: skip
    _bulk(UnitYearFigure, figures)
    ctx.say(f"社区（村）{len(unit_objs)} 个、居民（村民）小组 {len(group_units)} 个及户数人口已建立")

    # ---- branches (each linked to the community it serves) and 党小组
    for b, (_p, bp, ti) in zip(branch_orgs, branch_plans):
        b.unit = organ_units[ti] if bp.unit_index is None else units_by_town[ti][bp.unit_index]
    _bulk(Organization, branch_orgs)
    _bulk(Organization, group_orgs)
    ctx.branches = branch_orgs
    ctx.groups = group_orgs
    ctx.say(f"党支部 {len(branch_orgs)} 个、党小组 {len(group_orgs)} 个已建立")

    # ---- members
    members: list[Member] = []
    members_of_branch: list[list[Member]] = []
    for (p, bp, _ti), b in zip(branch_plans, branch_orgs):
        organ = bp.unit_index is None
        unit_name = "" if organ else p.units[bp.unit_index].name
        group_names = [] if organ else p.units[bp.unit_index].groups
        row = []
        for _ in range(bp.size):
            pr = people.person(organ=organ)
            m = Member(
                name=pr["name"],
                sex=pr["sex"],
                ethnicity=pr["ethnicity"],
                birth_date=pr["birth_date"],
                education=pr["education"],
                occupation=pr["occupation"],
                kind=MemberKind.FULL,
                branch=b,
                job=rng.choice(JOBS[pr["occupation"]]),
                native_place="甘肃天水" if pr["id_number"][:4] == "6205" else "甘肃",
                registered_residence=f"甘肃省{N.DISTRICT_NAME}{p.name}",
            )
            m._age = pr["age"]
            m.set_id_number(pr["id_number"])
            phone = "" if pr["age"] >= 80 and rng.random() < 0.25 else N.phone_number(rng)
            m.set_phone(phone)
            m.dues_category = _dues_for(rng, m.occupation, pr["age"])
            if organ:
                m.address = (
                    f"甘肃省{N.DISTRICT_NAME}{p.name}{rng.choice(['镇区', '东街', '西街'])}{rng.randint(1, 200)}号"
                )
            else:
                m.address = f"{p.name}{unit_name}{rng.choice(group_names)}{rng.randint(1, 160)}号"
            m.current_residence = m.address
            m.name_pinyin, m.name_initials = N.name_pinyin(m.name)
            row.append(m)
        members_of_branch.append(row)
        members.extend(row)

    # 党小组 membership: shuffle each branch into its groups.
    for row, gs in zip(members_of_branch, groups_of_branch):
        if not gs:
            continue
        order = list(range(len(row)))
        rng.shuffle(order)
        for k, idx in enumerate(order):
            row[idx].group = gs[k % len(gs)]

    # Per township: 预备党员 (~4%, young), 流动党员 (~10%, workers who left), a couple 失联.
    by_town: dict[int, list[Member]] = {}
    for (_p, _bp, ti), row in zip(branch_plans, members_of_branch):
        by_town.setdefault(ti, []).extend(row)
    for town_members in by_town.values():
        n = len(town_members)
        young = [m for m in town_members if 20 <= m._age <= 45]
        for m in rng.sample(young, min(len(young), max(2, round(n * 0.04)))):
            m.kind = MemberKind.PROBATIONARY
        eligible = [m for m in town_members if 22 <= m._age <= 56 and m.occupation != Occupation.CIVIL_SERVANT]
        mobile = rng.sample(eligible, min(len(eligible), max(2, round(n * 0.10))))
        for m in mobile:
            m.is_mobile = True
            m.is_migrant_worker = True
            if m.occupation not in (Occupation.STUDENT, Occupation.PROFESSIONAL):
                m.occupation = Occupation.WORKER
                m.job = rng.choice(["外出务工（建筑）", "外出务工（制造业）", "外出务工（餐饮）", "外出务工（运输）"])
                m.dues_category = DuesCategory.EMPLOYED
            m.mobile_destination = N.weighted(rng, N.DESTINATIONS)
            m.mobile_since = today - timedelta(days=rng.randint(120, 2200))
            m.current_residence = m.mobile_destination
            if rng.random() < 0.55:
                m.mobile_host_org = f"{m.mobile_destination}流动党员党支部"
            m.mobile_contact = "同联系电话" if m.phone_mask else "通过家属联系"
        for m in rng.sample(mobile, min(len(mobile), max(2, n // 700))):
            m.is_lost = True
            m.lost_on = today - timedelta(days=rng.randint(200, 900))
            m.mobile_contact = "已失去联系"
    for m in members:
        pr = {"age": m._age, "birth_date": m.birth_date}
        if m.kind == MemberKind.PROBATIONARY:
            m.joined_on, m.full_on = people.probationary_joined(), None
        else:
            m.joined_on, m.full_on = people.full_dates(pr)
        m.joined_org_on = m.joined_on
        m.joined_org_type = "发展"
    _bulk(Member, members, batch_size=1000)
    ctx.members_by_branch = {b.pk: row for b, row in zip(branch_orgs, members_of_branch)}
    ctx.say(f"党员 {len(members):,} 名已建立")

    events = []
    for m in members:
        events.append(
            MemberEvent(
                member=m, kind=MemberEvent.Kind.DEVELOPED, date=m.joined_on, note="支部大会通过，接收为预备党员"
            )
        )
        if m.full_on:
            events.append(MemberEvent(member=m, kind=MemberEvent.Kind.FULL, date=m.full_on, note="按期转为正式党员"))
        if m.is_mobile:
            events.append(
                MemberEvent(
                    member=m,
                    kind=MemberEvent.Kind.MOBILE_OUT,
                    date=m.mobile_since,
                    note=f"外出至{m.mobile_destination}",
                )
            )
        if m.is_lost:
            events.append(MemberEvent(member=m, kind=MemberEvent.Kind.LOST, date=m.lost_on, note="多次联系未果"))
    _bulk(MemberEvent, events)

    # ---- committees, posts and terms
    posts, terms = [], []
    ctx.committee_by_branch, ctx.secretary_by_branch = {}, {}
    for t in township_orgs:
        years = default_term_years(t.org_type, t.category)
        end = today + timedelta(days=rng.randint(400, years * 365 - 200))
        started = add_months(end, -12 * years)
        terms.append(Term(org=t, started_on=started, years=years, ends_on=term_end(started, years), note="第十五届"))
    for (_p, bp, _ti), b, row, gs in zip(branch_plans, branch_orgs, members_of_branch, groups_of_branch):
        years = default_term_years(b.org_type, b.category)
        if bp.term_state == "near":
            end = today + timedelta(days=rng.randint(20, 165))
        elif bp.term_state == "overdue":
            end = today - timedelta(days=rng.randint(15, 120))
        else:
            end = today + timedelta(days=rng.randint(200, years * 365 - 60))
        started = add_months(end, -12 * years)
        prev = add_months(started, -12 * years)
        terms.append(Term(org=b, started_on=prev, years=years, ends_on=term_end(prev, years), note="上一届"))
        terms.append(Term(org=b, started_on=started, years=years, ends_on=term_end(started, years)))
        available = [m for m in row if m.kind == MemberKind.FULL and not m.is_mobile and not m.is_lost]
        # Secretaries and committee members: experienced, mostly 40–65.
        available.sort(key=lambda m: abs(m._age - 52) + rng.random() * 12)
        if len(available) >= 7:  # 支委会 required with ≥ 7 正式党员 (支部工作条例 Art. 20)
            size = 3 if len(available) < 15 else rng.choice([3, 4, 5]) if len(available) < 30 else 5
            kinds = [Post.Kind.SECRETARY, Post.Kind.ORGANIZATION, Post.Kind.PROPAGANDA, Post.Kind.DISCIPLINE,
                     Post.Kind.DEPUTY][:size]  # fmt: skip
        else:
            kinds = [Post.Kind.SECRETARY]
        committee = available[: len(kinds)]
        for kind, m in zip(kinds, committee):
            posts.append(Post(org=b, member=m, kind=kind, started_on=started))
        if len(available) > len(kinds) and rng.random() < 0.35:  # the previous secretary, for history
            posts.append(Post(org=b, member=available[len(kinds)], kind=Post.Kind.SECRETARY, started_on=prev,
                              ended_on=started - timedelta(days=1)))  # fmt: skip
        ctx.committee_by_branch[b.pk] = committee
        ctx.secretary_by_branch[b.pk] = committee[0]
        taken_ids = {id(m) for m in committee}
        for g in gs:
            cands = [m for m in row if m.group is g and m.kind == MemberKind.FULL and not m.is_mobile
                     and not m.is_lost and id(m) not in taken_ids]  # fmt: skip
            if cands:
                leader = min(cands, key=lambda m: abs(m._age - 55))
                posts.append(Post(org=g, member=leader, kind=Post.Kind.GROUP_LEADER, started_on=started))
    _bulk(Post, posts)
    _bulk(Term, terms)
    ctx.say(f"职务 {len(posts):,} 条、任期 {len(terms):,} 条已建立")

    # ---- accounts (one password hash for all: the same demo password, and fast)
    users: list[User] = []

    def account(username, role, *, org=None, member=None, full_name=""):
        u = User(username=username, role=role, org=org, member=member, full_name=full_name or (member.name if member else ""),
                 password=password_hash, must_change_password=True)  # fmt: skip
        users.append(u)
        return u

    demo = township_orgs[0]
    fake = people.fake
    ctx.users["admin"] = account("admin", Role.ADMIN, org=demo, full_name=fake.name())
    ctx.users["inspector"] = account("ducha", Role.INSPECTOR, org=demo, full_name=fake.name())
    if ctx.scale in ("county", "city"):
        ctx.users["district_admin"] = account("district_admin", Role.ADMIN, org=root, full_name=fake.name())
    with_account: set[int] = set()
    for i, b in enumerate(branch_orgs):
        sec = ctx.secretary_by_branch[b.pk]
        ti = branch_plans[i][2]
        n_in_town = i - sum(len(p.branches) for p in plans[:ti]) + 1
        username = f"shuji{n_in_town:02d}" if ti == 0 else f"t{ti + 1:03d}shuji{n_in_town:02d}"
        ctx.users[f"secretary:{b.pk}"] = account(username, Role.SECRETARY, org=b, member=sec)
        with_account.add(id(sec))
    # a few 支委 accounts and member accounts in the demo township
    demo_branches = branch_orgs[: len(plans[0].branches)]
    k = 0
    for b in demo_branches[1:]:
        committee = ctx.committee_by_branch[b.pk]
        if len(committee) >= 2 and k < 5:
            k += 1
            ctx.users[f"committee:{b.pk}"] = account(f"zhiwei{k:02d}", Role.COMMITTEE, org=b, member=committee[1])
            with_account.add(id(committee[1]))
    k = 0
    for b in demo_branches[1:]:
        for m in ctx.members_by_branch[b.pk]:
            if id(m) not in with_account and not m.is_mobile:
                k += 1
                ctx.users[f"member:{m.pk}"] = account(f"dangyuan{k:02d}", Role.MEMBER, member=m)
                with_account.add(id(m))
                break
        if k >= 10:
            break
    _bulk(User, users)
    pw = ctx.password
    ctx.logins = [("镇党委管理员", "admin", pw), ("督查", "ducha", pw)]
    if "district_admin" in ctx.users:
        ctx.logins.insert(0, ("区委管理员", "district_admin", pw))
    sec_users = [ctx.users[f"secretary:{b.pk}"] for b in demo_branches[1:3]]
    ctx.logins += [(f"支部书记（{b.short_name}）", u.username, pw) for b, u in zip(demo_branches[1:3], sec_users)]
    ctx.logins.append(("党员", "dangyuan01", pw))
    ctx.say(f"账号 {len(users):,} 个已建立")

    # ---- audit: bulk writes bypass auditlog's signals (COMMON.md: log_bulk)
    all_orgs = [root, *districts, *township_orgs, *branch_orgs, *group_orgs]
    n = log_bulk(all_orgs, note="演示数据")
    n += log_bulk(members, note="演示数据")
    n += log_bulk(posts, note="演示数据")
    n += log_bulk(terms, note="演示数据")
    ctx.say(f"审计记录 {n:,} 条")

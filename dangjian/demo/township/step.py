"""The township step, in order: plan, tree, administrative units, branches and 党小组, members,
their events, committees and terms, accounts, audit. One random stream (ctx.rng_for("township"))
runs through the steps in this order, so the generated data is the same as ever."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.audit import log_bulk
from dangjian.demo import names as N
from dangjian.demo.context import SCALES, DemoContext
from dangjian.demo.township.people import JOBS, _dues_for, _People
from dangjian.demo.township.plans import (
    GROUP_MIN_BRANCH_SIZE,
    BranchPlan,
    TownshipPlan,
    _add_previous_year,
    _demo_plan,
    _generated_plan,
    _tiny_plan,
)
from dangjian.demo.township.tree import _bulk, _Tree
from dangjian.members.models import DuesCategory, Member, MemberEvent, MemberKind, Occupation
from dangjian.orgs.models import AdminUnit, Organization, OrgCategory, OrgType, Post, Term, UnitYearFigure
from dangjian.orgs.selectors import default_term_years
from dangjian.rules.dates import add_months
from dangjian.rules.terms import term_end


def _plan(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Plans of every township (the demo township first), a year of figures before FIGURE_YEAR."""
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
    w.plans, w.taken = plans, taken


def _organisations(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """The whole tree in memory first, so every numchild is final before its insert; the
    上级党委 and 乡镇党委 are written here, branches and 党小组 after their units."""
    tree, plans, taken = w.tree, w.plans, w.taken
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
    w.root, w.districts, w.township_orgs, w.branch_orgs, w.branch_plans, w.group_orgs, w.groups_of_branch = (
        root,
        districts,
        township_orgs,
        branch_orgs,
        branch_plans,
        group_orgs,
        groups_of_branch,
    )


def _units(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Administrative units (社区/村, 居民小组, the 人民政府) and their 户籍/常住 figures."""
    township_orgs, plans = w.township_orgs, w.plans
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
    w.units_by_town, w.organ_units = units_by_town, organ_units


def _branches(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Branches, each linked to the community it serves, and their 党小组."""
    branch_orgs, branch_plans, organ_units, units_by_town, group_orgs = (
        w.branch_orgs,
        w.branch_plans,
        w.organ_units,
        w.units_by_town,
        w.group_orgs,
    )
    for b, (_p, bp, ti) in zip(branch_orgs, branch_plans):
        b.unit = organ_units[ti] if bp.unit_index is None else units_by_town[ti][bp.unit_index]
    _bulk(Organization, branch_orgs)
    _bulk(Organization, group_orgs)
    ctx.branches = branch_orgs
    ctx.groups = group_orgs
    ctx.say(f"党支部 {len(branch_orgs)} 个、党小组 {len(group_orgs)} 个已建立")


def _members(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Members of every branch, their 党小组, 预备/流动/失联 members and 入党/转正 dates."""
    today, people, branch_plans, branch_orgs, groups_of_branch = (
        w.today,
        w.people,
        w.branch_plans,
        w.branch_orgs,
        w.groups_of_branch,
    )
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
    w.members, w.members_of_branch = members, members_of_branch


def _member_events(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Each member's 发展, 转正, 外出 and 失联 events."""
    members = w.members
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


def _committees(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Committees, posts and terms (上一届 and 本届); the secretaries and 党小组组长."""
    today, township_orgs, branch_plans, branch_orgs, members_of_branch, groups_of_branch = (
        w.today,
        w.township_orgs,
        w.branch_plans,
        w.branch_orgs,
        w.members_of_branch,
        w.groups_of_branch,
    )
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
    w.posts, w.terms = posts, terms


def _accounts(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Accounts (one password hash for all: the same demo password, and fast) and the logins shown."""
    password_hash, people, root, township_orgs, branch_orgs, branch_plans, plans = (
        w.password_hash,
        w.people,
        w.root,
        w.township_orgs,
        w.branch_orgs,
        w.branch_plans,
        w.plans,
    )
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


def _audit(ctx: DemoContext, rng: random.Random, w: _Township) -> None:
    """Audit entries: bulk writes bypass auditlog's signals (core.audit.log_bulk)."""
    root, districts, township_orgs, branch_orgs, group_orgs, members, posts, terms = (
        w.root,
        w.districts,
        w.township_orgs,
        w.branch_orgs,
        w.group_orgs,
        w.members,
        w.posts,
        w.terms,
    )
    all_orgs = [root, *districts, *township_orgs, *branch_orgs, *group_orgs]
    n = log_bulk(all_orgs, note="演示数据")
    n += log_bulk(members, note="演示数据")
    n += log_bulk(posts, note="演示数据")
    n += log_bulk(terms, note="演示数据")
    ctx.say(f"审计记录 {n:,} 条")


@dataclass
class _Township:
    """What one step hands to the next (filled in step by step)."""

    today: date
    tree: _Tree
    people: _People
    password_hash: str
    plans: list[TownshipPlan] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    root: Organization | None = None
    districts: list[Organization] = field(default_factory=list)
    township_orgs: list[Organization] = field(default_factory=list)
    branch_orgs: list[Organization] = field(default_factory=list)
    branch_plans: list[tuple[TownshipPlan, BranchPlan, int]] = field(default_factory=list)
    group_orgs: list[Organization] = field(default_factory=list)
    groups_of_branch: list[list[Organization]] = field(default_factory=list)
    units_by_town: list[list[AdminUnit]] = field(default_factory=list)
    organ_units: list[AdminUnit] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    members_of_branch: list[list[Member]] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)


STEPS = [_plan, _organisations, _units, _branches, _members, _member_events, _committees, _accounts, _audit]


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("township")
    w = _Township(today=ctx.today, tree=_Tree(), people=_People(ctx, rng), password_hash=make_password(ctx.password))
    for step in STEPS:
        step(ctx, rng, w)

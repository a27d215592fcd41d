"""Demo data of the member lifecycle (runs right after dangjian.demo.township).

Per township: 发展党员 cases at every stage (with their steps) and the cases behind the
预备党员 the township step created (due for 转正 in the coming months); 转正 decisions for
members who became 正式党员 in the past year; a few transfers out (with letters), one
within the township and three in; a contact log for every 流动党员 (some overdue); a death.
Deterministic (ctx.rng_for), bulk inserts, audited with log_bulk.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dangjian.core import crypto
from dangjian.core.audit import log_bulk
from dangjian.core.pinyin import full_pinyin, initials
from dangjian.demo.context import DemoContext
from dangjian.lifecycle.models import (
    DevelopmentCase,
    DevelopmentStep,
    MobileContact,
    ProbationDecision,
    Stage,
    Transfer,
)
from dangjian.members.models import Education, Member, MemberEvent, MemberKind, id_mask
from dangjian.rules.dates import add_months
from dangjian.rules.idcard import make_id

K = DevelopmentStep.Kind
BATCH = 1000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ["建军", "海燕", "晓东", "丽娟", "志强", "雪梅", "文博", "国庆", "静怡", "子涵", "浩然", "佳琪", "明辉", "春花"]
DESTINATIONS_OUT = ["中共兰州市城关区某街道工作委员会", "中共新疆昌吉州某镇委员会", "中共天水市某区某社区委员会"]
DESTINATIONS_IN = ["中共定西市某镇委员会", "中共陕西省宝鸡市某街道工作委员会", "中共武威市某乡委员会"]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _clamp(d: date, today: date) -> date:
    return min(d, today)


def _protected(ctx: DemoContext) -> set[int]:
    """Members who must stay put: committee members, secretaries, anyone with an account."""
    keep = {m.pk for ms in ctx.committee_by_branch.values() for m in ms}
    keep |= {m.pk for m in ctx.secretary_by_branch.values() if m is not None}
    keep |= {u.member_id for u in ctx.users.values() if getattr(u, "member_id", None)}
    return keep


def _introducers(rng, members: list[Member], on: date) -> tuple[Member | None, Member | None]:
    full = [m for m in members if m.kind == MemberKind.FULL and m.full_on and m.full_on <= on and m.is_current]
    if len(full) < 2:
        return None, None
    a, b = rng.sample(full, 2)
    return a, b


class _Builder:
    def __init__(self, ctx: DemoContext, rng):
        self.ctx, self.rng, self.today = ctx, rng, ctx.today
        self.cases: list[DevelopmentCase] = []
        self.steps: list[tuple[DevelopmentCase, DevelopmentStep]] = []
        self.seq = 0

    def step(self, case, kind, on, decision="", responsible="", documents=""):
        self.steps.append(
            (case, DevelopmentStep(kind=kind, date=on, decision=decision, responsible=responsible, documents=documents))
        )

    def case(self, branch, members, stage: str, *, person: Member | None = None, joined: date | None = None):
        rng, today = self.rng, self.today
        if person is not None:  # the history behind a 预备党员 the township step created
            vote_on = joined
            candidate_on = add_months(vote_on, -rng.randint(3, 6))
            activist_on = add_months(candidate_on, -rng.randint(12, 18))
            applied_on = add_months(activist_on, -rng.randint(2, 8))
            name, sex, birth = person.name, person.sex, person.birth_date
        else:
            self.seq += 1
            age = rng.randint(19, 40)
            birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            name, sex = _name(rng), rng.choice(["男", "女"])
            # how far along: later stages started earlier
            months_back = {Stage.APPLICANT: rng.randint(0, 5), Stage.ACTIVIST: rng.randint(6, 22),
                           Stage.CANDIDATE: rng.randint(16, 26), Stage.CLOSED: rng.randint(10, 30)}[stage]  # fmt: skip
            applied_on = today - timedelta(days=months_back * 30 + rng.randint(0, 25))
            activist_on = add_months(applied_on, rng.randint(2, 4))
            candidate_on = add_months(activist_on, rng.randint(12, 14))
            vote_on = None
        case = DevelopmentCase(
            branch=branch,
            name=name,
            sex=sex,
            birth_date=birth,
            education=rng.choice([Education.HIGH_SCHOOL, Education.COLLEGE, Education.BACHELOR]),
            job=rng.choice(["务农", "个体经营", "村（社区）干部", "合作社职工", "教师"]),
            applied_on=applied_on,
            stage=stage,
        )
        if person is not None:
            case.id_number_enc, case.id_number_mask = person.id_number_enc, person.id_number_mask
            case.member = person
        else:
            number = make_id("620121", birth, (self.seq * 2 + (1 if sex == "男" else 0)) % 1000)
            case.id_number_enc, case.id_number_mask = crypto.encrypt(number), id_mask(number)
        self.cases.append(case)
        secretary = self.ctx.secretary_by_branch.get(branch.pk)
        sec_name = secretary.name if secretary else ""
        self.step(case, K.APPLY, applied_on, "受理入党申请", sec_name, "入党申请书")
        talk_on = applied_on + timedelta(days=rng.randint(5, 40))  # now and then late: a soft warning
        if talk_on > today:
            return case
        case.talk_on = talk_on
        self.step(case, K.TALK, talk_on, "已谈话，了解入党动机", sec_name, "谈话记录")
        if stage == Stage.APPLICANT or activist_on > today:
            case.stage = Stage.APPLICANT if stage != Stage.CLOSED else stage
            return case
        contacts = [m for m in members if m.kind == MemberKind.FULL][:2]
        case.activist_on, case.contacts = activist_on, "、".join(m.name for m in contacts)
        self.step(case, K.ACTIVIST, activist_on, "支委会研究确定，报镇党委备案", case.contacts, "推荐材料、备案表")
        review = add_months(activist_on, 6)
        until = candidate_on if stage != Stage.ACTIVIST else today
        while review <= until:
            self.step(case, K.REVIEW, review, "考察合格", case.contacts, "培养教育考察登记表")
            review = add_months(review, 6)
        if stage == Stage.CLOSED:
            case.closed_reason = "本人工作调动离开本地，转由新单位党组织培养"
            self.step(case, K.CLOSE, _clamp(add_months(activist_on, 4), today), case.closed_reason, sec_name)
            return case
        if stage == Stage.ACTIVIST or candidate_on > today:
            case.stage = Stage.ACTIVIST
            return case
        i1, i2 = _introducers(rng, members, candidate_on)
        case.candidate_on, case.introducer_1, case.introducer_2 = candidate_on, i1, i2
        self.step(case, K.CANDIDATE, candidate_on, "支部大会/支委会研究确定", f"{i1 or ''}、{i2 or ''}", "公示材料")
        pr = candidate_on + timedelta(days=rng.randint(10, 40))
        if pr <= today:
            case.political_review_on = pr
            self.step(case, K.POLITICAL_REVIEW, pr, "政审合格", sec_name, "政治审查报告")
        tr = candidate_on + timedelta(days=rng.randint(20, 60))
        if tr <= today:
            case.training_days, case.training_hours = Decimal("3"), Decimal("24")
            self.step(case, K.TRAINING, tr, "结业", "镇党校", "培训结业证书")
        if person is None:
            case.stage = Stage.CANDIDATE
            return case
        entitled = max(3, sum(1 for m in members if m.kind == MemberKind.FULL))
        agree = max(entitled // 2 + 1, entitled - rng.randint(0, 2))
        present = min(entitled, agree + rng.randint(0, 1))
        case.vote_on, case.vote_agree, case.vote_entitled, case.vote_present = vote_on, agree, entitled, present
        text = f"应到{entitled}名、实到{present}名、赞成{agree}票，同意接收"
        self.step(case, K.VOTE, vote_on, text, sec_name, "入党志愿书")
        approved = _clamp(vote_on + timedelta(days=rng.randint(15, 75)), today)
        case.approved_on, case.stage = approved, Stage.PROBATIONARY
        self.step(case, K.APPROVAL, approved, "批准接收为预备党员", "镇党委", "党委审批意见")
        return case


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("lifecycle")
    today = ctx.today
    keep = _protected(ctx)
    b = _Builder(ctx, rng)
    branches = [br for br in ctx.branches if ctx.members_by_branch.get(br.pk)]

    # --- 发展党员: every stage somewhere, and the history of each 预备党员.
    for i, branch in enumerate(branches):
        members = ctx.members_by_branch[branch.pk]
        stages = [Stage.APPLICANT] * rng.randint(0, 2) + [Stage.ACTIVIST] * rng.randint(0, 2)
        stages += [Stage.CANDIDATE] * rng.randint(0, 1)
        if i < 3:  # the first branches have one of each, so every stage is on show
            stages += [Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE]
        if i == 0:
            stages.append(Stage.CLOSED)
        for stage in stages:
            b.case(branch, members, stage)
        for m in members:
            if m.kind == MemberKind.PROBATIONARY and m.is_current:
                b.case(branch, members, Stage.PROBATIONARY, person=m, joined=m.joined_on)
    DevelopmentCase.objects.bulk_create(b.cases, batch_size=BATCH)
    steps = []
    for case, s in b.steps:
        s.case = case
        steps.append(s)
    DevelopmentStep.objects.bulk_create(steps, batch_size=BATCH)

    # --- 转正 decisions for members who became 正式党员 within the past year.
    decisions = []
    for m in ctx.all_members():
        if m.kind == MemberKind.FULL and m.full_on and today - timedelta(days=365) <= m.full_on <= today:
            vote_on = _clamp(m.full_on + timedelta(days=rng.randint(0, 20)), today)
            full = sum(1 for x in ctx.members_by_branch[m.branch_id] if x.kind == MemberKind.FULL)
            decisions.append(
                ProbationDecision(
                    member=m, outcome=ProbationDecision.Outcome.FULL, due_on=m.full_on, vote_on=vote_on,
                    vote_agree=max(1, full - rng.randint(0, 2)), vote_entitled=max(1, full), vote_present=max(1, full),
                    approved_on=_clamp(vote_on + timedelta(days=rng.randint(10, 60)), today),
                    effective_on=m.full_on, note="按期转正",
                )
            )  # fmt: skip
    ProbationDecision.objects.bulk_create(decisions, batch_size=BATCH)

    # --- transfers, a death, per township.
    events: list[MemberEvent] = []
    changed: list[Member] = []
    transfers: list[Transfer] = []
    new_members: list[tuple[Member, object]] = []
    letter_no: dict[tuple[int, int], int] = {}
    for t_index, township in enumerate(ctx.townships):
        town_branches = [br for br in branches if br.path.startswith(township.path)]
        if len(town_branches) < 2:
            continue
        candidates = [
            m
            for br in town_branches
            for m in ctx.members_by_branch[br.pk]
            if m.pk not in keep and m.is_current and not m.is_mobile and not m.is_lost
            and m.kind == MemberKind.FULL and not hasattr(m, "_lifecycle_taken")
        ]  # fmt: skip
        if len(candidates) < 6:
            continue
        picked = rng.sample(candidates, 3)
        # and the oldest of the others dies (a death to show; stays on record)
        picked.append(min((x for x in candidates if x not in picked), key=lambda x: (x.birth_date, x.pk)))
        for m in picked:
            m._lifecycle_taken = True

        def letter(on: date, _town=township) -> tuple[int, int]:
            key = (_town.pk, on.year)
            letter_no[key] = letter_no.get(key, 0) + 1
            return on.year, letter_no[key]

        # two out beyond the township: leave current counts, stay on record
        for m, days in zip(picked[:2], (rng.randint(20, 120), rng.randint(150, 300))):
            on = today - timedelta(days=days)
            year, no = letter(on)
            t = Transfer(member=m, direction=Transfer.Direction.OUT, reach=Transfer.Reach.BEYOND, branch=m.branch,
                         other_org=rng.choice(DESTINATIONS_OUT), date=on, letter_year=year, letter_no=no,
                         valid_days=30, dues_paid_to=f"{on.year}年{on.month}月", reason="外出定居，转移组织关系")  # fmt: skip
            transfers.append(t)
            m.is_current, m.left_on, m.left_reason = False, on, "转出"
            changed.append(m)
            events.append(MemberEvent(member=m, kind=MemberEvent.Kind.TRANSFER_OUT, date=on,
                                      note=f"转往{t.other_org}（〔{year}〕第{no:03d}号）"))  # fmt: skip
            ctx.members_by_branch[m.branch_id].remove(m)
        # one within the township: moves branch
        m = picked[2]
        target = next(br for br in town_branches if br.pk != m.branch_id)
        on = today - timedelta(days=rng.randint(30, 200))
        year, no = letter(on)
        source = m.branch
        transfers.append(
            Transfer(
                member=m,
                direction=Transfer.Direction.OUT,
                reach=Transfer.Reach.TOWNSHIP,
                branch=source,
                to_branch=target,
                other_org=target.name,
                date=on,
                letter_year=year,
                letter_no=no,
                valid_days=30,
                dues_paid_to=f"{on.year}年{on.month}月",
                reason="居住地变更",
            )  # fmt: skip
        )
        ctx.members_by_branch[source.pk].remove(m)
        ctx.members_by_branch[target.pk].append(m)
        m.branch, m.branch_id, m.group = target, target.pk, None
        m.joined_org_on, m.joined_org_type = on, "本镇内转入"
        changed.append(m)
        events.append(
            MemberEvent(
                member=m, kind=MemberEvent.Kind.TRANSFER_OUT, date=on, note=f"由{source.name}转出至{target.name}"
            )
        )
        events.append(
            MemberEvent(member=m, kind=MemberEvent.Kind.TRANSFER_IN, date=on, note=f"由{source.name}转入{target.name}")
        )
        m = picked[3]
        on = today - timedelta(days=rng.randint(10, 90))
        m.is_current, m.left_on, m.left_reason = False, on, "死亡"
        changed.append(m)
        events.append(MemberEvent(member=m, kind=MemberEvent.Kind.DIED, date=on, note="因病去世"))
        ctx.members_by_branch[m.branch_id].remove(m)
        # three in from outside (new records), so the township's current count stays as in
        # the report (two out, one death, three in)
        for k in range(3):
            branch = town_branches[(k * 7 + t_index) % len(town_branches)]
            age = rng.randint(26, 50)
            birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
            sex = rng.choice(["男", "女"])
            joined = date(birth.year + rng.randint(20, 25), rng.choice([1, 7, 10]), 1)
            on = today - timedelta(days=rng.randint(15, 250))
            nm = Member(name=_name(rng), sex=sex, birth_date=birth, education=Education.COLLEGE,
                        kind=MemberKind.FULL, branch=branch, joined_on=joined, full_on=add_months(joined, 12),
                        job="个体经营", joined_org_on=on, joined_org_type="转入")  # fmt: skip
            nm.set_id_number(make_id("110105", birth, (t_index * 40 + k * 2 + (1 if sex == "男" else 0)) % 1000))
            nm.set_phone(f"139{rng.randint(10000000, 99999999)}")
            nm.name_pinyin, nm.name_initials = full_pinyin(nm.name), initials(nm.name)
            new_members.append((nm, (on, rng.choice(DESTINATIONS_IN))))
    if changed:
        Member.objects.bulk_update(
            changed,
            ["is_current", "left_on", "left_reason", "branch", "group", "joined_org_on", "joined_org_type"],
            batch_size=BATCH,
        )
        log_bulk(changed, action="update", note="演示数据：组织关系转接、死亡")
    if new_members:
        Member.objects.bulk_create([nm for nm, _ in new_members], batch_size=BATCH)
        log_bulk([nm for nm, _ in new_members], note="演示数据：转入党员")
        for nm, (on, origin) in new_members:
            transfers.append(Transfer(member=nm, direction=Transfer.Direction.IN, reach=Transfer.Reach.BEYOND,
                                      branch=nm.branch, other_org=origin, date=on, received_letter=f"〔{on.year}〕第{rng.randint(10, 90)}号",
                                      reason="回乡创业，转入组织关系"))  # fmt: skip
            events.append(MemberEvent(member=nm, kind=MemberEvent.Kind.TRANSFER_IN, date=on, note=f"由{origin}转入"))
            ctx.members_by_branch[nm.branch_id].append(nm)
    Transfer.objects.bulk_create(transfers, batch_size=BATCH)

    # --- contact log of each 流动党员; about one in six not contacted for over six months.
    contacts = []
    methods = [
        MobileContact.Method.PHONE,
        MobileContact.Method.WECHAT,
        MobileContact.Method.VISIT,
        MobileContact.Method.HOST,
    ]
    for m in ctx.all_members():
        if not (m.is_mobile and m.is_current and m.mobile_since):
            continue
        stop = today
        if m.is_lost and m.lost_on:
            stop = m.lost_on - timedelta(days=30)
        elif rng.random() < 0.17:
            stop = today - timedelta(days=rng.randint(200, 400))  # overdue
        d = m.mobile_since + timedelta(days=rng.randint(20, 90))
        while d <= stop:
            contacts.append(
                MobileContact(
                    member=m,
                    date=d,
                    method=rng.choice(methods),
                    content=rng.choice(
                        [
                            "在外务工，情况良好",
                            "已在流入地参加组织生活",
                            "已按时交纳党费",
                            "春节回乡，参加支部主题党日",
                            "提醒按时参加学习",
                        ]
                    ),
                    contact_person=(ctx.secretary_by_branch.get(m.branch_id) or m).name,
                )  # fmt: skip
            )
            d += timedelta(days=rng.randint(60, 170))
    MobileContact.objects.bulk_create(contacts, batch_size=BATCH)

    MemberEvent.objects.bulk_create(events, batch_size=BATCH)
    for objs, note in ((b.cases, "发展党员档案"), (steps, "发展步骤"), (decisions, "转正决定"), (transfers, "组织关系转接"),
                       (contacts, "流动党员联系记录"), (events, "党员事项")):  # fmt: skip
        log_bulk(objs, note=f"演示数据：{note}")
    ctx.say(f"发展党员档案 {len(b.cases)} 份，转接 {len(transfers)} 件，流动党员联系记录 {len(contacts)} 条")

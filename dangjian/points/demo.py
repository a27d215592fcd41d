"""Demo 党员量化积分: the township's rule set for each year (the default of rules.points),
manual items (志愿服务, 荣誉表彰, 先锋作用, a few deductions) in the branches that apply
points management, proposed by a committee member and approved by the secretary (a few
still waiting), and past years confirmed. One branch in five never applied points
management, so 积分管理覆盖率 stays below 100% (the report's finding). Derived points
(attendance, dues, study) are not generated: they are computed from those records."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.points.models import BranchPointsYear, ManualPoint, PointRule, PointRuleSet
from dangjian.rules.points import DEFAULT_RULESET

BATCH = 5000
ITEMS = {
    "volunteer": [
        "参加社区环境卫生整治志愿服务",
        "参加疫情防控志愿值守",
        "为独居老人送餐",
        "参加防汛巡查",
        "协助开展人口普查入户登记",
    ],
    "honor": ["获评镇级优秀共产党员", "获评县级道德模范", "获评“最美家庭”"],
    "pioneer": ["带头调解邻里纠纷", "带动群众发展花椒种植", "党员先锋岗践诺成效突出"],
    "violation": ["受到党内警告处分"],
}
EVIDENCE = {
    "volunteer": "社区志愿服务签到表及照片",
    "honor": "表彰文件",
    "pioneer": "支委会会议记录",
    "violation": "纪委处分决定",
}


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("points")
    today = ctx.today
    years = list(range(ctx.start.year, today.year + 1))
    rulesets = [PointRuleSet(org=t, year=y, updated_by=ctx.users.get("admin")) for t in ctx.townships for y in years]
    PointRuleSet.objects.bulk_create(rulesets, batch_size=BATCH)
    PointRule.objects.bulk_create(
        [
            PointRule(
                ruleset=rs,
                code=i.code,
                label=i.label,
                points=i.points,
                cap_per_year=i.cap_per_year,
                source=i.source,
                per=i.per,
                basis=i.basis,
                is_base=i.is_base,
                position=n,
            )
            for rs in rulesets
            for n, i in enumerate(DEFAULT_RULESET)
        ],
        batch_size=BATCH,
    )
    admin = ctx.users.get("admin")
    manual, confirmed = [], []
    for n, b in enumerate(ctx.branches):
        if n % 5 == 3:
            continue  # one branch in five never applied points management (never the first)
        sec = ctx.users.get(f"secretary:{b.pk}") or admin
        com = ctx.users.get(f"committee:{b.pk}")
        proposer, approver = (com, sec) if com else (sec, admin)
        if proposer is None or approver is None or proposer == approver:
            continue
        members = [m for m in ctx.members_by_branch.get(b.pk, []) if m.is_current]
        for y in years:
            for m in rng.sample(members, k=min(len(members), rng.randint(3, 10))):
                code = rng.choices(["volunteer", "honor", "pioneer", "violation"], weights=[70, 8, 20, 2])[0]
                d = date(y, rng.randint(1, 12), rng.randint(1, 28))
                if d > today or d < m.joined_on:
                    continue
                pending = (today - d).days < 30 and rng.random() < 0.6
                manual.append(
                    ManualPoint(
                        member=m,
                        year=y,
                        code=code,
                        date=d,
                        description=rng.choice(ITEMS[code]),
                        evidence=EVIDENCE[code],
                        status=ManualPoint.Status.PENDING if pending else ManualPoint.Status.APPROVED,
                        proposed_by=proposer,
                        decided_by=None if pending else approver,
                        decided_at=None
                        if pending
                        else timezone.make_aware(datetime.combine(min(today, d.replace(day=28)), time(10))),
                    )
                )
            if y < today.year:
                confirmed.append(BranchPointsYear(branch=b, year=y, confirmed_by=sec, note="支委会研究确认"))
    ManualPoint.objects.bulk_create(manual, batch_size=BATCH)
    BranchPointsYear.objects.bulk_create(confirmed, batch_size=BATCH)
    log_bulk(rulesets, note="演示数据")
    log_bulk(manual, note="演示数据")
    log_bulk(confirmed, note="演示数据")
    ctx.say(f"积分规则 {len(rulesets)} 套，手工积分 {len(manual):,} 条，支部年度确认 {len(confirmed)} 条")

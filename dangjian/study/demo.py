"""Demo 学习 from ctx.start to ctx.today: branch 集中学习 about every other month, 主题教育 and
警示教育 each year, a township 专题培训 each year and some 自学. Together with the 党课
meetings of the meetings demo (counted automatically), most members reach the 32 学时 of
2019《党员教育管理工作条例》, members who rarely attend fall short. Bulk inserts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.study.models import StudyActivity, StudyKind, StudyRecord

BATCH = 5000
TOPICS = {
    StudyKind.CENTRAL: [
        "学习党的二十大报告",
        "学习《中国共产党章程》",
        "学习“三抓三促”行动部署",
        "学习新修订的《中国共产党纪律处分条例》",
        "学习习近平总书记考察甘肃重要讲话精神",
        "学习乡村振兴政策文件",
    ],
    StudyKind.THEME: ["学习贯彻习近平新时代中国特色社会主义思想主题教育", "党纪学习教育"],
    StudyKind.WARNING: ["观看警示教育片", "典型案例警示教育"],
    StudyKind.TRAINING: ["镇党委党员冬训", "基层党务工作专题培训"],
    StudyKind.SELF: ["自学《习近平谈治国理政》", "自学党史学习读本"],
}


def _rates() -> dict[int, float]:
    from dangjian.meetings.models import Attendance

    rows = Attendance.objects.values("member_id").annotate(
        ok=Count("id", filter=Q(status=Attendance.Status.PRESENT) | Q(attended_elsewhere=True)), n=Count("id")
    )
    return {r["member_id"]: r["ok"] / r["n"] for r in rows if r["n"]}


def load(ctx: DemoContext) -> None:
    rng = ctx.rng_for("study")
    today = ctx.today
    rates = _rates()
    plan: list[tuple[StudyActivity, list]] = []

    def add(org, kind, d, hours, members, p_scale=1.0):
        if d > today or not members:
            return
        a = StudyActivity(org=org, kind=kind, date=d, hours=Decimal(hours), topic=rng.choice(TOPICS[kind]))
        who = [m for m in members if m.joined_on <= d and rng.random() < min(0.98, rates.get(m.pk, 0.85) * p_scale)]
        plan.append((a, who))

    for year in range(ctx.start.year, today.year + 1):
        for b in ctx.branches:
            members = [
                m for m in ctx.members_by_branch.get(b.pk, []) if m.is_current or (m.left_on and m.left_on.year >= year)
            ]
            for month in (2, 4, 6, 8, 10, 12):
                add(b, StudyKind.CENTRAL, date(year, month, rng.randint(5, 25)), "2", members)
            add(b, StudyKind.THEME, date(year, rng.choice([5, 9]), rng.randint(1, 28)), "3", members)
            add(b, StudyKind.WARNING, date(year, 11, rng.randint(1, 28)), "2", members)
            if rng.random() < 0.5:
                add(b, StudyKind.SELF, date(year, 7, rng.randint(1, 28)), "4", members, 0.6)
        for t in ctx.townships:
            pool = [m for b in ctx.branches if b.path.startswith(t.path) for m in ctx.members_by_branch.get(b.pk, [])]
            add(t, StudyKind.TRAINING, date(year, 1, rng.randint(10, 25)), "12", pool, 0.9)

    acts = [a for a, _ in plan]
    StudyActivity.objects.bulk_create(acts, batch_size=BATCH)
    records = [StudyRecord(activity=a, member=m, hours=a.hours) for a, who in plan for m in who]
    StudyRecord.objects.bulk_create(records, batch_size=BATCH)
    log_bulk(acts, note="演示数据")
    ctx.say(f"学习活动 {len(acts):,} 次，学习记录 {len(records):,} 条")

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
    items = load_plans(ctx)  # {(township id, year, month): PlanItem}
    township_of = {b.pk: t for t in ctx.townships for b in ctx.branches if b.path.startswith(t.path)}
    # Most branches follow the township's plan; a few study other things and fall behind it.
    follow_rng = ctx.rng_for("study-followers")
    followers = {b.pk for b in ctx.branches if follow_rng.random() < 0.8}
    link_rng = ctx.rng_for("study-plan-links")

    def add(org, kind, d, hours, members, p_scale=1.0):
        if d > today or not members:
            return
        item = None
        # A follower now and then holds the study but forgets to link it to the plan.
        if kind == StudyKind.CENTRAL and org.pk in followers and org.pk in township_of and link_rng.random() < 0.92:
            item = items.get((township_of[org.pk].pk, d.year, d.month))
        topic = item.topic if item else rng.choice(TOPICS[kind])
        a = StudyActivity(org=org, kind=kind, date=d, hours=Decimal(hours), topic=topic, plan_item=item)
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
    load_courses(ctx)


# --- 学习计划、学习资料、培训班 ----------------------------------------------------------
PLAN_TOPICS = [  # one per two months
    "学习党的二十大报告和党章",
    "学习“三抓三促”行动部署和《在全镇“三抓三促”行动中推进“抓学习促提升”的工作方案》",
    "学习习近平总书记考察甘肃重要讲话精神",
    "纪念建党，重温入党誓词，学习《中国共产党支部工作条例（试行）》",
    "学习乡村振兴和基层治理政策、作风建设和为基层减负的规定",
    "警示教育：典型案例通报；年度学习回顾，准备组织生活会",
]
MATERIAL_BODIES = [
    (
        "《在全镇“三抓三促”行动中推进“抓学习促提升”的工作方案》",
        "文件",
        "为深入推进“三抓三促”行动，镇党委决定在全镇开展“抓学习促提升”。各党支部要把学习摆在首位，"
        "在学习上下功夫、在执行上铆足劲、在效能上见真章。每月至少组织一次集中学习，结合主题党日开展，"
        "做到学习有计划、有记录、有实效。",
    ),
    (
        "中国共产党支部工作条例（试行）（节选）",
        "文件",
        "党支部应当组织党员按期参加党员大会、党小组会和上党课，定期召开支部委员会会议。"
        "党支部每年至少召开一次组织生活会，一般安排在第四季度。",
    ),
    (
        "镇党委书记讲党课：以学促干抓落实",
        "讲话",
        "同志们，学习不是为了装点门面，而是为了解决问题。我们要把学到的理论转化为推动乡村振兴的具体措施，"
        "转化为为群众办实事的实际行动。",
    ),
    ("警示教育片《蝇贪之害》", "视频链接", "警示教育片，时长约30分钟，各支部组织集中观看后开展讨论。"),
]


def _material_docx(title: str, body: str) -> str:
    """A real Word file for a demo material, stored like an upload; returns its relative path."""
    import io
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from docx import Document

    doc = Document()
    doc.add_heading(title, level=1)
    doc.add_paragraph(body)
    buf = io.BytesIO()
    doc.save(buf)
    return default_storage.save(f"study_materials/demo/{uuid.uuid4().hex}.docx", ContentFile(buf.getvalue()))


def load_plans(ctx: DemoContext) -> dict:
    """Each township publishes a yearly plan (a topic every two months, as branches hold a
    集中学习 every other month) with materials; two branches add their own item.
    Returns {(township id, year, month): PlanItem} for every month an item covers."""
    from dangjian.study.models import Material, PlanItem, PlanItemMeeting, StudyPlan

    out = {}
    for t in ctx.townships:
        mats = []
        for i, (title, kind, body) in enumerate(MATERIAL_BODIES):
            mats.append(
                Material(
                    org=t,
                    title=title,
                    kind=kind,
                    published_on=date(ctx.start.year, 1 + i, 5),
                    body=body,
                    link="https://example.org/video" if kind == "视频链接" else "",
                )
            )
        for b in [b for b in ctx.branches if b.path.startswith(t.path)][:3]:
            mats.append(
                Material(
                    org=b,
                    title=f"{b.short_name or b.name}学习交流材料",
                    kind="文件",
                    published_on=date(ctx.start.year, 3, 1),
                    body="本支部党员结合工作实际交流学习体会，查找差距，明确下一步努力方向。",
                )
            )
        for m in mats:
            m.file, m.file_name = _material_docx(m.title, m.body), f"{m.title[:60]}.docx"
        Material.objects.bulk_create(mats)
        log_bulk(mats, note="演示数据")
        for year in range(ctx.start.year, ctx.today.year + 1):
            plan = StudyPlan.objects.create(org=t, year=year, title=f"{t.short_name or t.name}{year}年党员学习计划")
            rows = [
                PlanItem(plan=plan, month_from=m, month_to=m + 1, topic=PLAN_TOPICS[(m - 1) // 2], hours=Decimal("2"))
                for m in range(1, 13, 2)
            ]
            PlanItem.objects.bulk_create(rows)
            log_bulk(rows, note="演示数据")
            for it in rows:
                for month in (it.month_from, it.month_to):
                    out[(t.pk, year, month)] = it
            rows[0].materials.add(mats[0])
            rows[3].materials.add(mats[1])
            rows[5].materials.add(mats[3])
    # Two branches add an item of their own for the current year, one carried out by a meeting.
    from dangjian.meetings.models import Meeting

    for b in ctx.branches[:2]:
        own = StudyPlan.objects.create(
            org=b, year=ctx.today.year, title=f"{b.short_name or b.name}{ctx.today.year}年学习计划"
        )
        item = PlanItem.objects.create(
            plan=own, month_from=3, month_to=4, topic="学习本社区人居环境整治方案", hours=Decimal("1.5")
        )
        m = Meeting.objects.filter(branch=b, date__year=ctx.today.year, date__month__in=[3, 4]).order_by("date").first()
        if m is not None:
            PlanItemMeeting.objects.create(item=item, meeting=m)
            Material.objects.filter(org__in=ctx.townships).first().meetings.add(m)
    ctx.say(
        f"学习计划 {StudyPlan.objects.count()} 份，计划项 {PlanItem.objects.count()} 项，学习资料 {Material.objects.count()} 份"
    )
    return out


def load_courses(ctx: DemoContext) -> None:
    """A 发展对象 training course per township this year: three days of sessions, attendance
    (one person missed a day), a small question bank and paper-test scores."""
    from dangjian.lifecycle.models import DevelopmentCase, Stage
    from dangjian.study.models import Course, CourseSession, Enrollment, Question, SessionAttendance

    rng = ctx.rng_for("study-courses")
    year = ctx.today.year
    for t in ctx.townships:
        course = Course.objects.create(org=t, title=f"{year}年发展对象集中培训班", audience="发展对象", year=year)
        sessions = [
            CourseSession.objects.create(course=course, date=date(year, 3, d), hours=Decimal("8"), topic=topic)
            for d, topic in ((13, "党的基本理论和党章"), (14, "党的基本知识和党的纪律"), (15, "入党动机和党员义务"))
            if date(year, 3, d) <= ctx.today
        ]
        cases = list(
            DevelopmentCase.objects.filter(branch__path__startswith=t.path, stage=Stage.CANDIDATE).order_by("pk")[:12]
        )
        enrolled = Enrollment.objects.bulk_create([Enrollment(course=course, case=c) for c in cases])
        att = []
        for i, e in enumerate(enrolled):
            for j, s in enumerate(sessions):
                if not (i == 0 and j == 2):  # one person missed the last day
                    att.append(SessionAttendance(session=s, enrollment=e))
            e.score = Decimal(rng.randint(72, 98)) if sessions else None
        SessionAttendance.objects.bulk_create(att)
        Enrollment.objects.bulk_update(enrolled, ["score"])
        Question.objects.bulk_create(
            [
                Question(
                    course=course,
                    text="党的最高理想和最终目标是",
                    options=["实现共产主义", "全面建成小康社会"],
                    answer=0,
                ),
                Question(course=course, text="预备党员的预备期为", options=["半年", "一年", "两年"], answer=1),
                Question(
                    course=course,
                    text="连续六个月不参加党的组织生活、不交纳党费或不做党所分配的工作，党章规定",
                    options=["被认为是自行脱党", "给予警告处分", "自动转为预备党员"],
                    answer=0,
                ),
            ]
        )
    ctx.say(f"培训班 {len(ctx.townships)} 个")

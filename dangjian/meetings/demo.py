"""Demo 组织生活 from ctx.start (January 2023) up to ctx.today, with the survey report's
pattern: most branches regular, some community branches missing meetings in some months,
some members who rarely attend (a few near or over the six-month line of 党章 Art. 9),
some late entries (补录) with reasons, 流动党员 taking part where they work, and talks.

About 40 meetings per branch per year. Everything is bulk-inserted in batches so a county
(1,000 branches, > 1 M attendance rows a year) stays feasible. Minutes are honest text
built from topic templates and branch details; planted copies are NOT made here (the
integrity app plants its own).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from dangjian.core.settings_registry import setting
from dangjian.demo.context import DemoContext
from dangjian.meetings.models import Attachment, Attendance, Kind, KindRequirement, Meeting, MeetingKindLink, Talk
from dangjian.rules.dates import month_end

BATCH = 5000
P = Attendance.Status

THEMES = [
    "学习贯彻党的二十大精神",
    "学习《中国共产党章程》",
    "“三抓三促”行动专题学习",
    "学习习近平新时代中国特色社会主义思想",
    "党风廉政建设警示教育",
    "社区环境卫生整治志愿服务",
    "防汛救灾与安全生产",
    "助力特色产业发展",
    "关爱困难群众走访慰问",
    "乡村振兴政策宣讲",
    "铸牢中华民族共同体意识",
    "移风易俗、文明新风",
    "学习《中国共产党纪律处分条例》",
    "主题教育专题学习",
    "党员先锋岗践诺",
    "平安建设与矛盾纠纷排查",
]
LECTURES = [
    "坚定理想信念，践行初心使命",
    "以“三抓三促”推动基层治理提质增效",
    "新时代党员如何发挥先锋模范作用",
    "严守政治纪律和政治规矩",
    "从党史中汲取奋进力量",
    "学习二十大报告，建设美丽乡村",
    "发展特色产业，带动群众增收",
]
COMMITTEE_ITEMS = [
    "研究本月党费收缴情况，未交{n}人，由组织委员逐一联系",
    "讨论{month}月主题党日活动安排，确定地点为{place}",
    "研究入党积极分子培养考察情况，{name}近期表现较好",
    "分析{group}居民反映的{issue}问题，明确由{name}牵头跟进",
    "通报镇党委近期工作要求，部署“三抓三促”重点任务",
    "研究流动党员联系工作，本月已电话联系{n}名外出党员",
    "讨论{crop}种植户技术服务需求，拟联系镇农技站开展培训",
    "研究困难党员、老党员走访慰问名单，共{n}户",
    "梳理上月问题清单，已办结{n}项，剩余事项明确完成时限",
    "研究党员积分评定情况，对{name}等同志的志愿服务予以登记",
]
ISSUES = [
    "路灯损坏",
    "垃圾清运不及时",
    "排水沟堵塞",
    "停车难",
    "邻里噪音",
    "自来水压力不足",
    "道路坑洼",
    "楼道杂物堆放",
]
CROPS = ["花椒", "油橄榄", "樱桃"]
DISCUSSION = [
    "{name}同志结合自身工作谈了学习体会，表示要在{issue}整治中带头",
    "{name}同志提出，{group}老年人较多，建议组织党员定期上门服务",
    "{name}同志介绍了{crop}采摘期用工情况，建议党员户带头互助",
    "大家围绕{topic}展开讨论，{name}同志就如何联系群众作了发言",
    "{name}同志谈到外出务工党员参加组织生活的困难，建议通过电话和微信及时传达学习内容",
    "{name}同志提出{group}{issue}问题已反映多次，希望支部协调解决",
    "{name}同志分享了参加{place}志愿服务的经历",
    "{name}同志建议下次活动邀请镇{dept}同志现场讲解政策",
]
DEPTS = ["农技站", "司法所", "派出所", "卫生院", "综治中心", "民政办"]
PLACES = ["党群服务中心", "支部活动室", "社区会议室", "新时代文明实践站", "村史馆", "文化广场"]
LATE_REASONS = [
    "记录人外出务工，返回后补录",
    "会议纸质记录整理后补录",
    "网络故障，未能及时录入",
    "支部书记住院，会后由组织委员补录",
    "农忙期间未及时录入，现补录",
]
EXCUSE_REASONS = ["外出务工", "生病住院", "照顾家人", "年老行动不便", "出差", "农忙"]


@contextlib.contextmanager
def _keep_given_timestamps(*models):
    """Let bulk_create store the created_at/updated_at we set (realistic provenance)."""
    fields = []
    for model in models:
        for name in ("created_at", "updated_at"):
            f = model._meta.get_field(name)
            fields.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in fields:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _aware(d: date, t: time) -> datetime:
    return timezone.make_aware(datetime.combine(d, t))


def _months(start: date, today: date):
    y, m = start.year, start.month
    while (y, m) <= (today.year, today.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class _Minutes:
    """Minutes built from templates and branch details: varied, plain, never copied."""

    def __init__(self, rng, branch, members):
        self.rng = rng
        self.branch = branch
        self.names = [m.name for m in members] or ["支部书记"]
        short = (branch.short_name or branch.name).replace("党支部", "")
        self.groups = [f"{short}第{i}居民小组" for i in range(1, 5)]

    def fill(self, template: str, **extra) -> str:
        r = self.rng
        values = {
            "name": r.choice(self.names),
            "n": r.randint(1, 9),
            "month": extra.get("month", r.randint(1, 12)),
            "place": r.choice(PLACES),
            "group": r.choice(self.groups),
            "issue": r.choice(ISSUES),
            "crop": r.choice(CROPS),
            "topic": extra.get("topic", ""),
            "dept": r.choice(DEPTS),
        }
        return template.format(**values)

    def text(self, *, kinds, topic, d, host, expected, present, lecturer) -> tuple[str, str, str]:
        r = self.rng
        opening = f"会议由{host}主持，应到{expected}人，实到{present}人。"
        parts = [opening]
        if Kind.COMMITTEE_MEETING in kinds:
            items = r.sample(COMMITTEE_ITEMS, k=r.randint(2, 4))
            agenda = "；".join(f"{i + 1}.{self.fill(t, month=d.month % 12 + 1)}" for i, t in enumerate(items))
            parts.append(f"{d.month}月{d.day}日支委会议题：{agenda}。")
        if Kind.PARTY_LECTURE in kinds:
            parts.append(
                f"{lecturer}以“{topic}”为题讲党课，结合{self.fill('{group}')}的实际，讲了{r.randint(2, 4)}个方面的体会。"
            )
        if Kind.THEME_DAY in kinds:
            parts.append(
                f"本次主题党日围绕“{topic}”开展，党员集中学习后{self.fill('到{place}开展志愿服务')}，"
                f"清理{self.fill('{group}')}卫生死角{r.randint(2, 12)}处。"
            )
        if Kind.MEMBER_MEETING in kinds:
            parts.append(
                f"党员大会通报了第{(d.month - 1) // 3 + 1}季度支部工作和党费收缴情况，"
                f"{self.fill('{name}')}同志代表支委会作了说明。"
            )
        if Kind.LIFE_MEETING in kinds:
            parts.append(
                "支部班子和党员逐一开展批评和自我批评，"
                f"{self.fill('{name}')}同志指出自己学习不够经常，{self.fill('{name}')}同志对支部提出了"
                f"“{self.fill('{issue}')}问题整改要加快”的意见。"
            )
        if Kind.APPRAISAL in kinds:
            parts.append(f"开展民主评议党员，个人自评、党员互评后进行民主测评，共收回测评表{present}份。")
        if Kind.GROUP_MEETING in kinds:
            parts.append(f"党小组学习了{topic}，{self.fill('{name}')}同志领学。")
        for t in r.sample(DISCUSSION, k=r.randint(1, 3)):
            parts.append(self.fill(t, topic=topic) + "。")
        decisions = "；".join(
            self.fill(t)
            for t in r.sample(
                [
                    "由{name}同志负责{group}{issue}问题的跟踪落实",
                    "下月继续开展{place}志愿服务",
                    "对{crop}种植户开展一次技术培训",
                    "请组织委员在{n}日内联系未到会党员并传达会议精神",
                ],
                k=r.randint(1, 2),
            )
        )
        agenda = "；".join(["传达学习上级文件精神", f"研究{topic}相关工作", "其他事项"][: r.randint(2, 3)])
        return agenda, "".join(parts), decisions + "。"


def _member_profile(rng, member, today):
    """('regular', p) | ('rare', p) | ('dropout', from_date) | ('mobile', p)."""
    if getattr(member, "is_mobile", False):
        return ("mobile", 0.5)
    x = rng.random()
    if x < 0.015:
        # stopped attending 3–9 months ago: some in the early-warning band, some over the line
        back = rng.randint(3, 9)
        y, mo = today.year, today.month - back
        while mo < 1:
            y, mo = y - 1, mo + 12
        return ("dropout", date(y, mo, 1))
    if x < 0.07:
        return ("rare", 0.25)
    return ("regular", rng.uniform(0.82, 0.97))


def _attend(rng, profile, on: date):
    """(status, reason, elsewhere) for one expected member."""
    kind, p = profile
    if kind == "dropout" and on >= p:
        return (P.ABSENT, "", False)
    if kind == "mobile":
        x = rng.random()
        if x < 0.5:
            return (P.EXCUSED, "参加流入地组织生活", True)
        if x < 0.85:
            return (P.EXCUSED, "外出务工", False)
        return (P.ABSENT, "", False)
    prob = p if kind in ("regular", "rare") else 0.9
    if rng.random() < prob:
        return (P.PRESENT, "", False)
    if kind == "rare":
        return (P.ABSENT, "", False) if rng.random() < 0.85 else (P.EXCUSED, rng.choice(EXCUSE_REASONS), False)
    return (P.EXCUSED, rng.choice(EXCUSE_REASONS), False) if rng.random() < 0.7 else (P.ABSENT, "", False)


def _png_bytes(rng, label: int) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (96, 64), (rng.randint(150, 255), rng.randint(120, 220), rng.randint(100, 200)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = rng.randint(0, 90), rng.randint(0, 58)
        draw.rectangle([x, y, x + rng.randint(5, 30), y + rng.randint(5, 20)], fill=(rng.randint(0, 255), 60, 60))
    draw.text((4, 4), str(label), fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _make_attachment(rng, meeting: Meeting, n: int) -> Attachment:
    import imagehash
    from PIL import Image

    data = _png_bytes(rng, n)
    rel = f"meetings/demo/{meeting.date:%Y/%m}/m{meeting.pk}-{n}.png"
    dest = Path(settings.MEDIA_ROOT) / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    phash = str(imagehash.phash(Image.open(io.BytesIO(data))))
    return Attachment(
        meeting=meeting,
        path=rel,
        name=f"活动照片{n}.png",
        content_type="image/png",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        phash=phash,
    )


def load(ctx: DemoContext) -> None:  # noqa: C901 (one pass over branches and months, kept together)
    rng = ctx.rng_for("meetings")
    today = ctx.today
    members_by_branch = ctx.members_by_branch
    groups_by_branch: dict[int, dict[int, list]] = {}
    for branch in ctx.branches:
        gmap: dict[int, list] = {}
        for m in members_by_branch.get(branch.id, []):
            if getattr(m, "group_id", None):
                gmap.setdefault(m.group_id, []).append(m)
        groups_by_branch[branch.id] = gmap
    group_orgs = {g.id: g for g in ctx.groups}
    profiles = {m.id: _member_profile(rng, m, today) for m in ctx.all_members()}
    # Committee members carry the branch's work: they attend regularly (a 支委会 is
    # normally quorate; the integrity demo plants the one that is not).
    for committee in ctx.committee_by_branch.values():
        for m in committee:
            profiles[m.id] = ("regular", 0.95)

    meetings: list[Meeting] = []
    kinds_of: list[list[str]] = []
    expected_of: list[list] = []
    total_att = 0

    audit = ctx.scale in ("tiny", "township")  # one audit entry per meeting; skipped at county scale

    def flush():
        nonlocal meetings, kinds_of, expected_of, total_att
        if not meetings:
            return
        with _keep_given_timestamps(Meeting):
            Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        links, rows = [], []
        adapt = connection.ops.adapt_datetimefield_value
        for mt, kinds, expected in zip(meetings, kinds_of, expected_of, strict=True):
            links.extend((mt.pk, k, mt.branch_id, mt.date) for k in kinds)
            ym = mt.date.year * 12 + mt.date.month - 1
            for member, (status, reason, elsewhere) in expected:
                signed = None
                if status == P.PRESENT and mt.date.year >= 2024 and rng.random() < 0.3:
                    signed = adapt(_aware(mt.date, mt.start_time) + timedelta(minutes=rng.randint(-20, 15)))
                rows.append((mt.pk, member.pk, status, reason, elsewhere, signed, "", ym))
        # Plain executemany: the ORM's per-object cost dominates at county scale (> 1 M rows a year).
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {MeetingKindLink._meta.db_table} (meeting_id, kind, branch_id, date) VALUES (%s, %s, %s, %s)",
                [(a, b, c, connection.ops.adapt_datefield_value(d)) for a, b, c, d in links],
            )
            sql = (
                f"INSERT INTO {Attendance._meta.db_table} (meeting_id, member_id, status, reason, attended_elsewhere, "
                "signed_in_at, proxy_reason, ym) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
            )
            for k in range(0, len(rows), BATCH):
                cur.executemany(sql, rows[k : k + BATCH])
        total_att += len(rows)
        if audit:
            from dangjian.core.audit import log_bulk

            log_bulk(meetings, note="演示数据：组织生活记录")
        meetings, kinds_of, expected_of = [], [], []

    for bi, branch in enumerate(ctx.branches):
        _branch_meetings(ctx, rng, branch, groups_by_branch, group_orgs, profiles, meetings, kinds_of, expected_of)
        if len(meetings) > 2000:
            flush()
        if bi % 100 == 99:
            ctx.say(f"组织生活：已生成 {bi + 1} 个支部")
    flush()

    _load_talks(ctx, rng)
    _load_requirements(ctx)
    _load_attachments(ctx, rng)
    _load_notices(ctx, rng)
    ctx.say(f"组织生活：{Meeting.objects.count()} 次会议，{total_att} 条出席记录")


def _branch_meetings(ctx, rng, branch, groups_by_branch, group_orgs, profiles, meetings, kinds_of, expected_of):
    """Append one branch's meetings (with expected attendance) to the three lists."""
    today = ctx.today
    members_by_branch = ctx.members_by_branch
    members = members_by_branch.get(branch.id, [])
    if not members:
        return
    committee = ctx.committee_by_branch.get(branch.id) or members[:3]
    secretary = ctx.secretary_by_branch.get(branch.id) or committee[0]
    recorder = next((m for m in committee if m.id != secretary.id), secretary)
    # The report: some community branches do not fully hold 组织生活.
    weak = str(getattr(branch, "category", "")) == "社区" and rng.random() < 0.22
    skip_p = 0.3 if weak else 0.03
    theme_day = rng.randint(5, 25)
    place = rng.choice(PLACES)
    writer = _Minutes(rng, branch, members)
    sec_user = ctx.users.get(f"secretary:{branch.id}")

    def current(on: date, pool):
        return [
            m
            for m in pool
            if m.joined_on <= on
            and (getattr(m, "is_current", True) or (getattr(m, "left_on", None) and m.left_on > on))
        ]

    def add(org, kinds, d, t0, t1, topic, pool, lecturer=""):
        if d >= today:
            return
        exp = [(m, _attend(rng, profiles.get(m.id, ("regular", 0.9)), d)) for m in current(d, pool)]
        if not exp:
            return
        present = sum(1 for _, a in exp if a[0] == P.PRESENT)
        agenda, minutes, decisions = writer.text(
            kinds=kinds, topic=topic, d=d, host=secretary.name, expected=len(exp), present=present, lecturer=lecturer
        )
        late = rng.random() < 0.04
        delay = rng.randint(9, 40) if late else rng.randint(0, 4)
        created = _aware(d, time(20, 0)) + timedelta(days=delay, minutes=rng.randint(0, 180))
        now = timezone.make_aware(datetime.combine(today, time(8, 0)))
        created = min(created, now)
        late = late and (created.date() - d).days > setting("LATE_ENTRY_DAYS")
        meetings.append(
            Meeting(
                org=org,
                branch=branch,
                date=d,
                start_time=t0,
                end_time=t1,
                place=place if org.id == branch.id else f"{org.name}活动点",
                topic=topic,
                host=secretary,
                recorder=recorder,
                lecturer=lecturer,
                agenda=agenda,
                minutes=minutes,
                decisions=decisions,
                is_late=late,
                late_reason=rng.choice(LATE_REASONS) if late else "",
                created_by=sec_user,
                created_at=created,
                updated_at=created,
            )
        )
        kinds_of.append(list(kinds))
        expected_of.append(exp)

    for y, mo in _months(ctx.start, today):
        last = month_end(y, mo).day
        skip_month = rng.random() < skip_p
        # 支委会 (Art. 12): monthly, the committee.
        if not skip_month or rng.random() < 0.5:
            d = date(y, mo, min(last, rng.randint(2, 8)))
            add(branch, [Kind.COMMITTEE_MEETING], d, time(9, 0), time(10, 30), f"{mo}月支委会", committee)
        # 主题党日 (Art. 16) monthly; with the 党员大会 at the end of a quarter (Art. 11)
        # and with a 党课 in the middle month of a quarter.
        if not skip_month:
            d = date(y, mo, min(last, theme_day))
            kinds = [Kind.THEME_DAY]
            topic = rng.choice(THEMES)
            lecturer = ""
            if mo % 3 == 0:
                kinds.append(Kind.MEMBER_MEETING)
            if mo % 3 == 2:
                kinds.append(Kind.PARTY_LECTURE)
                topic = rng.choice(LECTURES)
                lecturer = secretary.name
            add(branch, kinds, d, time(15, 0), time(17, 0), topic, members, lecturer)
        # 党小组会 (Art. 13): monthly for each group.
        for gid, gmembers in groups_by_branch[branch.id].items():
            if (skip_month and rng.random() < 0.7) or rng.random() < 0.3:
                continue
            group = group_orgs.get(gid)
            if group is None:
                continue
            d = date(y, mo, min(last, rng.randint(10, 28)))
            add(group, [Kind.GROUP_MEETING], d, time(19, 30), time(20, 30), rng.choice(THEMES), gmembers)
        # 组织生活会 + 民主评议党员 (Arts. 17–18): once a year in December (some skip).
        if mo == 12 and not (weak and rng.random() < 0.4):
            d = date(y, 12, rng.randint(15, 28))
            add(
                branch,
                [Kind.LIFE_MEETING, Kind.APPRAISAL, Kind.MEMBER_MEETING],
                d,
                time(9, 0),
                time(11, 30),
                f"{y}年度组织生活会和民主评议党员",
                members,
            )


def _load_talks(ctx: DemoContext, rng) -> None:
    talks = []
    for branch in ctx.branches:
        members = ctx.members_by_branch.get(branch.id, [])
        committee = ctx.committee_by_branch.get(branch.id) or members[:3]
        if not members or not committee:
            continue
        sec_user = ctx.users.get(f"secretary:{branch.id}")
        for year in range(ctx.start.year, ctx.today.year + 1):
            # Most branches talk with every member each year; some fall short (a measured gap).
            coverage = 1.0 if rng.random() < 0.8 else rng.uniform(0.6, 0.95)
            for m in members:
                if m.joined_on.year > year or rng.random() > coverage:
                    continue
                giver = rng.choice(committee)
                if giver.id == m.id:
                    giver = committee[0] if committee[0].id != m.id else committee[-1]
                if giver.id == m.id:
                    continue
                before = rng.random() < 0.5
                d = date(year, 12, rng.randint(1, 12)) if before else date(year, rng.randint(2, 11), rng.randint(1, 28))
                if d >= ctx.today:
                    continue
                created = _aware(d, time(19, 0)) + timedelta(days=rng.randint(0, 3))
                talks.append(
                    Talk(
                        branch=branch,
                        date=d,
                        from_member=giver,
                        to_member=m,
                        summary=f"{giver.name}与{m.name}谈心，了解其{rng.choice(['家庭生活', '工作', '身体', '学习'])}情况，"
                        f"听取对支部工作的意见{rng.randint(1, 3)}条。",
                        before_life_meeting=before,
                        created_by=sec_user,
                        created_at=created,
                        updated_at=created,
                    )
                )
    with _keep_given_timestamps(Talk):
        Talk.objects.bulk_create(talks, batch_size=BATCH)


def _load_requirements(ctx: DemoContext) -> None:
    rows = [
        KindRequirement(
            org=t,
            kind=Kind.PARTY_LECTURE,
            period=KindRequirement.Period.QUARTER,
            minimum=1,
            note="本镇规定：支部每季度至少讲1次党课（《中国共产党支部工作条例（试行）》第十六条未规定频次）",
        )
        for t in ctx.townships
    ]
    KindRequirement.objects.bulk_create(rows)


def _load_attachments(ctx: DemoContext, rng) -> None:
    """A few photos for recent 主题党日 (one per branch, at most 60 branches)."""
    atts = []
    for branch in ctx.branches[:60]:
        mt = Meeting.objects.filter(branch=branch, kind_links__kind=Kind.THEME_DAY).order_by("-date").first()
        if mt is None:
            continue
        for n in (1, 2):
            atts.append(_make_attachment(rng, mt, n))
    Attachment.objects.bulk_create(atts)


def _load_notices(ctx: DemoContext, rng) -> None:
    """会议通知 planned ahead: next week's 主题党日 for the whole branch and a 支委会 for the
    committee, with a few sign-ins on today's notice (not at county scale)."""
    from dangjian.meetings.models import MeetingNotice, NoticeSignIn

    if ctx.scale not in ("tiny", "township"):
        return
    today = ctx.today
    notices, signins = [], []
    for branch in ctx.branches:
        notices.append(
            MeetingNotice(
                org=branch,
                branch=branch,
                kinds=Kind.THEME_DAY.value,
                audience=MeetingNotice.Audience.BRANCH,
                date=today + timedelta(days=7),
                start_time=time(15, 0),
                end_time=time(17, 0),
                place="党群服务中心",
                topic=f"{(today + timedelta(days=7)).month}月主题党日",
            )
        )
        notices.append(
            MeetingNotice(
                org=branch,
                branch=branch,
                kinds=Kind.COMMITTEE_MEETING.value,
                audience=MeetingNotice.Audience.COMMITTEE,
                date=today,
                start_time=time(9, 0),
                end_time=time(10, 30),
                place="支部活动室",
                topic=f"{today.month}月支委会",
            )
        )
    MeetingNotice.objects.bulk_create(notices, batch_size=BATCH)
    by_branch = {n.branch_id: n for n in MeetingNotice.objects.filter(date=today, audience="committee")}
    for branch_id, committee in ctx.committee_by_branch.items():
        n = by_branch.get(branch_id)
        for m in committee[:2] if n else []:
            signins.append(NoticeSignIn(notice=n, member=m, signed_in_at=_aware(today, time(8, 55))))
    NoticeSignIn.objects.bulk_create(signins, batch_size=BATCH)

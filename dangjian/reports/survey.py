"""The survey report (调研报告) written from the data.

`build_report(root, year)` returns a SurveyReport: an ordered list of blocks (title,
headings 一、（一）1., paragraphs, the data-quality note), the problems found with their
evidence and measures, and the tables behind it. Rendering to .docx lives in
official_doc.py, to .xlsx in tables.py. Nothing here is hard-coded: every figure comes
from the roster, units, statistics and the other capabilities (through sources.py), and
a capability with no data is said to have none.

One generator serves three levels: a 镇党委 (the township report), a 党支部 (its annual
work summary) and a 区委 with several townships (figures summed, per-capita income listed
per township).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from dangjian.core import clock, collector, figures
from dangjian.core.settings_registry import setting
from dangjian.members.selectors import structure_as_of
from dangjian.orgs.models import Organization, OrgCategory, OrgType
from dangjian.orgs.selectors import orgs_of_type
from dangjian.reports.problems import BRANCH_REGS, CHARTER_ART9, Problem, find_problems
from dangjian.reports.sources import Sources
from dangjian.reports.wording import branch_list, money, num, pct, period, sentence

__all__ = ["CHARTER_ART9", "Problem", "SurveyReport", "build_report", "find_problems"]

CN_ORDINALS = "一二三四五六七八九十"


def ordinal(i: int) -> str:
    if i <= 10:
        return CN_ORDINALS[i - 1]
    return ("十" if i < 20 else CN_ORDINALS[i // 10 - 1] + "十") + (CN_ORDINALS[i % 10 - 1] if i % 10 else "")


@dataclass
class Block:
    kind: str  # title | h1 | h2 | h3 | p | note
    text: str


@dataclass
class SurveyReport:
    org: Organization
    year: int
    level: str  # township | branch | district
    title: str
    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # figures nobody entered
    unavailable: list[str] = field(default_factory=list)  # capabilities with no data yet
    notes: list[str] = field(default_factory=list)
    tables: list[tuple[str, list[str], list[list]]] = field(default_factory=list)
    today: date | None = None
    economy: object = None  # dangjian.stats.selectors.Economy used in 一、基本情况
    members: dict = field(default_factory=dict)  # the roster on the day the year is judged at

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    @property
    def filename(self) -> str:
        return report_filename(self.org, self.year, self.level)


def report_filename(org: Organization, year: int, level: str | None = None) -> str:
    """The report's file name (without extension), known before the report is built."""
    level = level or level_of(org)
    return f"{org.name}{year}年{'工作总结' if level == 'branch' else '调研报告'}"


def level_of(org: Organization) -> str:
    if org.org_type == OrgType.HIGHER:
        return "district"
    if org.org_type == OrgType.COMMITTEE:
        return "township"
    return "branch"


class _Writer:
    def __init__(self, report: SurveyReport):
        self.r = report
        self._h2 = 0

    def h1(self, text):
        self._h2 = 0
        self.r.blocks.append(Block("h1", text))

    def h2(self, text):
        self._h2 += 1
        self.r.blocks.append(Block("h2", f"（{ordinal(self._h2)}）{text}"))

    def p(self, text):
        if text:
            self.r.blocks.append(Block("p", text))


def build_report(root: Organization, year: int, *, today: date | None = None) -> SurveyReport:
    """The report of `root` for `year` as of `today`: every figure it reads (the sources and
    the 基本情况) is read as of that day and computed once (core.figures scope)."""
    today = clock.or_today(today)
    with clock.as_of(today), figures.scope(), collector.paused():
        return _build(root, year, today)


def _build(root: Organization, year: int, today: date) -> SurveyReport:
    level = level_of(root)
    if level == "branch":
        title = f"{root.name}{year}年度工作总结"
    else:
        title = f"关于{root.name}{year}年基层党建工作情况的调研报告"
    report = SurveyReport(org=root, year=year, level=level, title=title, today=today)
    report.blocks.append(Block("title", title))
    src = Sources(root, year, today=today)
    w = _Writer(report)
    where = {"township": "全镇", "district": "全区", "branch": "本支部"}[level]
    w.p(_opening(root, year, level))

    w.h1("一、基本情况")
    _basic(w, report, src, root, year, where)

    w.h1("二、工作开展情况")
    _work(w, report, src, year, where)

    w.h1("三、存在问题")
    report.problems = find_problems(src, year, where=where)
    if report.problems:
        w.p(f"对照系统记录，{year}年{where}党建工作还存在以下问题：")
        for prob in report.problems:
            w.h2(prob.title)
            w.p(prob.evidence)
    else:
        w.p(f"从系统记录看，{year}年{where}各项已记录的工作未发现需要指出的问题。")
    src.load_all()
    report.unavailable = list(src.unavailable.values())
    if report.unavailable:
        w.p(f"以下方面系统中暂无数据，本报告不作判断：{'、'.join(report.unavailable)}。")

    w.h1("四、下一步打算")
    if report.problems:
        w.p("针对上述问题，下一步重点做好以下工作：")
        for prob in report.problems:
            w.h2(prob.measure_title)
            w.p(prob.measure)
    else:
        w.h2("保持制度常态运行")
        w.p("继续按月在系统中如实记录组织生活、学习教育、党费收缴等工作，保持“三会一课”等制度常态化运行。")
    if report.unavailable:
        w.h2("补齐工作记录")
        w.p(f"尽快在系统中补录{'、'.join(report.unavailable)}等方面的记录，做到底数清、情况明。")

    _data_note(report, src, today)
    report.tables = _tables(report, src)
    return report


def _opening(root, year, level) -> str:
    if level == "branch":
        return f"现将{root.name}{year}年度工作情况总结如下。本总结中的数字均取自基层党建工作台的日常记录。"
    return (
        f"为摸清{root.name}基层党建工作底数、找准问题短板、明确努力方向，"
        f"根据系统中的组织、党员、统计和日常工作记录，对{year}年基层党建工作情况进行了梳理，形成如下调研报告。"
    )


# --- 一、基本情况 ----------------------------------------------------------------------


def members_as_of(root, as_of: date) -> dict:
    """The roster's make-up on `as_of` (members.selectors.structure_as_of: who were members then)."""
    return structure_as_of(root, as_of)


def _basic(w: _Writer, report: SurveyReport, src: Sources, root, year, where):
    o = src.organizations
    # The members of the year: those on the roster on its last day (or today while it runs),
    # so a past year's report counts that year's members, not today's.
    m = members_as_of(root, src.as_of)
    report.members = m
    level = report.level
    w.h2("组织和党员队伍" if level != "branch" else "支部和党员队伍")
    if level == "branch":
        groups = o.get("party_groups") or 0
        unit = root.unit.name if root.unit_id else ""
        when = _date(src.as_of)
        parts = [f"截至{when}，{root.name}有党员{m['total']}名"]
        if unit:
            parts.insert(0, f"本支部设在{unit}")
        if groups:
            parts.append(f"下设党小组{groups}个")
        w.p(sentence(parts))
    else:
        villages = o["villages"]
        communities = o["communities"] - villages
        units = []
        if level == "district":
            n_town = len(orgs_of_type(root, OrgType.COMMITTEE))
            units.append(f"{n_town}个镇（乡、街道）党委")
        if communities:
            units.append(f"{communities}个社区居委会")
        if villages:
            units.append(f"{villages}个村民委员会")
        if o["resident_groups"]:
            units.append(f"{o['resident_groups']}个居民小组")
        parts = [f"{where}下辖" + "、".join(units)] if units else []
        pop_year = o.get("population_year")
        hr, pr = o.get("households_registered"), o.get("people_registered")
        hs, ps = o.get("households_resident"), o.get("people_resident")
        if pop_year is None:
            report.missing.append("户数和人口（户籍、常住）")
        else:
            for label, h, p in (("户籍", hr, pr), ("常住", hs, ps)):
                if h is not None and p is not None:
                    parts.append(f"{label}人口{num(h)}户{num(p)}人")
                elif p is not None:
                    parts.append(f"{label}人口{num(p)}人（户数缺失）")
                    report.missing.append(f"{pop_year}年{label}户数")
                elif h is not None:
                    parts.append(f"{label}{num(h)}户（人口数缺失）")
                    report.missing.append(f"{pop_year}年{label}人口")
                else:
                    report.missing.append(f"{pop_year}年{label}户数和人口")
        w.p(sentence(parts))
        if pop_year is not None and pop_year != year:
            report.notes.append(f"户数和人口采用{pop_year}年数据。")
        by_cat = o["branches_by_category"]
        order = [c for c, _ in OrgCategory.choices]
        cats = [f"{c}党支部{by_cat[c]}个" for c in order if by_cat.get(c)]
        head = {"township": "镇党委", "district": "区委"}[level]
        text = f"{head}下辖党支部{o['branches']}个"
        if cats and len(cats) > 1:
            text += "，其中" + "、".join(cats)
        elif cats:
            text += f"，均为{cats[0].split('党支部')[0]}党支部"
        if o.get("general_branches"):
            text += f"；另有党总支{o['general_branches']}个"
        w.p(text + "。")
    when = _date(src.as_of)
    member_parts = [f"截至{when}共有党员{m['total']}名"]
    if m["total"]:
        member_parts.append(f"其中正式党员{m['full']}名、预备党员{m['probationary']}名")
        extra = []
        for key, label in (
            ("women", "女党员"),
            ("minorities", "少数民族党员"),
            ("age_35_or_under", "35岁及以下党员"),
            ("college_or_above", "大专及以上学历党员"),
            ("mobile", "流动党员"),
            ("lost", "失联党员"),
        ):
            if m.get(key):
                extra.append(f"{label}{m[key]}名")
        if extra:
            member_parts.append("、".join(extra))
    w.p(sentence(member_parts) if level != "branch" else sentence(member_parts[1:], lead=""))
    if level != "branch":
        _economy(w, report, root, year, where)


def _economy(w: _Writer, report: SurveyReport, root, year, where):
    from dangjian.stats.selectors import economy

    eco = economy(root, upto_year=year)
    w.h2("经济社会发展")
    if eco is None:
        w.p("系统中暂无本级年度统计数据（生产总值、人均可支配收入等），经济社会发展情况暂不列入。")
        report.notes.append("年度统计：暂无完整年度的数据。")
        return
    f = eco.figures
    y = eco.year
    lead = f"{y}年{where}"
    parts = []
    if f["gdp"] is not None:
        parts.append(f"实现生产总值{num(f['gdp'])}亿元")
    if f["income_per_capita"] is not None:
        parts.append(f"居民人均可支配收入{num(f['income_per_capita'])}元")
    elif eco.per_capita:
        known = [f"{n}{num(v)}元" for n, v in eco.per_capita if v is not None]
        if known:
            parts.append("居民人均可支配收入" + "、".join(known))
    w.p(sentence(parts, lead=lead))
    parts = []
    if f["private_enterprises"] is not None:
        parts.append(f"{where}有非公有制企业{num(f['private_enterprises'])}家")
    if f["private_employees"] is not None:
        parts.append(f"从业人员{num(f['private_employees'])}人")
    if f["private_net_profit"] is not None:
        parts.append(f"实现净利润{num(f['private_net_profit'])}万元")
    w.p(sentence(parts))
    if eco.industries:
        areas = [f"{crop}{num(a)}亩" for crop, a, _r in eco.industries if a is not None]
        revenues = [f"{crop}收入{num(r)}万元" for crop, _a, r in eco.industries if r is not None]
        no_area = [crop for crop, a, _r in eco.industries if a is None]
        no_rev = [crop for crop, _a, r in eco.industries if r is None]
        text = "特色产业方面，"
        bits = []
        if areas:
            bits.append("种植" + "、".join(areas))
        if revenues:
            bits.append("、".join(revenues))
        text += "；".join(bits)
        flags = []
        if no_area:
            flags.append(f"{'、'.join(no_area)}种植面积")
        if no_rev:
            flags.append(f"{'、'.join(no_rev)}收入")
        if flags:
            text += f"（{'、'.join(flags)}数据缺失，见文末数据说明）"
        w.p(text + "。")
    parts = []
    if f["labour_workers"] is not None:
        parts.append(f"全年输出劳动力{num(f['labour_workers'])}人")
    trained = []
    if f["labour_skills_trained"] is not None:
        trained.append(f"输出前技能培训{num(f['labour_skills_trained'])}人")
    if f["labour_orientation_trained"] is not None:
        trained.append(f"引导性培训{num(f['labour_orientation_trained'])}人")
    if trained:
        parts.append("开展" + "、".join(trained))
    if f["labour_income"] is not None:
        parts.append(f"实现劳务收入{num(f['labour_income'])}万元")
    w.p(sentence(parts, lead="劳务输出方面，"))
    report.missing.extend(eco.missing)
    report.notes.extend(eco.notes)
    report.economy = eco


# --- 二、工作开展情况 --------------------------------------------------------------------


def _no_data(label: str) -> str:
    return f"系统中暂无{label}数据。"


def _work(w: _Writer, report: SurveyReport, src: Sources, year, where):
    w.p(f"{year}年，{where}各项党建工作在系统中的记录情况如下。")
    c = src.compliance
    w.h2("组织生活")
    if c:
        kinds = [f"{k}{n}次" for k, n in c.meetings_by_kind.items() if n]
        parts = []
        if kinds:
            parts.append("全年共召开" + "、".join(kinds))
        else:
            parts.append("全年系统中没有组织生活记录")
        if not any("党课" in k for k in c.meetings_by_kind):
            parts.append(f"讲党课{c.party_lectures}次")
        parts.append(f"按{BRANCH_REGS}规定的频次计算，组织生活落实率为{pct(c.rate)}")
        w.p(sentence(parts))
    else:
        w.p(_no_data("组织生活（会议记录）"))
    att = src.attendance
    if att:
        rates = [a.rate for a in att.values() if a.rate is not None]
        if rates:
            avg = sum(rates) / len(rates)
            full = sum(1 for r in rates if r >= 1)
            w.p(f"{len(rates)}名党员应参加组织生活，平均参加率{pct(avg)}，其中{full}名全勤。")
    s = src.study
    w.h2("学习教育")
    if s:
        parts = [f"开展学习{s.sessions}次", f"党员累计学习{num(s.hours_total)}学时"]
        if s.members:
            target = setting("STUDY_HOURS_PER_YEAR")
            parts.append(f"{s.members}名党员中{s.members_meeting_target}名达到年度{target}学时要求")
        w.p(sentence(parts, lead="全年"))
    else:
        w.p(_no_data("学习教育"))
    sp = src.study_plan
    if sp and sp.due:
        w.p(
            f"按年度学习计划，各党支部到期应学{sp.due}项（支部×计划项），已落实{sp.done_due}项，"
            f"落实率{pct(sp.rate)}；{len(sp.branches) - len(sp.lagging)}个党支部全部按计划学习。"
        )
    tr = src.training
    if tr and tr.courses:
        w.p(
            f"举办入党积极分子、发展对象培训班{len(tr.courses)}期，参训{tr.enrolled}人次，"
            f"按规定完成集中培训{tr.completed}人次，考试合格{tr.passed}人次。"
        )
    d = src.dues
    w.h2("党费收缴")
    if d:
        parts = [f"应缴党费{money(d.due)}元", f"实缴{money(d.paid)}元", f"收缴率{pct(d.rate)}"]
        w.p(sentence(parts, lead="全年"))
    else:
        w.p(_no_data("党费收缴"))
    a, rt = src.appraisal, src.rating
    w.h2("民主评议和评星定级")
    if a:
        parts = [f"{a.branches_done}个党支部（共{a.branches}个）完成民主评议党员"]
        grades = [f"{g}{n}名" for g, n in a.grades.items() if n]
        if grades:
            parts.append("评议结果为" + "、".join(grades))
        w.p(sentence(parts))
    else:
        w.p(_no_data("民主评议党员"))
    if rt:
        parts = [f"{rt.rated}个党支部参加评星定级"]
        stars = [f"{k}星级{n}个" if isinstance(k, int) else f"{k}{n}个" for k, n in rt.stars.items() if n]
        if stars:
            parts.append("其中" + "、".join(stars))
        if rt.model_branches:
            parts.append(f"{branch_list(rt.model_branches)}被评为示范党支部")
        w.p(sentence(parts))
    else:
        w.p(_no_data("支部评星定级"))
    i = src.inspections
    w.h2("督查整改")
    if i:
        carried = f"，另有往年未整改完成的问题{i.carried_over}个" if i.carried_over else ""
        w.p(
            f"全年开展督查{i.inspections}次，发现问题{i.findings}个{carried}，"
            f"已整改到位{i.closed}个，正在整改{i.open}个。"
        )
    else:
        w.p(_no_data("督查整改"))
    t = src.tasks
    w.h2("“三抓三促”任务推进")
    if t:
        carried = f"（含往年未完成的{t.carried_over}项）" if t.carried_over else ""
        w.p(f"共列出任务{t.tasks}项{carried}，已完成{t.done}项，正在推进{t.in_progress}项。")
    else:
        w.p(_no_data("“三抓三促”任务"))
    lc = src.lifecycle
    pts = src.points
    w.h2("党员发展和管理")
    if lc:
        parts = [f"发展党员{lc.developed}名"]
        pipe = [
            f"{lbl}{getattr(lc, k)}名"
            for k, lbl in (("applicants", "入党申请人"), ("activists", "入党积极分子"), ("candidates", "发展对象"))
            if getattr(lc, k)
        ]
        if pipe:
            parts.append("现有" + "、".join(pipe))
        moves = [
            f"{lbl}{getattr(lc, k)}名"
            for k, lbl in (("transfers_in", "转入党员"), ("transfers_out", "转出党员"))
            if getattr(lc, k)
        ]
        if moves:
            parts.append("、".join(moves))
        if lc.mobile:
            parts.append(f"流动党员{lc.mobile}名")
        w.p(sentence(parts, lead="全年"))
    else:
        w.p(_no_data("党员发展与流动"))
    if pts:
        w.p(f"{pts.branches_applied}个党支部（共{pts.branches}个）实行党员量化积分管理，覆盖率{pct(pts.coverage)}。")
    else:
        w.p(_no_data("党员量化积分管理"))


# --- 三、存在问题 / 四、下一步打算 ----------------------------------------------------------


def _date(value) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value or "")


# --- data note and tables --------------------------------------------------------------


def _data_note(report: SurveyReport, src: Sources, today: date):
    lines = [
        f"数据说明：本{'总结' if report.level == 'branch' else '报告'}中的数字均由基层党建工作台根据截至{_date(today)}的记录生成。"
    ]
    if report.missing:
        lines.append("数据缺失：" + "、".join(report.missing) + "。")
    if report.unavailable:
        lines.append("暂无数据：" + "、".join(report.unavailable) + "。")
    lines.extend(report.notes)
    for line in lines:
        report.blocks.append(Block("note", line))


def _tables(report: SurveyReport, src: Sources) -> list[tuple[str, list[str], list[list]]]:
    o = src.organizations
    m = report.members
    basic = [
        ["社区（村）", o["communities"], "个", "组织架构"],
        ["居民小组", o["resident_groups"], "个", "组织架构"],
        ["户籍户数", o.get("households_registered"), "户", f"{o.get('population_year') or ''}年户数人口"],
        ["户籍人口", o.get("people_registered"), "人", f"{o.get('population_year') or ''}年户数人口"],
        ["常住户数", o.get("households_resident"), "户", f"{o.get('population_year') or ''}年户数人口"],
        ["常住人口", o.get("people_resident"), "人", f"{o.get('population_year') or ''}年户数人口"],
        ["党支部", o["branches"], "个", "组织架构"],
        *[[f"{c}党支部", n, "个", "组织架构"] for c, n in o["branches_by_category"].items()],
        ["党员", m["total"], "名", "党员名册"],
        ["正式党员", m["full"], "名", "党员名册"],
        ["预备党员", m["probationary"], "名", "党员名册"],
        ["女党员", m["women"], "名", "党员名册"],
        ["少数民族党员", m["minorities"], "名", "党员名册"],
        ["35岁及以下党员", m["age_35_or_under"], "名", "党员名册"],
        ["大专及以上学历党员", m["college_or_above"], "名", "党员名册"],
        ["流动党员", m["mobile"], "名", "党员名册"],
        *[[f"年龄{band}", n, "名", "党员名册"] for band, n in m["age_bands"].items()],
    ]
    basic = [[r[0], r[1] if r[1] is not None else "数据缺失", r[2], r[3]] for r in basic]
    tables = [("基本情况", ["指标", "数值", "单位", "来源"], basic)]
    eco = getattr(report, "economy", None)
    if eco is not None:
        from dangjian.stats.types import FIGURES

        rows = []
        for s in eco.townships:
            for f, label, unit in FIGURES:
                v = getattr(s, f)
                rows.append([s.year, s.org.name, label, float(v) if v is not None else "数据缺失", unit])
        tables.append(("经济统计", ["年度", "党委", "指标", "数值", "单位"], rows))
        tables.append(
            (
                "特色产业",
                ["年度", "产业", "种植面积（亩）", "收入（万元）"],
                [
                    [
                        eco.year,
                        crop,
                        float(a) if a is not None else "数据缺失",
                        float(r) if r is not None else "数据缺失",
                    ]
                    for crop, a, r in eco.industries
                ],
            )
        )
    c = src.compliance
    if c and c.branches:
        tables.append(
            (
                "组织生活落实",
                ["党支部", "组织生活", "规定频次", "应开", "实开", "差额"],
                [
                    [b["branch"], b["kind"], period(b["period"]), b["required"], b["held"], b["shortfall"]]
                    for b in c.branches
                ],
            )
        )
    if c and c.meetings_by_kind:
        tables.append(("会议次数", ["类型", "次数"], [[k, n] for k, n in c.meetings_by_kind.items()]))
    d = src.dues
    if d and d.by_branch:
        tables.append(
            (
                "党费收缴",
                ["党支部", "应缴（元）", "实缴（元）", "收缴率"],
                [[b.branch, b.due, b.paid, pct(b.rate)] for b in d.by_branch],
            )
        )
    tables.append(
        (
            "存在问题",
            ["序号", "问题", "依据", "涉及党支部", "下一步措施"],
            [[n, p.title, p.evidence, "、".join(p.branches), p.measure] for n, p in enumerate(report.problems, 1)],
        )
    )
    notes = [["数据缺失", x] for x in report.missing] + [["暂无数据", x] for x in report.unavailable]
    notes += [["说明", x] for x in report.notes]
    tables.append(("数据说明", ["类别", "内容"], notes))
    return tables

"""三、存在问题: a registered list of problem rules, each a function of the figures.

A rule reads the report's Sources (typed results of the other apps) and returns a Problem
with its evidence — a figure from the records — or None. No data, no claim. The report lists
the problems in the order the rules are registered here.

To add one: write `def _my_rule(src: Sources, ctx: Context) -> Problem | None`, decorate it
with `@rule`, and add a test in tests/reports/test_reports_survey.py (docs/ARCHITECTURE.md,
"A new report section").
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from dangjian.core.settings_registry import setting
from dangjian.reports.sources import Sources
from dangjian.reports.wording import branch_list, money, num, org_label, pct, period

CHARTER_ART9 = "《中国共产党章程》第九条"
BRANCH_REGS = "《中国共产党支部工作条例（试行）》"


@dataclass
class Problem:
    title: str
    evidence: str
    measure_title: str
    measure: str
    branches: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    year: int
    where: str  # 全镇 | 全区 | 本支部


Rule = Callable[[Sources, Context], "Problem | None"]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a problem rule (in report order)."""
    RULES.append(fn)
    return fn


def find_problems(src: Sources, year: int, *, where: str = "全镇") -> list[Problem]:
    """Only what the data shows, each with its evidence."""
    ctx = Context(year=year, where=where)
    return [p for p in (r(src, ctx) for r in RULES) if p is not None]


def _date(value) -> str:
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value or "")


def _is_over(status) -> bool:
    """An Art. 9 row at the six-month line (status text as meetings.selectors gives it)."""
    s = str(status or "").lower()
    return "over" in s or "超" in s or "达到" in s


def _branches_or(branches: list[str], fallback: str = "所在党支部") -> str:
    return branch_list(branches) if branches else fallback


# --- the rules, in report order ------------------------------------------------------------


@rule
def orglife_shortfall(src: Sources, ctx: Context) -> Problem | None:
    c = src.compliance
    if not c:
        return None
    short = [b for b in c.branches if b["shortfall"] > 0]
    if not short:
        return None
    by_branch: OrderedDict[str, list[str]] = OrderedDict()
    for b in short:
        by_branch.setdefault(b["branch"], []).append(
            f"{b['kind']}（{period(b['period'])}）应开{b['required']}次、实开{b['held']}次，少{b['shortfall']}次"
        )
    details = "；".join(f"{org_label(br)}：{'，'.join(items)}" for br, items in list(by_branch.items())[:8])
    more = f"；另有{len(by_branch) - 8}个党支部，详见随附Excel表“组织生活落实”" if len(by_branch) > 8 else ""
    rate = f"，{ctx.where}组织生活落实率为{pct(c.rate)}"
    total_short = sum(b["shortfall"] for b in short)
    return Problem(
        title="组织生活制度落实不到位",
        evidence=(
            f"对照{BRANCH_REGS}规定的频次，{ctx.year}年有{len(by_branch)}个党支部未足额开展组织生活，"
            f"共少开{total_short}次{rate}。具体为：{details}{more}。"
        ),
        measure_title="抓实“三会一课”等组织生活制度",
        measure=(
            f"督促{branch_list(by_branch.keys())}对照规定频次，逐项补齐{total_short}次组织生活，"
            "此后每月在系统中查看“本月待办”，党委每月通报落实情况，防止走过场、流于形式。"
        ),
        branches=list(by_branch.keys()),
    )


@rule
def art9_absence(src: Sources, ctx: Context) -> Problem | None:
    c = src.compliance
    members = src.art9_members if c is None or c.art9.over or c.art9.warning else None
    if members:
        over = sum(1 for m in members if _is_over(m["status"]))
        warning = len(members) - over
    elif c:
        over, warning = c.art9.over, c.art9.warning
    else:
        over = warning = 0
    if not (over or warning):
        return None
    art9_branches = list(OrderedDict.fromkeys(m["branch"] for m in members or [] if m["branch"]))
    parts = []
    if over:
        parts.append(f"{over}名党员已连续6个月以上未参加组织生活")
    if warning:
        parts.append(f"{warning}名党员接近6个月未参加")
    where_br = f"，涉及{branch_list(art9_branches)}" if art9_branches else ""
    return Problem(
        title="部分党员长期不参加组织生活",
        evidence=f"截至{_date(src.as_of)}，{'，'.join(parts)}{where_br}（{CHARTER_ART9}）。",
        measure_title="逐人做好长期未参加组织生活党员的工作",
        measure=(
            f"由{_branches_or(art9_branches)}书记逐人谈心谈话，了解原因、帮助解决实际困难；"
            f"对已达到6个月的{over}名党员，按{CHARTER_ART9}的规定提出处置意见，报党委研究。"
            if over
            else f"由{_branches_or(art9_branches)}书记逐人提醒，在6个月期满前安排参加组织生活。"
        ),
        branches=art9_branches,
    )


@rule
def dues_late(src: Sources, ctx: Context) -> Problem | None:
    d = src.dues
    if not d:
        return None
    low = [b for b in d.by_branch if b.rate < 1]
    arrears, d_over, d_warn = d.members_in_arrears, d.art9_over, d.art9_warning
    if not (arrears or low or d_over or d_warn):
        return None
    parts = []
    if arrears:
        parts.append(f"{arrears}名党员欠缴党费，合计{money(d.arrears_amount)}元")
    if d_over:
        parts.append(f"其中{d_over}名连续6个月以上未交纳党费（{CHARTER_ART9}）")
    if d_warn:
        parts.append(f"{d_warn}名接近6个月未交纳")
    if low:
        parts.append(
            "收缴率未达100%的党支部有"
            + "、".join(f"{b.branch}（{pct(b.rate)}）" for b in low[:10])
            + (f"等{len(low)}个" if len(low) > 10 else "")
        )
    return Problem(
        title="党费收缴不及时",
        evidence=f"{ctx.year}年全年党费收缴率为{pct(d.rate)}；" + "；".join(parts) + "。",
        measure_title="按时足额收缴党费",
        measure=(
            f"{branch_list([b.branch for b in low]) or '相关党支部'}逐人核对欠缴情况，"
            "提醒党员按月交纳；对连续未交纳的党员先谈话了解原因，确有困难的按规定办理减免。"
        ),
        branches=[b.branch for b in low],
    )


@rule
def study_behind(src: Sources, ctx: Context) -> Problem | None:
    s = src.study
    if not s or not s.members:
        return None
    behind = s.members - s.members_meeting_target
    if behind <= 0:
        return None
    target = setting("STUDY_HOURS_PER_YEAR")
    return Problem(
        title="学习教育抓得不够实",
        evidence=f"{ctx.year}年{s.members}名党员中有{behind}名学习时长未达到年度{target}学时的要求，"
        f"全年人均学习{num(round(s.hours_total / s.members, 1))}学时。",
        measure_title="把学习教育落到每名党员",
        measure=f"对学习时长不足的{behind}名党员，由所在支部安排集中学习和送学上门，确保年度学时达标。",
    )


@rule
def study_plan_missed(src: Sources, ctx: Context) -> Problem | None:
    """Branches that did not carry out items of the year's study plan (重工作、轻学习)."""
    sp = src.study_plan
    if not sp or not sp.lagging:
        return None
    names = [b.branch for b in sp.lagging]
    details = "；".join(
        f"{org_label(b.branch)}{len(b.missed)}项（{'、'.join(i.period + i.topic for i in b.missed[:3])}"
        + ("等" if len(b.missed) > 3 else "")
        + "）"
        for b in sp.lagging[:8]
    )
    more = f"；另有{len(sp.lagging) - 8}个党支部" if len(sp.lagging) > 8 else ""
    return Problem(
        title="学习计划落实不到位",
        evidence=f"{ctx.year}年学习计划到期{sp.due}项（支部×计划项），已落实{sp.done_due}项，落实率{pct(sp.rate)}；"
        f"{len(sp.lagging)}个党支部有未按计划学习的内容：{details}{more}。",
        measure_title="按计划抓好集中学习",
        measure=f"{branch_list(names[:10])}对照年度学习计划逐项补学，以后每月按“本月学习计划”组织集中学习，"
        "在系统中按计划项记录，党委每季度通报各支部落实情况。",
        branches=names,
    )


@rule
def points_not_applied(src: Sources, ctx: Context) -> Problem | None:
    pts = src.points
    if not pts or not pts.branches_not_applied:
        return None
    names = pts.branches_not_applied
    return Problem(
        title="党员量化积分管理制度落实不严格",
        evidence=f"{len(names)}个党支部尚未实行党员量化积分管理（覆盖率{pct(pts.coverage)}）：{branch_list(names)}。",
        measure_title="推行党员量化积分管理全覆盖",
        measure=f"指导{branch_list(names)}建立积分台账，只对实际工作记分，年内实现全覆盖。",
        branches=list(names),
    )


@rule
def appraisal_not_done(src: Sources, ctx: Context) -> Problem | None:
    a = src.appraisal
    if not a or not a.not_done:
        return None
    return Problem(
        title="民主评议党员工作未全覆盖",
        evidence=f"{ctx.year}年有{len(a.not_done)}个党支部未完成民主评议党员：{branch_list(a.not_done)}。",
        measure_title="全面开展民主评议党员",
        measure=f"督促{branch_list(a.not_done)}按程序完成民主评议党员，及时表彰先进，对评为不合格的党员按规定稳妥处置。",
        branches=list(a.not_done),
    )


@rule
def rectification_late(src: Sources, ctx: Context) -> Problem | None:
    i = src.inspections
    if not i or not i.overdue:
        return None
    items = [f"{o.branch}“{o.title}”（期限{_date(o.deadline)}）" for o in i.overdue]
    brs = list(OrderedDict.fromkeys(o.branch for o in i.overdue if o.branch))
    return Problem(
        title="督查发现问题整改不及时",
        evidence=f"有{len(items)}个督查问题超过整改期限仍未整改到位：{'；'.join(items[:10])}"
        + (f"等{len(items)}个" if len(items) > 10 else "")
        + "。",
        measure_title="限期完成督查问题整改",
        measure=f"对{branch_list(brs)}逾期未整改的{len(items)}个问题逐项明确责任人和完成时限，整改结果经复查后销号，对弄虚作假的严肃处理。",
        branches=brs,
    )


@rule
def tasks_slow(src: Sources, ctx: Context) -> Problem | None:
    t = src.tasks
    if not t or not (t.overdue or t.stalled):
        return None
    overdue = [f"{o.org}“{o.title}”（期限{_date(o.deadline)}）" for o in t.overdue]
    stalled = [f"{o.org}“{o.title}”" for o in t.stalled]
    parts = []
    if overdue:
        parts.append(f"{len(overdue)}项任务逾期未完成：{'；'.join(overdue[:10])}")
    if stalled:
        days = setting("STALLED_TASK_DAYS")
        parts.append(f"{len(stalled)}项任务超过{days}天没有进展：{'；'.join(stalled[:10])}")
    orgs = list(OrderedDict.fromkeys(o.org for o in [*t.overdue, *t.stalled] if o.org))
    return Problem(
        title="“三抓三促”任务推进较慢",
        evidence=f"共{t.tasks}项任务中，" + "；".join(parts) + "。",
        measure_title="加快推进“三抓三促”任务",
        measure=f"{branch_list(orgs) or '责任单位'}对逾期和停滞的任务说明原因、重新排定时间表，党委每月跟踪进度。",
        branches=orgs,
    )


@rule
def integrity_signals(src: Sources, ctx: Context) -> Problem | None:
    sig = src.signals
    if not sig or not sig.open:
        return None
    kinds = "、".join(f"{k}{n}条" for k, n in sig.by_kind.items() if n)
    return Problem(
        title="部分工作记录存在形式主义疑点",
        evidence=f"系统发现{sig.open}条待核实的诚信信号" + (f"（{kinds}）" if kinds else "") + "，尚未核实处理。",
        measure_title="核实处理诚信信号",
        measure=f"对{sig.open}条待核实信号逐条核实：属实的责令改正并严肃处理弄虚作假行为，不属实的及时说明、销号。",
    )


@rule
def mobile_members(src: Sources, ctx: Context) -> Problem | None:
    lc = src.lifecycle
    if not lc or not (lc.mobile_contact_overdue or lc.lost):
        return None
    parts = []
    if lc.mobile_contact_overdue:
        parts.append(f"{lc.mobile_contact_overdue}名流动党员超过规定时间未与党组织联系")
    if lc.lost:
        long_lost = lc.lost_over_six_months + lc.lost_over_two_years
        parts.append(f"{lc.lost}名党员处于失联状态" + (f"（其中{long_lost}名失联超过六个月）" if long_lost else ""))
    return Problem(
        title="流动党员管理有薄弱环节",
        evidence="；".join(parts) + "。",
        measure_title="加强流动党员和失联党员管理",
        measure="逐人联系流动党员，落实流入地党组织和联系人；对失联党员多方查找，按规定处理。",
    )

"""The dashboard's chart data: a list of chart specs rendered by static/js/dashboard.js.

Each spec: {"id", "title", "type": bar|pie|line|heatmap, "labels", "series": [{"name",
"data"}], "urls": [one per label] | "url", "empty": text when there is nothing to draw,
"note"}. Clicking a bar/slice navigates to its url (the list behind the chart).

Queries are fixed whatever the data size: the roster is aggregated in the database
(one grouped query plus the overview's), and other capabilities are read once each
through sources.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.reports.sources import Sources


def url(name: str, **params) -> str | None:
    """reverse(name) with a query string; None when that page does not exist (yet)."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return None
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


def _chart(cid, title, ctype, labels, series, *, urls=None, link=None, empty="暂无数据", note="", **extra):
    has_data = any(any(v not in (None, 0) for v in s["data"]) for s in series) if series else False
    return {
        "id": cid,
        "title": title,
        "type": ctype,
        "labels": labels,
        "series": series,
        "urls": urls or [],
        "url": link,
        "empty": "" if has_data else empty,
        "note": note,
        **extra,
    }


def member_structure(root, today: date | None = None) -> dict[str, Counter]:
    """Counts of today's members (members.selectors.members_as_of) by education, sex,
    ethnicity, occupation, kind and mobility: ONE grouped query."""
    from dangjian.members.selectors import members_as_of

    rows = (
        members_as_of(root, clock.or_today(today))
        .values("education", "sex", "ethnicity", "occupation", "kind", "is_mobile")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {k: Counter() for k in ("education", "sex", "ethnicity", "occupation", "kind", "is_mobile")}
    for r in rows:
        for k in out:
            out[k][r[k]] += r["n"]
    return out


def _ordered(counter: Counter, order: list[str]) -> list[tuple[str, int]]:
    known = [(k, counter[k]) for k in order if counter.get(k)]
    rest = sorted(((k, v) for k, v in counter.items() if k not in order and v), key=lambda kv: -kv[1])
    return known + rest


@figure  # the charts as a whole: a warm dashboard unpickles this, not the dozen figures behind it
def build(root, year: int, *, today: date | None = None) -> dict:
    from dangjian.members.models import Education, MemberKind, Occupation, Sex
    from dangjian.orgs.selectors import AGE_BANDS

    src = Sources(root, year, today=today)
    o = src.overview
    s = member_structure(root, src.today)
    roster = "members:list"
    charts = []
    bands = [b for b, _lo, _hi in AGE_BANDS]
    charts.append(
        _chart(
            "age",
            "年龄结构",
            "bar",
            bands,
            [{"name": "党员", "data": [o["age_bands"].get(b, 0) for b in bands]}],
            urls=[url(roster, age=b) for b in bands],
        )
    )
    for key, title, order, param, ctype in (
        ("education", "学历", list(Education.values), "education", "pie"),
        ("sex", "性别", list(Sex.values), "sex", "pie"),
        ("ethnicity", "民族", ["汉族"], None, "pie"),
        ("occupation", "职业", list(Occupation.values), None, "bar"),
        ("kind", "人员类别", list(MemberKind.values), "kind", "pie"),
    ):
        pairs = _ordered(s[key], order)
        charts.append(
            _chart(
                key,
                title,
                ctype,
                [k for k, _v in pairs],
                [{"name": "党员", "data": [v for _k, v in pairs]}],
                urls=[url(roster, **({param: k} if param else {})) for k, _v in pairs],
            )
        )
    mobile = s["is_mobile"]
    charts.append(
        _chart(
            "mobile",
            "流动党员",
            "pie",
            ["流动党员", "在本地"],
            [{"name": "党员", "data": [mobile.get(True, 0), mobile.get(False, 0)]}],
            urls=[url("lifecycle:mobile") or url(roster, mobile="true"), url(roster, mobile="false")],
        )
    )
    c = src.compliance
    heat = c.heatmap if c else {"months": [], "rows": []}
    compliance_url = url("meetings:compliance", year=year)
    charts.append(
        _chart(
            "orglife",
            "组织生活（各支部每月会议次数）",
            "heatmap",
            heat["months"],
            [{"name": r["branch"], "data": r["cells"]} for r in heat["rows"]],
            link=compliance_url,
            note=f"落实率 {round(c.rate * 100, 1)}%" if c else "",
        )
    )
    kinds = list(c.meetings_by_kind.items()) if c else []
    charts.append(
        _chart(
            "meetings",
            "会议次数（按类型）",
            "bar",
            [k for k, _n in kinds],
            [{"name": "次数", "data": [n for _k, n in kinds]}],
            link=url("meetings:list", year=year),
        )
    )
    att = src.attendance or {}
    bins = ["未参加", "1%–49%", "50%–79%", "80%–99%", "全勤"]
    counts = Counter()
    for a in att.values():
        r = a.rate
        if r is None:
            continue
        counts[
            bins[0] if r == 0 else bins[1] if r < 0.5 else bins[2] if r < 0.8 else bins[3] if r < 1 else bins[4]
        ] += 1
    charts.append(
        _chart(
            "attendance",
            "党员参加组织生活率分布",
            "bar",
            bins,
            [{"name": "党员", "data": [counts[b] for b in bins]}],
            link=url("meetings:art9"),
        )
    )
    d = src.dues
    rows = d.by_branch if d else []
    charts.append(
        _chart(
            "dues",
            "党费收缴率（按支部）",
            "bar",
            [r.branch for r in rows],
            [{"name": "收缴率%", "data": [round(r.rate * 100, 1) for r in rows]}],
            urls=[url("dues:arrears", branch=r.branch_id) for r in rows],
            link=url("dues:arrears"),
            horizontal=True,
        )
    )
    st = src.study
    study_rows = st.by_branch if st else []
    charts.append(
        _chart(
            "study",
            "学习时长（按支部，学时）",
            "bar",
            [r.branch for r in study_rows],
            [{"name": "学时", "data": [round(r.hours_total, 1) for r in study_rows]}],
            link=url("study:list", year=year),
            horizontal=True,
        )
    )
    # 抓学习促提升 measured truthfully: plan items carried out and members reaching the 学时 of
    # 集中学习培训 (自学 is not counted), per branch; never time online or clicks.
    sp = src.study_plan
    plan_rows = [b for b in sp.branches if b.due] if sp and sp.has_plan else []
    charts.append(
        _chart(
            "study_plan",
            "学习计划落实率（按支部，到期计划项）",
            "bar",
            [b.branch for b in plan_rows],
            [{"name": "落实率%", "data": [round(b.rate * 100, 1) for b in plan_rows]}],
            urls=[url("study:plans", branch=b.branch_id, year=year) for b in plan_rows],
            link=url("study:plans", year=year),
            horizontal=True,
            empty="" if plan_rows else "本年度未制定学习计划或尚无到期计划项",
            note=f"已落实 {sp.done_due}/{sp.due} 项" if plan_rows else "",
        )
    )
    charts.append(
        _chart(
            "study_target",
            f"集中学习培训学时达标率（按支部，{st.required:g}学时）" if st else "集中学习培训学时达标率（按支部）",
            "bar",
            [r.branch for r in study_rows],
            [{"name": "达标率%", "data": [round(r.completion * 100, 1) for r in study_rows]}],
            link=url("study:list", year=year),
            horizontal=True,
            empty="" if study_rows else "暂无数据",
            note=f"{st.members_meeting_target}/{st.members} 名党员达标" if st else "",
        )
    )
    tr = src.training
    courses = tr.courses if tr else ()
    charts.append(
        _chart(
            "training",
            "入党积极分子、发展对象培训",
            "bar",
            [c.title for c in courses],
            [
                {"name": "参训", "data": [c.enrolled for c in courses]},
                {"name": "完成培训", "data": [c.completed for c in courses]},
                {"name": "考试合格", "data": [c.passed for c in courses]},
            ]
            if courses
            else [],
            link=url("study:courses"),
            horizontal=True,
            empty="本年度无培训班",
        )
    )
    p = src.points
    charts.append(
        _chart(
            "points",
            "积分管理覆盖",
            "pie",
            ["已实行", "未实行"],
            [{"name": "支部", "data": [p.branches_applied, p.branches - p.branches_applied] if p else []}],
            link=url("points:list"),
        )
    )
    a = src.appraisal
    grades = list(a.grades.items()) if a else []
    charts.append(
        _chart(
            "appraisal",
            "民主评议结果",
            "pie",
            [g for g, _n in grades],
            [{"name": "党员", "data": [n for _g, n in grades]}],
            link=url("reviews:list", year=year),
        )
    )
    i = src.inspections
    overdue = len(i.overdue) if i else 0
    charts.append(
        _chart(
            "rectification",
            "督查问题整改",
            "pie",
            ["已整改", "整改中（未逾期）", "逾期未整改"],
            [{"name": "问题", "data": [i.closed, max(0, i.open - overdue), overdue] if i else []}],
            link=url("inspections:list", year=year),
        )
    )
    t = src.tasks
    t_overdue = len(t.overdue) if t else 0
    charts.append(
        _chart(
            "tasks",
            "“三抓三促”任务进度",
            "pie",
            ["已完成", "推进中", "逾期"],
            [{"name": "任务", "data": [t.done, max(0, t.in_progress - t_overdue), t_overdue] if t else []}],
            link=url("actions:list", year=year),
        )
    )
    from dangjian.stats.types import FIGURES

    tr = src.trend
    years = [f"{y}年" for y in tr.years]
    stats_url = url("stats:list")
    labels = {f: (label, unit) for f, label, unit in FIGURES}
    charts.append(
        _chart(
            "economy",
            "经济发展趋势",
            "line",
            years,
            [
                {"name": f"{labels[f][0]}（{labels[f][1]}）", "data": tr.series[f], "axis": ax}
                for f, ax in (("gdp", 0), ("income_per_capita", 1))
            ]
            if years
            else [],
            link=stats_url,
            dual=True,
        )
    )
    charts.append(
        _chart(
            "labour",
            "劳务输出趋势",
            "line",
            years,
            [
                {"name": f"{labels[f][0]}（{labels[f][1]}）", "data": tr.series[f]}
                for f in ("labour_workers", "labour_skills_trained", "labour_orientation_trained")
            ]
            if years
            else [],
            link=stats_url,
        )
    )
    charts.append(
        _chart(
            "industry",
            "特色产业种植面积（亩）",
            "bar",
            years,
            [{"name": crop, "data": v["area"]} for crop, v in tr.industry.items()],
            link=stats_url,
        )
    )
    charts.append(
        _chart(
            "industry_revenue",
            "特色产业收入（万元）",
            "bar",
            years,
            [{"name": crop, "data": v["revenue"]} for crop, v in tr.industry.items()],
            link=stats_url,
            note="空缺的柱表示该年数据缺失" if any(None in v["revenue"] for v in tr.industry.values()) else "",
        )
    )
    figures = {
        "members": o["members"]["total"],
        "branches": o["branches"],
        "rate": c.rate if c else None,
        "dues_rate": d.rate if d else None,
        "art9": {"over": c.art9.over, "warning": c.art9.warning} if c else {},
    }
    return {
        "year": year,
        "org": root.name,
        "charts": charts,
        "figures": figures,
        "unavailable": list(src.unavailable.values()),
    }

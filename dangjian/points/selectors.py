"""Reads for 党员量化积分. Points from recorded facts are computed here, never stored:

- 参加组织生活 / 请假 / 无故缺席: meetings.selectors.member_attendance (attendance records);
- 按时交纳党费 / 欠缴党费: the dues month grid (PaidMonth, DuesBase);
- 学习: study.selectors.member_hours (学习记录 and 党课 attendance);
- manual items (志愿服务, 荣誉表彰, 先锋作用, 违纪违规): ManualPoint rows once approved by a
  person other than the proposer.

The rule set is the township's for the year (PointRuleSet), else rules.points.DEFAULT_RULESET.
Nothing counts logins, clicks, likes or time online (《关于防治“指尖上的形式主义”的若干意见》2023).
The total is a reference for the appraisal (民主评议), never a grade.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.core.settings_registry import setting
from dangjian.points.types import PointsSummary
from dangjian.rules.points import DEFAULT_RULESET, PointItem, compute_points

DERIVED_CODES = ("base", "attend", "leave", "absent", "dues_on_time", "dues_arrears", "study")


def _ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def ruleset_for(root, year: int):
    """(PointRuleSet or None, [PointItem]) that applies to `root` in `year`: the nearest
    ancestor's rule set, else the default (RULES.md §6 / rules.points). Two queries."""
    from dangjian.points.models import PointRuleSet

    rs = (
        PointRuleSet.objects.filter(org__path__in=_ancestor_paths(root.path), year=year)
        .select_related("org")
        .prefetch_related("rules")
        .order_by("-org__depth")
        .first()
    )
    if rs is None:
        return None, list(DEFAULT_RULESET)
    items = [
        PointItem(r.code, r.label, r.points, r.cap_per_year, r.source, r.per, r.basis, r.is_base)
        for r in sorted(rs.rules.all(), key=lambda r: r.position)
    ]
    return rs, items


def ranking_enabled(root, year: int) -> bool:
    rs, _ = ruleset_for(root, year)
    if rs is not None:
        return rs.ranking_enabled
    return setting("POINTS_RANKING")


def _year_end(year: int, today: date) -> date:
    return min(date(year, 12, 31), today)


@figure
def manual_points(root, year: int) -> tuple[tuple[int, int, str, str], ...]:
    """(member_id, branch_id, code, status) of the year's manual point items under `root`: the
    one read points_summary (which branches apply points management) and member_facts (the
    approved items) share. One query."""
    from dangjian.points.models import ManualPoint

    return tuple(
        ManualPoint.objects.filter(member__branch__path__startswith=root.path, year=year)
        .order_by()
        .values_list("member_id", "member__branch_id", "code", "status")
    )


def member_facts(root, year: int, *, today: date | None = None) -> dict[int, dict]:
    """{member_id: {code: count}} for current members under `root`. Fixed queries."""
    from dangjian.dues.months import last_completed_month
    from dangjian.dues.selectors import year_grid
    from dangjian.meetings.selectors import member_attendance
    from dangjian.points.models import ManualPoint
    from dangjian.study.selectors import member_hours

    today = clock.or_today(today)
    attendance = member_attendance(root, year, today=today)
    facts: dict[int, dict] = {mid: {} for mid in attendance}
    for mid, a in attendance.items():
        facts[mid].update(attend=a.attended, leave=a.excused, absent=a.unexcused)
    first = date(year, 1, 1)
    until = min(date(year, 12, 1), last_completed_month(today))
    if first <= until:
        for mid, md in year_grid(root, year, today=today).items():
            if mid in facts and md.is_current:
                facts[mid]["dues_on_time"] = sum(1 for m in md.due if first <= m <= until and m in md.on_time)
                facts[mid]["dues_arrears"] = len(md.arrears_months(until, first))
    for mid, h in member_hours(root, year).items():
        if mid in facts:
            facts[mid]["study"] = h
    for mid, _bid, code, status in manual_points(root, year):
        if status == ManualPoint.Status.APPROVED and mid in facts:
            facts[mid][code] = facts[mid].get(code, 0) + 1
    return facts


def _clean(facts: dict, items: list[PointItem]) -> dict:
    codes = {i.code for i in items}
    return {k: v for k, v in facts.items() if k in codes}


@figure
def points_summary(root, year: int, *, today: date | None = None) -> PointsSummary:
    """Coverage of points management (积分管理覆盖率 = branches applying / branches) and each
    member's total. A branch applies points management when it recorded manual items for the
    year or confirmed its year's points.

    Not composed of its townships' (orgs.selectors.parts_of) as the compliance and study
    figures are: a county's totals are not its townships' — the county's rule set is applied
    to every member (a township's own rule set, which member_points follows, is not). The
    facts are the same at every level (a member's 学时 are the member's: study.member_hours)
    and its member_hours is composed."""
    from dangjian.dues.selectors import branches_under
    from dangjian.points.models import BranchPointsYear

    branches = branches_under(root)
    applied = {bid for _mid, bid, _code, _status in manual_points(root, year)} | set(
        BranchPointsYear.objects.filter(branch__path__startswith=root.path, year=year).values_list(
            "branch_id", flat=True
        )
    )
    ids = [b["branch_id"] for b in branches]
    n_applied = sum(1 for i in ids if i in applied)
    _, items = ruleset_for(root, year)
    totals = {}
    by_facts: dict[frozenset, int] = {}  # compute_points is pure: a county's 31,000 members have 12,000 distinct facts
    for mid, f in member_facts(root, year, today=today).items():
        clean = _clean(f, items)
        key = frozenset(clean.items())
        if key not in by_facts:
            by_facts[key] = compute_points(items, clean)[1]
        totals[mid] = by_facts[key]
    return PointsSummary(
        year=year,
        branches=len(branches),
        branches_applied=n_applied,
        coverage=n_applied / len(branches) if branches else 0.0,
        branches_not_applied=[b["branch"] for b in branches if b["branch_id"] not in applied],
        branch_ids_not_applied=[b["branch_id"] for b in branches if b["branch_id"] not in applied],
        member_totals=totals,
    )


def _source_text(item: PointItem, count, member_manual: list) -> str:
    code = item.code
    if item.is_base:
        return "每年基础分"
    if code == "attend":
        return f"会议出席记录：出席（含流入地）{count} 次"
    if code == "leave":
        return f"会议出席记录：请假 {count} 次"
    if code == "absent":
        return f"会议出席记录：无故缺席 {count} 次"
    if code == "dues_on_time":
        return f"党费台账：按时交纳 {count} 个月"
    if code == "dues_arrears":
        return f"党费台账：截至上月欠缴 {count} 个月"
    if code == "study":
        return f"学习记录及党课出席：共 {count} 学时（每{item.per}学时计分）"
    entries = [m for m in member_manual if m.code == code]
    if not entries:
        return "无"
    return "；".join(
        f"{m.date.month}月{m.date.day}日 {m.description}（依据：{m.evidence}；{m.proposed_by} 提出，{m.decided_by} 审核）"
        for m in entries
    )


def member_points(member, year: int, *, today: date | None = None) -> list[tuple]:
    """[(PointItem, count, points, source description)] for one member; the points of the
    list add up to the member's total."""
    from dangjian.points.models import ManualPoint

    facts = member_facts(member.branch, year, today=today).get(member.pk, {})
    _, items = ruleset_for(member.branch, year)
    lines, _total = compute_points(items, _clean(facts, items))
    manual = list(
        ManualPoint.objects.filter(member=member, year=year, status=ManualPoint.Status.APPROVED)
        .select_related("proposed_by", "decided_by")
        .order_by("date")
    )
    return [(ln.item, ln.count, ln.points, _source_text(ln.item, ln.count, manual)) for ln in lines]


def branch_totals(branch, year: int, *, today: date | None = None) -> list[dict]:
    """Current members of `branch` with their yearly total (a reference), by name."""
    from dangjian.members.models import Member

    totals = points_summary(branch, year, today=today).member_totals
    rows = Member.objects.filter(branch__path__startswith=branch.path, is_current=True).order_by("name_pinyin", "id")
    return [{"member_id": mid, "name": name, "total": totals.get(mid)} for mid, name in rows.values_list("id", "name")]


def pending_for(qs):
    """Manual items waiting for approval (qs already scoped by the caller)."""
    from dangjian.points.models import ManualPoint

    return (
        qs.filter(status=ManualPoint.Status.PENDING)
        .select_related("member", "member__branch", "proposed_by")
        .order_by("date")
    )


def label_of(items: list[PointItem]) -> dict[str, str]:
    return {i.code: i.label for i in items}


def manual_items(items: list[PointItem]) -> list[PointItem]:
    return [i for i in items if i.source == "manual"]


def as_decimal(v) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(v)


def by_branch_counts(root, year: int) -> dict[int, int]:
    """Approved manual items per branch (for the township overview)."""
    from dangjian.points.models import ManualPoint

    out: dict[int, int] = defaultdict(int)
    for bid in ManualPoint.objects.filter(
        member__branch__path__startswith=root.path, year=year, status=ManualPoint.Status.APPROVED
    ).values_list("member__branch_id", flat=True):
        out[bid] += 1
    return dict(out)


def item_label(code: str) -> str:
    """A points item's code ("volunteer") as its name: the township's rules, else the defaults
    (the audit log words a 手工积分's item with it)."""
    from dangjian.points.models import PointRule
    from dangjian.rules.points import DEFAULT_RULESET

    label = PointRule.objects.filter(code=code).order_by("-ruleset_id").values_list("label", flat=True).first()
    return label or next((i.label for i in DEFAULT_RULESET if i.code == code), "")

"""Reads for 民主评议, 不合格党员处置 and branch rating.

Figures from other apps (attendance, dues, study, points) are read through their selectors
every time a page is shown — never copied here — so a rating changes when the records do.
When a source app is not installed yet, its figure is None and pages show 暂无数据.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from dangjian.members.models import Member, MemberKind
from dangjian.orgs.models import BRANCH_TYPES, Organization
from dangjian.reviews.models import (
    Appraisal,
    AppraisalEntry,
    BallotTally,
    BranchRating,
    Disposal,
    Indicator,
    ManualScore,
    RatingTemplate,
)
from dangjian.rules.appraisal import GRADES, LEAVING_MEASURES, rejoin_allowed_from

NO_DATA = "暂无数据"


def _source(module: str, name: str):
    """A function of another app, or None while that app has not provided it."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _call(module: str, name: str, *args, **kwargs):
    """`module.name(*args, **kwargs)` through the data-version cache (core.cache), keyed like
    reports.sources.call, so a report that already read a figure is not recomputed here."""
    from dangjian.core.cache import cached

    fn = _source(module, name)
    if fn is None:
        return None
    return cached((module, name, args, kwargs), lambda: fn(*args, **kwargs))


def branches_under(root) -> list[Organization]:
    if root.org_type in BRANCH_TYPES:
        return [root]
    return list(
        Organization.objects.filter(path__startswith=root.path, org_type__in=BRANCH_TYPES, is_active=True).order_by(
            "path"
        )
    )


# --- 民主评议 -----------------------------------------------------------------------------


def appraisal_summary(root, year: int) -> dict:
    """{"branches","branches_done","grades": {grade: n},"not_done": [names]}. 3 queries."""
    branches = branches_under(root)
    done_ids = set(
        Appraisal.objects.filter(branch__path__startswith=root.path, year=year, step=Appraisal.Step.DONE).values_list(
            "branch_id", flat=True
        )
    )
    counts = dict(
        AppraisalEntry.objects.filter(appraisal__branch__path__startswith=root.path, appraisal__year=year)
        .exclude(grade="")
        .values_list("grade")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("grade", "n")
    )
    return {
        "branches": len(branches),
        "branches_done": sum(1 for b in branches if b.pk in done_ids),
        "grades": {g: counts.get(g, 0) for g in GRADES},
        "not_done": [str(b) for b in branches if b.pk not in done_ids],
    }


def appraisal_rows(user, year: int) -> list[dict]:
    """The list page: each branch in scope with its appraisal (or none) and grade counts."""
    from dangjian.accounts.scope import orgs_in_scope

    branches = list(orgs_in_scope(user, branches_only=True))
    appraisals = {a.branch_id: a for a in Appraisal.objects.filter(branch__in=[b.pk for b in branches], year=year)}
    stats = (
        AppraisalEntry.objects.filter(appraisal__in=[a.pk for a in appraisals.values()])
        .values("appraisal_id")
        .annotate(
            total=Count("id"),
            full=Count("id", filter=Q(member_kind=MemberKind.FULL)),
            graded=Count("id", filter=~Q(grade="")),
            excellent=Count("id", filter=Q(grade="优秀")),
            failed=Count("id", filter=Q(grade="不合格")),
        )
        .order_by()
    )
    by_appraisal = {s["appraisal_id"]: s for s in stats}
    rows = []
    for b in branches:
        a = appraisals.get(b.pk)
        rows.append({"branch": b, "appraisal": a, "stats": by_appraisal.get(a.pk, {}) if a else {}})
    return rows


def tallies(appraisal: Appraisal) -> dict[int, dict[str, dict[str, int]]]:
    """{entry_id: {"online": {grade: n}, "paper": {...}, "total": {...}}}. One query."""
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: {
            "online": dict.fromkeys(GRADES, 0),
            "paper": dict.fromkeys(GRADES, 0),
            "total": dict.fromkeys(GRADES, 0),
        }
    )
    for entry_id, source, grade, n in BallotTally.objects.filter(entry__appraisal=appraisal).values_list(
        "entry_id", "source", "grade", "count"
    ):
        out[entry_id][source][grade] = n
        out[entry_id]["total"][grade] += n
    return out


def member_references(branch, year: int) -> dict[int, dict[str, str]]:
    """Attendance, dues, study hours and points beside each member (references only)."""
    refs: dict[int, dict[str, str]] = defaultdict(
        lambda: dict.fromkeys(("attendance", "dues", "study", "points"), NO_DATA)
    )
    att = _call("dangjian.meetings.selectors", "member_attendance", branch, year)
    if att:
        for mid, a in att.items():
            rate = a.get("rate")
            refs[mid]["attendance"] = f"{a.get('attended', 0)}/{a.get('expected', 0)}次" + (
                f"（{rate * 100:.0f}%）" if rate is not None else ""
            )
    dues_grid = _source("dangjian.dues.grid", "dues_grid")
    members_for = _source("dangjian.dues.grid", "members_for")
    window = _source("dangjian.dues.selectors", "year_window")
    if dues_grid and members_for and window:
        first, last = window(year, date.today())
        if first <= last:
            for mid, md in dues_grid(members_for(branch), until=last).items():
                due, paid = md.due_in(first, last), md.paid_in(first, last)
                refs[mid]["dues"] = f"应缴{due}元 已缴{paid}元"
    study = _call("dangjian.study.selectors", "study_summary", branch, year)
    if study and isinstance(study.get("member_hours"), dict):
        for mid, hours in study["member_hours"].items():
            refs[mid]["study"] = f"{hours}学时"
    points = _call("dangjian.points.selectors", "points_summary", branch, year)
    if points and isinstance(points.get("member_totals"), dict):
        for mid, total in points["member_totals"].items():
            refs[mid]["points"] = f"{total}分"
    return refs


def commendation_list(user, year: int):
    """表彰名单: 优秀 members decided by a recorded meeting, in scope."""
    from dangjian.accounts.scope import visible_to

    return (
        visible_to(user, AppraisalEntry)
        .filter(appraisal__year=year, grade="优秀", decided_meeting__isnull=False)
        .select_related("member", "appraisal__branch", "decided_meeting")
        .order_by("appraisal__branch__path", "member__name_pinyin")
    )


# --- 不合格党员处置 ------------------------------------------------------------------------


def rejoin_ban_until(member) -> date | None:
    """Until when a member 劝退/除名 may not rejoin (5 years, 《中国共产党不合格党员组织处置办法》);
    None when no such final decision is recorded. One query."""
    d = (
        Disposal.objects.filter(entry__member=member, measure__in=list(LEAVING_MEASURES), decided_on__isnull=False)
        .exclude(status=Disposal.Status.WITHDRAWN)
        .select_related("leaving_event")
        .order_by("-decided_on")
        .first()
    )
    if d is None:
        return None
    start = d.leaving_event.date if d.leaving_event_id else d.decided_on
    return rejoin_allowed_from(start)


def disposal_alerts(root, today: date) -> dict:
    """Steps past due, correction periods ending within 30 days. 2 queries."""
    steps_overdue = (
        Disposal.objects.filter(
            entry__appraisal__branch__path__startswith=root.path,
            status=Disposal.Status.OPEN,
            steps__done_on__isnull=True,
            steps__due_on__lt=today,
        )
        .distinct()
        .count()
    )
    from datetime import timedelta

    correction_due = Disposal.objects.filter(
        entry__appraisal__branch__path__startswith=root.path,
        status=Disposal.Status.OPEN,
        measure="限期改正",
        deadline__lte=today + timedelta(days=30),
    ).count()
    return {"steps_overdue": steps_overdue, "correction_due": correction_due}


# --- 支部评星 ------------------------------------------------------------------------------


def _branch_key(item, names: dict[str, int]) -> int | None:
    if isinstance(item, dict):
        return item.get("branch_id") or names.get(item.get("branch") or item.get("name"))
    if isinstance(item, int):
        return item
    if isinstance(item, Organization):
        return item.pk
    return names.get(str(item))


def branch_indicators(
    root, year: int, branches: list[Organization] | None = None, *, today: date | None = None
) -> dict[int, dict[str, float | None]]:
    """Each branch's data-driven indicators (fractions 0–1, None = 暂无数据), computed now
    from the records through each app's selector. A fixed number of queries.

    `today` (the report's day) is passed on to compliance_summary so that the figure read
    here is the one reports.sources already computed (same cache key)."""
    from dangjian.inspections.models import RectificationItem

    branches = branches if branches is not None else branches_under(root)
    out = {b.pk: dict.fromkeys(Indicator.values) for b in branches}
    names = {}
    for b in branches:
        names[str(b)] = b.pk
        names[b.name] = b.pk

    comp = (
        _call("dangjian.meetings.selectors", "compliance_summary", root, year, today=today)
        if today is not None
        else _call("dangjian.meetings.selectors", "compliance_summary", root, year)
    )
    if comp:
        req: dict[int, int] = defaultdict(int)
        held: dict[int, int] = defaultdict(int)
        for row in comp.get("branches", []):
            bid = row.get("branch_id")
            r = row.get("required") or 0
            req[bid] += r
            held[bid] += min(row.get("held") or 0, r)
        for bid in out:
            if req.get(bid):
                out[bid][Indicator.ORGLIFE] = held[bid] / req[bid]

    att = _call("dangjian.meetings.selectors", "member_attendance", root, year)
    if att is not None:
        branch_of = dict(Member.objects.filter(branch__path__startswith=root.path).values_list("id", "branch_id"))
        rates: dict[int, list[float]] = defaultdict(list)
        for mid, a in att.items():
            if a.get("rate") is not None and branch_of.get(mid) in out:
                rates[branch_of[mid]].append(a["rate"])
        for bid, rs in rates.items():
            out[bid][Indicator.ATTENDANCE] = sum(rs) / len(rs)

    dues = _call("dangjian.dues.selectors", "dues_summary", root, year)
    if dues:
        for row in dues.get("by_branch", []):
            if row.get("branch_id") in out and row.get("rate") is not None:
                out[row["branch_id"]][Indicator.DUES] = float(row["rate"])

    study = _call("dangjian.study.selectors", "study_summary", root, year)
    if study:
        for row in study.get("by_branch", []):
            if row.get("branch_id") in out and row.get("completion") is not None:
                out[row["branch_id"]][Indicator.STUDY] = float(row["completion"])

    points = _call("dangjian.points.selectors", "points_summary", root, year)
    if points is not None:
        not_applied = {_branch_key(i, names) for i in points.get("branches_not_applied", [])}
        for bid in out:
            out[bid][Indicator.POINTS] = 0.0 if bid in not_applied else 1.0

    rect = (
        RectificationItem.objects.filter(
            finding__branch__path__startswith=root.path, finding__inspection__date__year=year
        )
        .values("finding__branch_id")
        .annotate(total=Count("id"), closed=Count("id", filter=Q(status=RectificationItem.Status.DONE)))
        .order_by()
    )
    for row in rect:
        bid = row["finding__branch_id"]
        if bid in out and row["total"]:
            out[bid][Indicator.RECTIFICATION] = row["closed"] / row["total"]
    return out


def active_template(root) -> RatingTemplate | None:
    """The active template of the nearest organization at or above `root` that has one."""
    ancestors = [root.path[:i] for i in range(Organization.steplen, len(root.path) + 1, Organization.steplen)]
    return (
        RatingTemplate.objects.filter(org__path__in=ancestors, is_active=True)
        .prefetch_related("criteria", "levels")
        .order_by("-org__depth", "-id")
        .first()
    )


def score_rating(template: RatingTemplate, indicators: dict[str, float | None], manual: dict[int, ManualScore]) -> dict:
    """Per-criterion scores (mean of its indicators ×100 and its manual score), the weighted
    total and the star level. A criterion with nothing yet → None and no total."""
    criteria = []
    total_w = 0
    total = 0.0
    complete = True
    for c in template.criteria.all():
        parts = []
        auto = []
        for code in c.indicator_codes:
            v = indicators.get(code)
            auto.append((Indicator(code).label, v))
            if v is not None:
                parts.append(v * 100)
        ms = manual.get(c.pk) if c.manual else None
        if ms is not None:
            parts.append(ms.score)
        score = sum(parts) / len(parts) if parts else None
        if c.manual and ms is None:
            complete = False
        if score is None:
            complete = False
        else:
            total += c.weight * score
        total_w += c.weight
        criteria.append({"criterion": c, "auto": auto, "manual": ms, "score": score})
    final = round(total / total_w, 1) if complete and total_w else None
    stars = None
    if final is not None:
        for lv in sorted(template.levels.all(), key=lambda lv: -lv.min_score):
            if final >= lv.min_score:
                stars = lv
                break
    return {"criteria": criteria, "total": final, "stars": stars}


def rating_rows(
    root,
    year: int,
    template: RatingTemplate | None,
    branches: list[Organization] | None = None,
    *,
    today: date | None = None,
) -> list[dict]:
    branches = branches if branches is not None else branches_under(root)
    inds = branch_indicators(root, year, branches, today=today)
    ratings = {
        r.branch_id: r
        for r in BranchRating.objects.filter(branch__in=[b.pk for b in branches], year=year).prefetch_related("scores")
    }
    rows = []
    for b in branches:
        r = ratings.get(b.pk)
        manual = {s.criterion_id: s for s in r.scores.all()} if r else {}
        scored = (
            score_rating(template, inds[b.pk], manual) if template else {"criteria": [], "total": None, "stars": None}
        )
        rows.append({"branch": b, "rating": r, "indicators": inds[b.pk], **scored})
    return rows


def rating_summary(root, year: int, *, today: date | None = None) -> dict:
    """{"rated","stars": {level: n},"model_branches": [names]} — computed from the records."""
    template = active_template(root)
    rows = rating_rows(root, year, template, today=today)
    stars: dict[int, int] = {}
    if template:
        stars = {lv.stars: 0 for lv in template.levels.all()}
    rated = 0
    models_ = []
    for row in rows:
        if row["rating"] is None:
            continue
        rated += 1
        if row["stars"] is not None:
            stars[row["stars"].stars] = stars.get(row["stars"].stars, 0) + 1
        if row["rating"].is_model:
            models_.append(str(row["branch"]))
    return {"rated": rated, "stars": stars, "model_branches": models_}

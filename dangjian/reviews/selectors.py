"""Reads for 民主评议, 不合格党员处置 and branch rating.

Figures from other apps (attendance, dues, study, points, rectification) are read through
their selectors and typed results every time a page is shown — never copied here — so a
rating changes when the records do. Those selectors are `@figure`s (core.figures): within a
request or a report each is computed once, whoever asks first.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Count, Q

from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.dues import selectors as dues
from dangjian.inspections import selectors as inspections
from dangjian.meetings import selectors as meetings
from dangjian.members.models import MemberKind
from dangjian.members.selectors import year_roster
from dangjian.orgs.models import Organization
from dangjian.points import selectors as points
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
from dangjian.reviews.types import AppraisalSummary, RatingSummary
from dangjian.rules.appraisal import GRADES, LEAVING_MEASURES, rejoin_allowed_from
from dangjian.study import selectors as study

NO_DATA = "暂无数据"
DECIDING_KINDS = ("member_meeting", "committee_meeting")  # 党员大会 / 支委会


def branches_under(root) -> list[Organization]:
    """orgs.selectors.branches_under (the one owner)."""
    from dangjian.orgs.selectors import branches_under as branches

    return branches(root)


# --- 民主评议 -----------------------------------------------------------------------------


@figure
def appraisal_summary(root, year: int) -> AppraisalSummary:
    """Branches that completed the year's 民主评议, grades given, branches not done. One query
    (besides the tree): the year's appraisals with their entries counted per grade."""
    branches = branches_under(root)
    done_ids: set[int] = set()
    counts: dict[str, int] = defaultdict(int)
    for branch_id, step, grade, n in (
        Appraisal.objects.filter(branch__path__startswith=root.path, year=year)
        .values_list("branch_id", "step", "entries__grade")
        .annotate(n=Count("entries"))
        .order_by()
    ):
        if step == Appraisal.Step.DONE:
            done_ids.add(branch_id)
        if grade:  # an appraisal without entries gives one row with no grade; blank = 预备党员
            counts[grade] += n
    return AppraisalSummary(
        branches=len(branches),
        branches_done=sum(1 for b in branches if b.pk in done_ids),
        grades={g: counts.get(g, 0) for g in GRADES},
        not_done=[str(b) for b in branches if b.pk not in done_ids],
    )


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


def member_references(branch, year: int, *, today: date | None = None) -> dict[int, dict[str, str]]:
    """Attendance, dues, study hours and points beside each member (references only)."""
    refs: dict[int, dict[str, str]] = defaultdict(
        lambda: dict.fromkeys(("attendance", "dues", "study", "points"), NO_DATA)
    )
    today = clock.or_today(today)
    for mid, a in meetings.member_attendance(branch, year, today=today).items():
        refs[mid]["attendance"] = f"{a.attended}/{a.expected}次" + (
            f"（{a.rate * 100:.0f}%）" if a.rate is not None else ""
        )
    for mid, (due, paid) in dues.member_year_dues(branch, year, today=today).items():
        refs[mid]["dues"] = f"应缴{due}元 已缴{paid}元"
    for mid, hours in study.study_summary(branch, year, today=today).member_hours.items():
        refs[mid]["study"] = f"{hours}学时"
    for mid, total in points.points_summary(branch, year, today=today).member_totals.items():
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


def branch_indicators(
    root, year: int, branches: list[Organization] | None = None, *, today: date | None = None
) -> dict[int, dict[str, float | None]]:
    """Each branch's data-driven indicators (fractions 0–1, None = 暂无数据), computed now
    from the records through each app's selector (the same @figure values the dashboard and
    the report read). A fixed number of queries."""
    today = clock.or_today(today)
    branches = branches if branches is not None else branches_under(root)
    out = {b.pk: dict.fromkeys(Indicator.values) for b in branches}

    comp = meetings.compliance_summary(root, year, today=today)
    req: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    for row in comp.branches:
        r = row["required"]
        req[row["branch_id"]] += r
        held[row["branch_id"]] += min(row["held"], r)
    for bid in out:
        if req.get(bid):
            out[bid][Indicator.ORGLIFE] = held[bid] / req[bid]

    att = meetings.member_attendance(root, year, today=today)
    branch_of = {m.id: m.branch_id for m in year_roster(root, year, clock.judged_at(year, today)) if m.in_year}
    rates: dict[int, list[float]] = defaultdict(list)
    for mid, a in att.items():
        if a.rate is not None and branch_of.get(mid) in out:
            rates[branch_of[mid]].append(a.rate)
    for bid, rs in rates.items():
        out[bid][Indicator.ATTENDANCE] = sum(rs) / len(rs)

    for row in dues.dues_summary(root, year, today=today).by_branch:
        if row.branch_id in out:
            out[row.branch_id][Indicator.DUES] = row.rate

    for row in study.study_summary(root, year, today=today).by_branch:
        if row.branch_id in out:
            out[row.branch_id][Indicator.STUDY] = row.completion

    not_applied = set(points.points_summary(root, year, today=today).branch_ids_not_applied)
    for bid in out:
        out[bid][Indicator.POINTS] = 0.0 if bid in not_applied else 1.0

    for bid, (total, closed) in inspections.rectification_by_branch(root, year).items():
        if bid in out and total:
            out[bid][Indicator.RECTIFICATION] = closed / total
    return out


def active_template(root) -> RatingTemplate | None:
    """The active template of the nearest organization at or above `root` that has one."""
    from dangjian.orgs.selectors import ancestor_paths

    ancestors = ancestor_paths(root)
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


@figure
def rating_summary(root, year: int, *, today: date | None = None) -> RatingSummary:
    """Branches rated, by stars, and the 示范 branches — computed from the records."""
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
    return RatingSummary(rated=rated, stars=stars, model_branches=models_)


def own_template(org) -> RatingTemplate | None:
    """The active template of `org` itself (not inherited), or None. One query."""
    return RatingTemplate.objects.filter(org=org, is_active=True).first()


def template_preview(org) -> tuple[RatingTemplate, list, list]:
    """(template, criteria, levels) for the template page. Without a template of its own yet,
    the 五好党支部 default as unsaved objects: a GET writes nothing; the first 保存 creates it
    (services.default_template)."""
    from dangjian.reviews.models import RatingCriterion, StarLevel
    from dangjian.reviews.services import DEFAULT_CRITERIA, DEFAULT_LEVELS

    tpl = own_template(org)
    if tpl is not None:
        return tpl, list(tpl.criteria.all()), list(tpl.levels.all())
    tpl = RatingTemplate(org=org, name="五好党支部评星标准")
    criteria = [
        RatingCriterion(order=i, name=name, description=desc, weight=20, indicators=ind, manual=manual)
        for i, (name, desc, ind, manual) in enumerate(DEFAULT_CRITERIA, start=1)
    ]
    levels = [StarLevel(stars=stars, min_score=min_score, label=label) for stars, min_score, label in DEFAULT_LEVELS]
    return tpl, criteria, levels


# --- reads the appraisal pages and services share ---------------------------------------------


def deciding_meetings(appraisal: Appraisal):
    """The branch's 党员大会/支委会 meetings from the appraisal year on (组织评定 candidates)."""
    from dangjian.meetings.selectors import meetings_of_kinds

    return meetings_of_kinds(appraisal.branch, DECIDING_KINDS, since=date(appraisal.year, 1, 1))


def disposal_meetings(disposal):
    """The branch's meetings since the 处置 began (the meeting a step was decided at)."""
    from dangjian.meetings.selectors import meetings_since

    return meetings_since(disposal.entry.appraisal.branch, disposal.started_on)


def study_meetings(appraisal: Appraisal):
    """The branch's meetings of the appraisal year (学习教育 candidates)."""
    from dangjian.meetings.selectors import meetings_in_year

    return meetings_in_year(appraisal.branch, appraisal.year)

"""Reads for 抓学习促提升: the plan that applies to a branch (the township's items plus the
branch's own), which items each branch has carried out (linked study records or meetings),
the month's topics, materials, and the 培训班 totals the 发展党员 pipeline reads.

An item is *due* once its last month has ended (a past year: every item); it is *done* for a
branch when a study activity of that branch (or of an organization above it that its members
attended) or one of the branch's meetings is linked to it. The typed results below are what
other apps (reports, meetings' 本月待办, lifecycle) import.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from dangjian.core.figures import figure
from dangjian.orgs.selectors import ancestor_paths


@dataclass(frozen=True)
class ItemStatus:
    item_id: int
    topic: str
    period: str
    month_from: int
    month_to: int
    hours: Decimal
    from_org: str  # 镇党委 / 本支部: who set the item
    due: bool
    done: bool
    activity_ids: tuple[int, ...]
    meeting_ids: tuple[int, ...]


@dataclass(frozen=True)
class BranchPlanProgress:
    branch_id: int
    branch: str
    items: tuple[ItemStatus, ...]

    @property
    def due(self) -> int:
        return sum(1 for i in self.items if i.due)

    @property
    def done_due(self) -> int:
        return sum(1 for i in self.items if i.due and i.done)

    @property
    def missed(self) -> tuple[ItemStatus, ...]:
        return tuple(i for i in self.items if i.due and not i.done)

    @property
    def rate(self) -> float | None:
        return self.done_due / self.due if self.due else None


@dataclass(frozen=True)
class PlanProgress:
    year: int
    as_of: date
    has_plan: bool
    branches: tuple[BranchPlanProgress, ...]

    @property
    def due(self) -> int:
        return sum(b.due for b in self.branches)

    @property
    def done_due(self) -> int:
        return sum(b.done_due for b in self.branches)

    @property
    def rate(self) -> float | None:
        return self.done_due / self.due if self.due else None

    @property
    def lagging(self) -> tuple[BranchPlanProgress, ...]:
        """Branches with due items not carried out, most missed first."""
        rows = [b for b in self.branches if b.missed]
        return tuple(sorted(rows, key=lambda b: (-len(b.missed), b.branch)))


@dataclass(frozen=True)
class CourseSummary:
    """One 培训班 of the year as the dashboard and the report show it."""

    course_id: int
    title: str
    audience: str
    enrolled: int
    completed: int  # 发展对象: 3 days or 24 学时 (rules.development); 积极分子: every session
    tested: int  # a score entered
    passed: int


@dataclass(frozen=True)
class TrainingSummary:
    year: int
    courses: tuple[CourseSummary, ...]

    @property
    def enrolled(self) -> int:
        return sum(c.enrolled for c in self.courses)

    @property
    def completed(self) -> int:
        return sum(c.completed for c in self.courses)

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.courses)


@dataclass(frozen=True)
class TrainingTotal:
    """One person's 培训班 record: distinct days and 学时 attended, best test score."""

    days: int
    hours: Decimal
    best_score: Decimal | None
    passed: bool


def _items_for_paths(paths: list[str], year: int):
    from dangjian.study.models import PlanItem

    return (
        PlanItem.objects.filter(plan__year=year, plan__org__path__in=paths)
        .select_related("plan__org")
        .order_by("month_from", "plan__org__depth", "id")
    )


def items_for_branch(branch, year: int):
    """Plan items that apply to `branch` in `year`: its own and its ancestors'."""
    return _items_for_paths(ancestor_paths(branch), year)


def _is_due(item, year: int, as_of: date) -> bool:
    """Due once the item's last month is over: its last day is on or before `as_of` (a year
    judged at 31 December owes its November—December item)."""
    import calendar

    last = date(year, item.month_to, calendar.monthrange(year, item.month_to)[1])
    return last <= as_of


@figure
def plan_progress(root, year: int, *, as_of: date) -> PlanProgress:
    """Per branch under `root`: every plan item that applies, due or not, done or not, with the
    records that carried it out. Three queries whatever the size (one without a plan).

    A county's is its townships' (orgs.selectors.parts_of; each cached under its own tokens,
    the missing ones read together): a branch's row depends only on the items of its own
    organisations and their ancestors (a 区委 item is in every township's) and on the records
    linked to them, so the rows are the same; a township without a plan shows its branches
    with no items, as the county did."""
    from dangjian.core import figures
    from dangjian.orgs.selectors import branches_under, parts_of

    parts = parts_of(root)
    if not parts:
        return _progress(root, [root], year, as_of)[0]

    def missing(indexes: list[int]) -> list[PlanProgress]:
        return _progress(root, [parts[i] for i in indexes], year, as_of)

    values = figures.parts(plan_progress, [(p, year) for p in parts], missing, kwargs={"as_of": as_of})
    if not any(v.has_plan for v in values):
        return PlanProgress(year=year, as_of=as_of, has_plan=False, branches=())
    everything = branches_under(root)
    rows: list[BranchPlanProgress] = []
    for p, v in zip(parts, values, strict=True):
        if v.has_plan:
            rows.extend(v.branches)
        else:  # no item applies to its branches: each listed without items
            rows.extend(
                BranchPlanProgress(branch_id=b.pk, branch=b.short_name or b.name, items=())
                for b in everything
                if b.path.startswith(p.path)
            )
    return PlanProgress(year=year, as_of=as_of, has_plan=True, branches=tuple(rows))


def _progress(root, chosen: list, year: int, as_of: date) -> list[PlanProgress]:
    """plan_progress of each organisation of `chosen` (root itself, or some of its parts), in
    one pass: the items of all of them and their ancestors, the records linked to those."""
    from dangjian.orgs.selectors import branches_under
    from dangjian.study.models import PlanItem, PlanItemMeeting, StudyActivity

    where = Q(plan__org__path__in=ancestor_paths(root))
    for c in chosen:
        where |= Q(plan__org__path__startswith=c.path)
    items = list(
        PlanItem.objects.filter(plan__year=year)
        .filter(where)
        .select_related("plan__org")
        .order_by("month_from", "plan__org__depth", "id")
    )
    if not items:
        return [PlanProgress(year=year, as_of=as_of, has_plan=False, branches=()) for _ in chosen]
    everything = branches_under(root)  # once per request or report (core.figures)
    item_ids = [i.pk for i in items]
    acts: dict[int, list[tuple[int, str]]] = defaultdict(list)  # item -> [(activity id, org path)]
    for aid, iid, path in StudyActivity.objects.filter(plan_item_id__in=item_ids, date__year=year).values_list(
        "pk", "plan_item_id", "org__path"
    ):
        acts[iid].append((aid, path))
    meets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for mid, iid, path in PlanItemMeeting.objects.filter(item_id__in=item_ids, meeting__date__year=year).values_list(
        "meeting_id", "item_id", "meeting__branch__path"
    ):
        meets[iid].append((mid, path))
    out = []
    for c in chosen:
        # The items of c's own organisations and of its ancestors (root's are root's own).
        mine = [it for it in items if it.plan.org.path.startswith(c.path) or c.path.startswith(it.plan.org.path)]
        if not mine:
            out.append(PlanProgress(year=year, as_of=as_of, has_plan=False, branches=()))
            continue
        branches = [b for b in everything if b.path.startswith(c.path)] if c is not root else everything
        out.append(
            PlanProgress(
                year=year,
                as_of=as_of,
                has_plan=True,
                branches=tuple(_branch_rows(branches, mine, acts, meets, year, as_of)),
            )
        )
    return out


def _branch_rows(branches, items, acts, meets, year: int, as_of: date):
    for b in branches:
        rows = []
        for it in items:
            plan_path = it.plan.org.path
            if not b.path.startswith(plan_path):
                continue  # another branch's own item
            # A branch's record, or a record of an organization above the branch (a township
            # 专题培训 linked to the item counts for every branch under it).
            a_ids = tuple(aid for aid, p in acts.get(it.pk, ()) if p.startswith(b.path) or b.path.startswith(p))
            m_ids = tuple(mid for mid, p in meets.get(it.pk, ()) if p.startswith(b.path))
            rows.append(
                ItemStatus(
                    item_id=it.pk,
                    topic=it.topic,
                    period=it.period,
                    month_from=it.month_from,
                    month_to=it.month_to,
                    hours=it.hours,
                    from_org="本支部" if plan_path == b.path else (it.plan.org.short_name or it.plan.org.name),
                    due=_is_due(it, year, as_of),
                    done=bool(a_ids or m_ids),
                    activity_ids=a_ids,
                    meeting_ids=m_ids,
                )
            )
        yield BranchPlanProgress(branch_id=b.pk, branch=b.short_name or b.name, items=tuple(rows))


def meeting_plan_item(meeting) -> int | None:
    """The plan item a meeting carried out (the first linked one), for the meeting form."""
    from dangjian.study.models import PlanItemMeeting

    return PlanItemMeeting.objects.filter(meeting=meeting).order_by("id").values_list("item_id", flat=True).first()


def month_items(org, on: date):
    """Plan items of `org` (a branch: with its ancestors') running in the month of `on`."""
    paths = ancestor_paths(org)
    return (
        _items_for_paths(paths, on.year)
        .filter(month_from__lte=on.month, month_to__gte=on.month)
        .prefetch_related("materials")
    )


def plans_for(qs, year: int):
    """Plans (already scoped by the caller) of `year` with their item counts."""
    return qs.filter(year=year).select_related("org").annotate(n_items=Count("items")).order_by("org__path")


def materials_for(qs):
    return qs.select_related("org").order_by("-published_on", "-id")


def training_totals(case_ids) -> dict[int, TrainingTotal]:
    """{development case id: TrainingTotal} from the 培训班 attendance and scores. Two queries."""
    from dangjian.study.models import Enrollment, SessionAttendance

    days: dict[int, set] = defaultdict(set)
    hours: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for cid, d, h in SessionAttendance.objects.filter(enrollment__case_id__in=case_ids).values_list(
        "enrollment__case_id", "session__date", "session__hours"
    ):
        days[cid].add(d)
        hours[cid] += h
    best: dict[int, tuple[Decimal | None, bool]] = {}
    for cid, score, pass_score in Enrollment.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "score", "course__pass_score"
    ):
        prev = best.get(cid, (None, False))
        passed = prev[1] or (score is not None and score >= pass_score)
        top = prev[0] if score is None or (prev[0] is not None and prev[0] >= score) else score
        best[cid] = (top, passed)
    out = {}
    for cid in set(days) | set(best):
        score, passed = best.get(cid, (None, False))
        out[cid] = TrainingTotal(
            days=len(days.get(cid, ())), hours=hours.get(cid, Decimal("0")), best_score=score, passed=passed
        )
    return out


@figure
def training_summary(root, year: int) -> TrainingSummary:
    """The year's 培训班 with the people of `root` enrolled: how many completed the training by
    rule and passed the test. Three queries."""
    from dangjian.rules.development import check_training
    from dangjian.study.models import Course, Enrollment

    enrollments = list(
        Enrollment.objects.filter(course__year=year, case__branch__path__startswith=root.path).values_list(
            "course_id", "case_id", "score", "course__pass_score"
        )
    )
    if not enrollments:
        return TrainingSummary(year=year, courses=())
    courses = {
        c.pk: c
        for c in Course.objects.filter(pk__in={e[0] for e in enrollments}).annotate(n_sessions=Count("sessions"))
    }
    # Attendance per (course, case): distinct days and 学时, one query for every course.
    from dangjian.study.models import SessionAttendance

    days: dict[tuple[int, int], set] = defaultdict(set)
    hours: dict[tuple[int, int], Decimal] = defaultdict(lambda: Decimal("0"))
    sessions: dict[tuple[int, int], int] = defaultdict(int)
    for course_id, case_id, d, h in SessionAttendance.objects.filter(
        session__course_id__in=courses, enrollment__case__branch__path__startswith=root.path
    ).values_list("session__course_id", "enrollment__case_id", "session__date", "session__hours"):
        days[course_id, case_id].add(d)
        hours[course_id, case_id] += h
        sessions[course_id, case_id] += 1
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for course_id, case_id, score, pass_score in enrollments:
        c = courses[course_id]
        key = (course_id, case_id)
        if c.audience == Course.Audience.CANDIDATE:
            done = check_training(len(days.get(key, ())), hours.get(key, Decimal("0"))).ok
        else:
            done = c.n_sessions > 0 and sessions.get(key, 0) >= c.n_sessions
        row = counts[course_id]
        row[0] += 1
        row[1] += int(done)
        row[2] += int(score is not None)
        row[3] += int(score is not None and score >= pass_score)
    return TrainingSummary(
        year=year,
        courses=tuple(
            CourseSummary(
                course_id=cid,
                title=courses[cid].title,
                audience=courses[cid].audience,
                enrolled=n,
                completed=done,
                tested=tested,
                passed=passed,
            )
            for cid, (n, done, tested, passed) in sorted(counts.items())
        ),
    )


def plan_ledger_rows(progress: PlanProgress) -> list[list]:
    """One row per branch and plan item for the 学习计划落实台账 (xlsx)."""
    rows = []
    for b in progress.branches:
        for i in b.items:
            status = ("已落实" if i.done else "未落实") if i.due else ("已落实" if i.done else "未到期")
            rows.append(
                [
                    b.branch,
                    i.period,
                    i.topic,
                    i.from_org,
                    i.hours,
                    status,
                    len(i.activity_ids),
                    len(i.meeting_ids),
                ]
            )
    return rows


PLAN_LEDGER_HEADERS = ["党支部", "时间", "学习专题", "制定", "预计学时", "落实情况", "学习活动（次）", "会议（次）"]


def course_detail(course) -> dict:
    """Sessions, enrolled people with attendance and totals, for the course page. Four queries."""
    sessions = list(course.sessions.annotate(n=Count("attendance")).order_by("date", "id"))
    enrollments = list(course.enrollments.select_related("case", "case__branch").order_by("case__branch__path", "id"))
    present = defaultdict(set)
    for sid, eid in course.sessions.model.objects.filter(course=course).values_list("pk", "attendance__enrollment_id"):
        if eid:
            present[sid].add(eid)
    totals = training_totals([e.case_id for e in enrollments])
    rows = []
    for e in enrollments:
        t = totals.get(e.case_id)
        rows.append({"enrollment": e, "total": t, "attended": [s.pk for s in sessions if e.pk in present[s.pk]]})
    return {
        "sessions": sessions,
        "rows": rows,
        "present": present,
        "hours_total": sum((s.hours for s in sessions), Decimal("0")),
        "questions": list(course.questions.all()),
    }

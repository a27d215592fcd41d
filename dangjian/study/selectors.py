"""Reads for 学习: each member's yearly 学时 against the yearly requirement (2019《党员教育管理
工作条例》, 32 学时 of 集中学习培训 by default, setting STUDY_HOURS_PER_YEAR), branch completion, lists.

学时 come from two recorded facts, never typed twice:
- StudyRecord rows (集中学习, 主题教育, 警示教育, 专题培训, township 党课; 自学 is counted apart
  and never toward the 32 学时: rules.study.counts_toward_required);
- 党课 meetings (meetings app, kind 党课) that the member attended, whichever branch held them
  (here or at the 流入地): the hours are the meeting's own duration (start to end time),
  rounded down to half an hour.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, DecimalField, Sum

from dangjian.core import clock, rulesettings
from dangjian.core.figures import figure
from dangjian.rules.study import CONCENTRATED_KINDS, SELF_STUDY, counts_toward_required
from dangjian.study.types import BranchStudy, StudySummary

ZERO = Decimal("0")
HALF = Decimal("0.5")
TENTH = Decimal("0.1")


def hours_required() -> Decimal:
    return rulesettings.study_hours_per_year()


def meeting_hours(start, end) -> Decimal:
    """A meeting's 学时: its duration, rounded down to half an hour (at least half an hour)."""
    if not start or not end:
        return HALF
    minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() / 60
    if minutes <= 0:
        return HALF
    hours = (Decimal(int(minutes)) / 60 / HALF).quantize(Decimal("1"), rounding=ROUND_DOWN) * HALF
    return max(hours, HALF)


def _lecture_meetings(root, year: int):
    from dangjian.meetings.selectors import lecture_meetings

    return lecture_meetings(root, year)


def lecture_count(root, year: int) -> int:
    """The number of 党课 meetings held under `root` in `year` (sessions). One query."""
    return _lecture_meetings(root, year).count()


@figure
def member_hours(root, year: int) -> dict[int, Decimal]:
    """{member_id: 集中学习培训学时 in `year`} for the members under `root` (by their branch):
    their study records and every 党课 they attended, whichever branch held it (自学 excluded:
    see self_study_hours). A member's 学时 are one number on their own page, their branch's,
    their township's and the county's: a member who moved keeps the 党课 of the former branch,
    counted where the member is now. Two queries.

    A county's is its townships' (orgs.selectors.parts_of; each cached under its own tokens,
    the missing ones read together) and the 区委's own members': each member is in one."""
    from django.db.models import Q

    from dangjian.core import figures
    from dangjian.orgs.selectors import parts_of, under_any

    parts = parts_of(root)
    if not parts:
        return _hours(Q(member__branch__path__startswith=root.path), year)

    def missing(indexes: list[int]) -> list[dict]:
        chosen = [parts[i] for i in indexes]
        split = _hours(under_any(chosen, "member__branch__path"), year, split_at=len(chosen[0].path))
        return [split.get(p.path, {}) for p in chosen]

    hours = _hours(Q(member__branch_id=root.pk), year)
    for part in figures.parts(member_hours, [(p, year) for p in parts], missing):
        hours.update(part)
    return hours


def _hours(where, year: int, *, split_at: int = 0) -> dict:
    """{member_id: 学时} (records and 党课 attended) of the members of `where` (a Q on the
    member); with split_at, {the first split_at characters of the member's branch path: that}."""
    from dangjian.meetings.selectors import lectures_attended

    split = _record_hours(where, year, split_at=split_at) if split_at else {"": _record_hours(where, year)}
    out: dict[str, dict] = {k: dict(v) for k, v in split.items()}
    of_times: dict[tuple, Decimal] = {}  # meeting_hours once per (start, end), not per attendee
    for mid, _m, _d, _t, s, e, _b, path in lectures_attended(where, year):
        if (s, e) not in of_times:
            of_times[s, e] = meeting_hours(s, e)
        d = out.setdefault(path[:split_at] if split_at else "", {})
        d[mid] = d.get(mid, ZERO) + of_times[s, e]
    return out if split_at else out.get("", {})


def _record_hours(where, year: int, *, split_at: int = 0) -> dict:
    """{member_id: 集中学习培训学时 of the records} of the members of `where`; with split_at,
    {the first split_at characters of the member's branch path: that dict}."""
    from dangjian.study.models import StudyRecord

    rows = StudyRecord.objects.filter(where, activity__date__year=year, activity__kind__in=CONCENTRATED_KINDS)
    # Summed in the database: a county's 200,000 records were read one by one (0.7 s). The sum
    # of one-decimal 学时 is exact; SQLite hands a whole sum back as "9", so it is written with
    # the field's one decimal ("9.0") as the records' own sum was.
    total = Sum("hours", output_field=DecimalField(max_digits=12, decimal_places=1))
    cols = ["member_id", *(["member__branch__path"] if split_at else [])]
    out: dict = defaultdict(dict)
    for mid, *path, h in rows.values(*cols).annotate(h=total).order_by().values_list(*cols, "h"):
        out[path[0][:split_at] if split_at else ""][mid] = h.quantize(TENTH)
    return dict(out) if split_at else out.get("", {})


def self_study_hours(root, year: int) -> dict[int, Decimal]:
    """{member_id: 自学学时 in `year`}: shown apart, never counted toward the 32 学时. One query."""
    from dangjian.study.models import StudyRecord

    hours: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = StudyRecord.objects.filter(
        member__branch__path__startswith=root.path, activity__date__year=year, activity__kind=SELF_STUDY
    )
    for mid, h in rows.values_list("member_id", "hours"):
        hours[mid] += h
    return dict(hours)


def year_members(root, year: int, *, today: date | None = None):
    """The members whose study a year's figures count (those of the year's end, or of today
    while it runs): the summary, the member list and the ledger all count these."""
    from dangjian.members.selectors import members_as_of

    return members_as_of(root, clock.judged_at(year, today))


@figure
def study_summary(root, year: int, *, today: date | None = None) -> StudySummary:
    """Study under `root` in `year`: sessions (study activities + 党课 meetings), total hours,
    members (those of the year's end, or of today while it runs: members.members_as_of),
    members meeting the yearly requirement, and per branch total, average and completion.
    Four queries besides the year's roster and the tree (figures shared with other sources)."""
    from dangjian.dues.selectors import branches_under
    from dangjian.members.selectors import roster_on
    from dangjian.study.models import StudyActivity

    required = hours_required()
    hours = member_hours(root, year)
    activities = StudyActivity.objects.filter(org__path__startswith=root.path, date__year=year).count()
    lectures = lecture_count(root, year)
    members = [(m.id, m.branch_id) for m in roster_on(root, clock.judged_at(year, today))]
    per_branch: dict[int, list] = defaultdict(lambda: [0, ZERO, 0])
    meeting_target = 0
    for mid, bid in members:
        h = hours.get(mid, ZERO)
        cell = per_branch[bid]
        cell[0] += 1
        cell[1] += h
        if h >= required:
            cell[2] += 1
            meeting_target += 1
    by_branch = []
    for b in branches_under(root):
        n, total, done = per_branch.get(b["branch_id"], [0, ZERO, 0])
        by_branch.append(
            BranchStudy(
                branch_id=b["branch_id"],
                branch=b["branch"],
                members=n,
                hours_total=float(total),
                avg_hours=float(total / n) if n else 0.0,
                completion=done / n if n else 0.0,
            )
        )
    return StudySummary(
        year=year,
        required=float(required),
        sessions=activities + lectures,
        hours_total=float(sum((hours.get(mid, ZERO) for mid, _ in members), ZERO)),
        members=len(members),
        members_meeting_target=meeting_target,
        by_branch=by_branch,
        member_hours={mid: hours.get(mid, ZERO) for mid, _ in members},
    )


def branch_member_hours(branch, year: int, *, today: date | None = None) -> list[dict]:
    """Each member the year counts under `branch` (year_members) with their 集中学习培训学时,
    自学学时 (apart, never toward the requirement) and the shortfall: the list page and the
    学时台账. Four queries."""
    from dangjian.rules.study import study_shortfall

    required = hours_required()
    hours = member_hours(branch, year)
    own = self_study_hours(branch, year)
    out = []
    for mid, name, branch_name in (
        year_members(branch, year, today=today)
        .order_by("branch__path", "name_pinyin", "id")
        .values_list("id", "name", "branch__name")
    ):
        h = hours.get(mid, ZERO)
        out.append(
            {
                "member_id": mid,
                "name": name,
                "branch": branch_name,
                "hours": h,
                "self_study": own.get(mid, ZERO),
                "required": required,
                "shortfall": study_shortfall(h, required),
                "done": h >= required,
            }
        )
    return out


HOURS_LEDGER_HEADERS = ["党支部", "姓名", "集中学习培训学时", "自学学时（不计入）", "年度要求", "还差", "是否达标"]


def hours_ledger_rows(rows: list[dict]) -> list[list]:
    return [
        [
            r["branch"],
            r["name"],
            r["hours"],
            r["self_study"],
            r["required"],
            r["shortfall"],
            "是" if r["done"] else "否",
        ]
        for r in rows
    ]


def member_study(member, year: int) -> dict:
    """One member's study in `year`: every item with its source, and the total."""
    from dangjian.study.models import StudyRecord

    items = []
    for r in StudyRecord.objects.filter(member=member, activity__date__year=year).select_related(
        "activity", "activity__org"
    ):
        a = r.activity
        items.append(
            {
                "date": a.date,
                "kind": a.kind,
                "topic": a.topic,
                "hours": r.hours,
                "source": f"学习记录（{a.org}）",
                "reflection": r.reflection,
            }
        )
    from django.db.models import Q

    from dangjian.meetings.selectors import lectures_attended

    for _mid, _m, d, topic, start, end, _b, _path in lectures_attended(Q(member=member), year):
        items.append(
            {
                "date": d,
                "kind": "党课",
                "topic": topic,
                "hours": meeting_hours(start, end),
                "source": "党课会议出席记录（自动计入）",
                "reflection": "",
            }
        )
    items.sort(key=lambda x: x["date"])
    for x in items:
        x["counts"] = counts_toward_required(x["kind"])
    total = sum((x["hours"] for x in items if x["counts"]), ZERO)
    self_study = sum((x["hours"] for x in items if not x["counts"]), ZERO)
    required = hours_required()
    return {
        "year": year,
        "items": items,
        "total": total,  # 集中学习培训学时（计入年度要求）
        "self_study": self_study,  # 自学学时（单独统计，不计入）
        "required": required,
        "shortfall": max(required - total, ZERO),
    }


def activities_for(qs, year: int):
    """Study activities (already scoped by the caller) in `year` with participant counts."""
    return (
        qs.filter(date__year=year)
        .select_related("org")
        .annotate(participants=Count("records"))
        .order_by("-date", "-id")
    )


def lecture_meetings_for(root, year: int) -> list[dict]:
    """党课 meetings under `root` in `year` (shown beside the activities, counted automatically)."""
    from dangjian.meetings.selectors import lecture_meetings_with_present

    qs = lecture_meetings_with_present(root, year)
    return [
        {"meeting": m, "hours": meeting_hours(m.start_time, m.end_time), "present": m.present}
        for m in qs.order_by("-date")
    ]

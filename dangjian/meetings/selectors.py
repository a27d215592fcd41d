"""Reads for 组织生活: compliance against the rules, member attendance, 党章 Art. 9
alerts, talk coverage, what is due this month.

Every function here runs a FIXED number of queries however many branches, members and
meetings lie under `root`: counts are grouped in the database (MeetingKindLink and
Attendance with values()/annotate()), the rules are applied in Python to the small result.

Used by other apps (dashboard/report, appraisal, points, integrity): keep the names and
shapes of compliance_summary, member_attendance and art9_members.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import ExtractMonth

from dangjian.core import clock, figures, rulesettings
from dangjian.core.figures import figure
from dangjian.meetings.models import Attendance, Kind, KindRequirement, Meeting, MeetingKindLink, Talk
from dangjian.meetings.types import Art9Counts, ComplianceSummary, MemberAttendance
from dangjian.members.models import Member, MemberKind, Standing
from dangjian.members.selectors import roster_on, year_roster
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType, Post
from dangjian.orgs.selectors import branches_under, orgs_of_type, parts_of, under_any
from dangjian.rules import membership, orglife
from dangjian.rules.dates import add_months, months_range, ym_add, ym_index
from dangjian.rules.mobile import lost_contact
from dangjian.rules.structure import COMMITTEE_OTHER_POSTS, COMMITTEE_POSTS

S = Attendance.Status
PERIOD_LABELS = {"month": "每月", "quarter": "每季度", "year": "每年"}
STEPLEN = Organization.steplen


def _today(today: date | None) -> date:
    return clock.or_today(today)


def kind_label(code: str) -> str:
    return orglife.ActivityKind(code).short


# --- requirements ---------------------------------------------------------------------------
def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


def requirement_settings(root: Organization) -> list[tuple[str, KindRequirement]]:
    """Local settings that may apply under root: on root's ancestors, root, or below. One query."""
    rows = KindRequirement.objects.filter(
        Q(org__path__in=_ancestor_paths(root.path)) | Q(org__path__startswith=root.path)
    ).values("org__path", "kind", "period", "minimum", "note")
    return [(r["org__path"], r) for r in rows]


def requirements_for(branch_path: str, settings_rows) -> list[orglife.Requirement]:
    """DEFAULT_REQUIREMENTS with the nearest ancestor's local setting per kind applied."""
    best: dict[str, tuple[int, dict]] = {}
    for path, row in settings_rows:
        if branch_path.startswith(path) and len(path) >= best.get(row["kind"], (-1, None))[0]:
            best[row["kind"]] = (len(path), row)
    result = []
    for req in orglife.DEFAULT_REQUIREMENTS:
        if req.kind.value in best:
            row = best[req.kind.value][1]
            req = orglife.Requirement(
                req.kind,
                row["period"],
                row["minimum"],
                req.article,
                row["note"] or req.note,
                per_member=req.per_member,
                only_with_groups=req.only_with_groups,
                is_setting=True,
            )
        result.append(req)
    return result


# --- the core computation -------------------------------------------------------------------
@dataclass
class BranchInfo:
    id: int
    name: str
    path: str
    category: str
    founded_on: date | None
    has_groups: bool = False
    members: int = 0
    full_members: int = 0
    committee_others: int = 0  # current 委员 besides 书记/副书记
    talk_covered: int = 0
    groups: list = None  # [(group id, name)]
    committee: set = field(default_factory=set)  # member ids of the current 支委


def _branches(root: Organization, branch_id: int | None = None) -> dict[int, BranchInfo]:
    """The active branches under root (orgs.selectors.branches_under: the one read of the tree)."""
    return {
        b.pk: BranchInfo(b.pk, b.short_name or b.name, b.path, b.category, b.founded_on)
        for b in branches_under(root)
        if not branch_id or b.pk == branch_id
    }


def _period_counts(req, year: int, monthly, today: date, founded_on: date | None):
    """Per period of the year: (label, start, end, count, state) with state in
    'required' (ended), 'current', 'future', 'before' (before the branch existed, or the
    period it was founded in when setting FOUNDED_MID_PERIOD_OWES is off).

    `monthly` is {month: count}, or a callable (start, end) -> count (党小组会 per group)."""
    out = []
    owes = rulesettings.founded_mid_period_owes()
    for label, start, end in orglife.periods_in_year(year, req.period):
        if callable(monthly):
            count = monthly(start, end)
        else:
            count = sum(monthly.get(m, 0) for m in range(start.month, end.month + 1))
        if not orglife.period_owed(start, end, founded_on, mid_period_owes=owes):
            state = "before"
        elif end < today:
            state = "required"
        elif start <= today:
            state = "current"
        else:
            state = "future"
        out.append((label, start, end, count, state))
    return out


def _compute(root: Organization, year: int, today: date, branch_id: int | None = None):
    """(branches, rows per branch × kind, {(branch_id, kind): {month: n}}). Five queries
    whatever the size, besides the tree and the year's roster shared with other figures."""
    branches = _branches(root, branch_id)
    by_path = {b.path: b for b in branches.values()}
    for b in branches.values():
        b.groups = []
    for g in orgs_of_type(root, OrgType.GROUP):
        parent = by_path.get(g.path[:-STEPLEN])
        if parent:
            parent.has_groups = True
            parent.groups.append((g.pk, g.short_name or g.name))
    settings_rows = requirement_settings(root)
    link_filter = {"branch_id": branch_id} if branch_id else {"branch__path__startswith": root.path}
    counts: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for r in (
        MeetingKindLink.objects.filter(**link_filter, date__year=year, date__lte=today)
        .annotate(month=ExtractMonth("date"))
        .values("branch_id", "kind", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(r["branch_id"], r["kind"])][r["month"]] = r["n"]
    # 党小组会 (Art. 13) is owed by each 党小组: counted per group, not once per branch-month.
    group_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for r in (
        Meeting.objects.filter(
            **({"branch_id": branch_id} if branch_id else {"branch__path__startswith": root.path}),
            org__org_type=OrgType.GROUP,
            kind_links__kind=Kind.GROUP_MEETING,
            date__year=year,
            date__lte=today,
        )
        .annotate(month=ExtractMonth("date"))
        .values("org_id", "month")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    ):
        group_counts[r["org_id"]][r["month"]] = r["n"]
    talk_months: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    member_filter = {"branch_id": branch_id} if branch_id else {"branch__path__startswith": root.path}
    # The members of the year's judging day (members.selectors: a past year counts that year's
    # members; 停止党籍 members are not counted, nor expected at a 谈心谈话).
    day = clock.judged_at(year, today)
    branch_of: dict[int, int] = {}  # the counted members and their branches
    for m in roster_on(root, day):
        if m.branch_id in branches:
            branch_of[m.id] = m.branch_id
            b = branches[m.branch_id]
            b.members += 1
            b.full_members += m.kind == MemberKind.FULL and not (m.full_on and m.full_on > day)
    # The current committee of each branch (one query): 委员 besides 书记/副书记 decide whether a
    # 支委会 is owed; all of them must talk with each other (Art. 19, 支委之间).
    others: dict[int, set[int]] = defaultdict(set)
    for org_id, member_id, kind in Post.objects.filter(
        **({"org_id": branch_id} if branch_id else {"org__path__startswith": root.path}),
        ended_on__isnull=True,
        kind__in=COMMITTEE_POSTS,
    ).values_list("org_id", "member_id", "kind"):
        if org_id in branches:
            branches[org_id].committee.add(member_id)
            if kind in COMMITTEE_OTHER_POSTS:
                others[org_id].add(member_id)
    for org_id, ids in others.items():
        branches[org_id].committee_others = len(ids)
    # 谈心谈话 (Art. 19) per member and month, so a local period/minimum can be honoured; and per
    # pair of people, for the talks among 支委 (same query).
    pair_months: dict[int, dict[frozenset[int], dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for r in (
        Talk.objects.filter(**member_filter, date__year=year, date__lte=today)
        .annotate(month=ExtractMonth("date"))
        .values("branch_id", "to_member_id", "from_member_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if r["branch_id"] in branches:
            # A talk covers a member of the branch it was held in: not one who has since moved
            # to another branch (who is not among the branch's members it is compared with).
            if branch_of.get(r["to_member_id"]) == r["branch_id"]:
                per = talk_months[r["branch_id"]][r["to_member_id"]]
                per[r["month"]] = per.get(r["month"], 0) + r["n"]
            pair = pair_months[r["branch_id"]][frozenset((r["from_member_id"], r["to_member_id"]))]
            pair[r["month"]] = pair.get(r["month"], 0) + r["n"]
    for bid, per_member in talk_months.items():
        branches[bid].talk_covered = len(per_member)

    rows = []
    for b in branches.values():
        for req in requirements_for(b.path, settings_rows):
            if req.only_with_groups and not b.has_groups:
                continue
            code = req.kind.value
            row = {
                "branch_id": b.id,
                "branch": b.name,
                "category": b.category,
                "kind": req.kind.short,
                "kind_code": code,
                "period": PERIOD_LABELS[req.period],
                "minimum": req.minimum,
                "article": req.article,
                "required": 0,
                "held": 0,
                "shortfall": 0,
                "meetings": 0,
                "missing": [],
                "current": None,
                "periods": [],
            }
            if req.kind == orglife.ActivityKind.COMMITTEE_MEETING and not orglife.committee_meeting_required(
                b.full_members, b.committee_others
            ):
                # Fewer than 7 正式党员: no 支委会 is set up (第二十条), so none is owed.
                continue
            if req.per_member:
                # 谈心谈话 (Art. 19): each member at least `minimum` talks per period (default
                # once a year; a local setting may ask more often).
                per_member = talk_months.get(b.id, {})
                pairs = pair_months.get(b.id, {})
                row.update(members=b.members, covered=min(b.talk_covered, b.members), meetings=b.talk_covered)

                def covered(start, end, per_member=per_member, req=req):
                    months = range(start.month, end.month + 1)
                    return sum(1 for ms in per_member.values() if sum(ms.get(m, 0) for m in months) >= req.minimum)

                def pairs_missing(start, end, pairs=pairs, req=req, committee=b.committee):
                    months = range(start.month, end.month + 1)
                    talked = {p: sum(ms.get(m, 0) for m in months) for p, ms in pairs.items()}
                    return orglife.committee_talk_pairs_missing(committee, talked, req.minimum)

                row["committee_pairs"] = len(b.committee) * (len(b.committee) - 1) // 2
                for label, start, end, count, state in _period_counts(req, year, covered, today, b.founded_on):
                    lacking = pairs_missing(start, end) if state in ("required", "current") else []
                    done = (b.members == 0 or count >= b.members) and not lacking
                    row["periods"].append(
                        {
                            "period": label,
                            "required": b.members,
                            "held": count,
                            "state": state,
                            "committee_pairs_missing": len(lacking),
                        }
                    )
                    if state == "required" or (state == "current" and done):
                        row["required"] += 1
                        row["held"] += int(done)
                        if not done:
                            gaps = []
                            if count < b.members:
                                gaps.append(f"{b.members - count}名党员未谈话")
                            if lacking:
                                gaps.append(f"支委之间有{len(lacking)}对未谈心谈话")
                            row["missing"].append(f"{label}（{'，'.join(gaps)}）")
                    elif state == "current":
                        row["current"] = {"label": label, "held": count, "minimum": b.members, "deadline": end}
            else:
                if req.kind == orglife.ActivityKind.GROUP_MEETING:
                    # Each group must meet: a period counts as held only when every group met.
                    groups = b.groups or []

                    def monthly(start, end, groups=groups):
                        months = range(start.month, end.month + 1)
                        return min((sum(group_counts[g].get(m, 0) for m in months) for g, _n in groups), default=0)

                    row["meetings"] = sum(sum(group_counts[g].values()) for g, _n in groups)
                else:
                    monthly = counts.get((b.id, code), {})
                    row["meetings"] = sum(monthly.values())
                for label, start, end, count, state in _period_counts(req, year, monthly, today, b.founded_on):
                    met = count >= req.minimum
                    row["periods"].append({"period": label, "required": req.minimum, "held": count, "state": state})
                    if state == "required":
                        row["required"] += 1
                        row["held"] += int(met)
                        if not met:
                            row["missing"].append(label + _groups_missing(req, b, group_counts, start, end))
                    elif state == "current":
                        if met:
                            row["required"] += 1
                            row["held"] += 1
                        else:
                            row["current"] = {"label": label, "held": count, "minimum": req.minimum, "deadline": end}
            row["shortfall"] = row["required"] - row["held"]
            rows.append(row)
    return branches, rows, counts


def _groups_missing(req, b: BranchInfo, group_counts, start: date, end: date) -> str:
    if req.kind != orglife.ActivityKind.GROUP_MEETING or not b.groups:
        return ""
    months = range(start.month, end.month + 1)
    names = [n for g, n in b.groups if sum(group_counts[g].get(m, 0) for m in months) < req.minimum]
    return f"（{'、'.join(names)}未开）" if names else ""


def compliance_rows(root: Organization, year: int, *, today: date | None = None, branch_id: int | None = None):
    """[(branch rows)] required vs held periods per branch × kind (see compliance_summary)."""
    return _compute(root, year, _today(today), branch_id)[1]


def _heatmap_from(branches, monthly_by_branch, rows, kind: str | None, year: int) -> dict:
    gaps: dict[int, int] = defaultdict(int)
    for r in rows:
        if kind is None or r["kind_code"] == kind:
            gaps[r["branch_id"]] += r["shortfall"]
    hrows = [
        {
            "branch_id": b.id,
            "branch": b.name,
            "cells": [monthly_by_branch.get(b.id, {}).get(m, 0) for m in range(1, 13)],
            "gaps": gaps.get(b.id, 0),
        }
        for b in branches.values()
    ]
    hrows.sort(key=lambda r: (-r["gaps"], r["branch"]))
    return {"year": year, "kind": kind, "months": [f"{m}月" for m in range(1, 13)], "rows": hrows}


def heatmap(root: Organization, year: int, kind: str | None = None, *, today: date | None = None) -> dict:
    """Branches × months, cells = meetings held (of `kind`, or all meetings), sorted by gaps."""
    today = _today(today)
    branches, rows, _counts = _compute(root, year, today)
    return _heatmap_from(branches, _monthly(root, year, today, kind), rows, kind, year)


def _monthly(root, year, today, kind):
    out: dict[int, dict[int, int]] = defaultdict(dict)
    if kind:
        qs = MeetingKindLink.objects.filter(branch__path__startswith=root.path, kind=kind)
    else:
        qs = Meeting.objects.filter(branch__path__startswith=root.path)
    for r in (
        qs.filter(date__year=year, date__lte=today)
        .annotate(month=ExtractMonth("date"))
        .values("branch_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[r["branch_id"]][r["month"]] = r["n"]
    return out


@figure
def compliance_summary(root: Organization, year: int, *, today: date | None = None) -> ComplianceSummary:
    """The township (or branch) picture for one year. Fixed number of queries.

    rate = held periods / required periods over all branches and kinds (落实率); a period
    is required once it has ended (or, for the current period, once it is already met).
    """
    today = _today(today)
    parts = parts_of(root)
    if parts:
        return _composed_summary(root, parts, year, today)
    branches, rows, counts = _compute(root, year, today)
    monthly = _monthly(root, year, today, None)
    alerts = art9_members(root, today=min(today, date(year, 12, 31)))
    return _summary(year, today, branches, rows, counts, monthly, alerts)


def _summary(year: int, today: date, branches, rows, counts, monthly, alerts) -> ComplianceSummary:
    required = sum(r["required"] for r in rows)
    held = sum(r["held"] for r in rows)
    by_kind: dict[str, int] = {Kind(k).label: 0 for k in Kind.values}
    for (_bid, kind), months in counts.items():  # every branch under root, active or not
        by_kind[Kind(kind).label] += sum(months.values())
    return ComplianceSummary(
        year=year,
        as_of=today,
        meetings_by_kind=by_kind,
        party_lectures=by_kind[Kind.PARTY_LECTURE.label],
        meetings=sum(n for months in monthly.values() for n in months.values()),
        rate=(held / required) if required else 1.0,
        required_periods=required,
        held_periods=held,
        branches=rows,
        art9=Art9Counts(
            over=sum(1 for a in alerts if a["status"] == membership.Art9Level.OVER),
            warning=sum(1 for a in alerts if a["status"] == membership.Art9Level.WARNING),
        ),
        heatmap=_heatmap_from(branches, monthly, rows, None, year),
    )


def _composed_summary(root: Organization, parts: list[Organization], year: int, today: date) -> ComplianceSummary:
    """A county's summary from its townships' (orgs.selectors.parts_of; figures.parts: each
    cached under its own tokens, so a write in one township recomputes one). Every figure of
    the summary is a branch's or a member's, so the townships' add up to the county's; what
    belongs to the 区委 itself (its own meetings, members attached to it) is added here."""

    def missing(indexes: list[int]) -> list[ComplianceSummary]:
        # After a write, one township on its own; after a restart, most of them out of ONE
        # computation over the county split by township (twenty computations of a township
        # cost more than one of the county: every query scans the county's tables).
        together = [i for i in indexes if parts[i].org_type not in BRANCH_TYPES]
        split = (
            _split_summaries(root, [parts[i] for i in together], year, today) if len(together) * 2 > len(parts) else {}
        )
        return [
            split[parts[i].pk] if parts[i].pk in split else compliance_summary.uncached(parts[i], year, today=today)
            for i in indexes
        ]

    summaries = figures.parts(compliance_summary, [(p, year) for p in parts], missing, kwargs={"today": today})
    by_kind: dict[str, int] = {Kind(k).label: 0 for k in Kind.values}
    for kind, n in (
        MeetingKindLink.objects.filter(branch_id=root.pk, date__year=year, date__lte=today)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_kind[Kind(kind).label] += n
    for s in summaries:
        for label, n in s.meetings_by_kind.items():
            by_kind[label] += n
    own_meetings = Meeting.objects.filter(branch_id=root.pk, date__year=year, date__lte=today).count()
    as_of = min(today, date(year, 12, 31))
    own = [m for m in roster_on(root, as_of) if m.branch_id == root.pk]
    own_alerts = _art9_rows(own, attendance_walks(root, as_of), as_of, include_all=False)
    required = sum(s.required_periods for s in summaries)
    held = sum(s.held_periods for s in summaries)
    rows = [r for s in summaries for r in s.branches]
    # Each township's heatmap rows are sorted already; the county's are the same rows sorted
    # by the same key (a stable sort: equal rows stay in tree order, as in _heatmap_from).
    heat_rows = sorted((r for s in summaries for r in s.heatmap["rows"]), key=lambda r: (-r["gaps"], r["branch"]))
    return ComplianceSummary(
        year=year,
        as_of=today,
        meetings_by_kind=by_kind,
        party_lectures=by_kind[Kind.PARTY_LECTURE.label],
        meetings=own_meetings + sum(s.meetings for s in summaries),
        rate=(held / required) if required else 1.0,
        required_periods=required,
        held_periods=held,
        branches=rows,
        art9=Art9Counts(
            over=sum(s.art9.over for s in summaries)
            + sum(1 for a in own_alerts if a["status"] == membership.Art9Level.OVER),
            warning=sum(s.art9.warning for s in summaries)
            + sum(1 for a in own_alerts if a["status"] == membership.Art9Level.WARNING),
        ),
        heatmap={"year": year, "kind": None, "months": [f"{m}月" for m in range(1, 13)], "rows": heat_rows},
    )


def _split_summaries(root: Organization, chosen: list[Organization], year: int, today: date) -> dict:
    """{township pk: its compliance_summary} for the `chosen` committees under root, from one
    _compute and one _monthly over root: a branch's rows, counts and months do not depend on
    the organisation they are computed under (its requirements are its nearest ancestor's
    setting, its members and talks its own), so each township's share is its summary."""
    branches, rows, counts = _compute(root, year, today)
    monthly = _monthly(root, year, today, None)
    seen = {bid for bid, _kind in counts} | set(monthly)
    path_of = dict(Organization.objects.filter(pk__in=seen).values_list("pk", "path"))
    as_of = min(today, date(year, 12, 31))
    attendance_walks(root, as_of)  # every township's walks in one query (figures.parts), for art9
    out = {}
    for p in chosen:
        mine = {bid: b for bid, b in branches.items() if b.path.startswith(p.path)}
        out[p.pk] = _summary(
            year,
            today,
            mine,
            [r for r in rows if r["branch_id"] in mine],
            {key: v for key, v in counts.items() if path_of.get(key[0], "").startswith(p.path)},
            {bid: v for bid, v in monthly.items() if path_of.get(bid, "").startswith(p.path)},
            art9_members(p, today=as_of),
        )
    return out


def branch_rates(rows) -> list[dict]:
    """落实率 per branch from compliance rows."""
    agg: dict[int, dict] = {}
    for r in rows:
        a = agg.setdefault(
            r["branch_id"], {"branch_id": r["branch_id"], "branch": r["branch"], "required": 0, "held": 0}
        )
        a["required"] += r["required"]
        a["held"] += r["held"]
    for a in agg.values():
        a["shortfall"] = a["required"] - a["held"]
        a["rate"] = a["held"] / a["required"] if a["required"] else 1.0
    return sorted(agg.values(), key=lambda a: (a["rate"], a["branch"]))


# --- members --------------------------------------------------------------------------------
_OK = Q(status=S.PRESENT) | Q(attended_elsewhere=True)


def _monthly_attendance(member_filter: dict, start: date, end: date):
    """{member_id: {(y, m): {attended, excused, unexcused, total}}}. One query, grouped on
    Attendance.ym. Every member-month comes into Python: at county scale (340,000 of them)
    that is seconds of ORM rows, so the yearly figures read the same counts as plain rows
    (attendance_walks); this stays the plain reading of them."""
    out: dict[int, dict] = defaultdict(dict)
    for r in _month_counts(member_filter, (start.year, start.month), end):
        y, m0 = divmod(r["ym"], 12)
        out[r["member_id"]][(y, m0 + 1)] = r
    return out


ART9_WINDOW_MONTHS = 24


def _month_counts(member_filter: dict | Q, start_ym: tuple[int, int], end: date, *, by_path: bool = False) -> QuerySet:
    """One row per (member, month from start_ym to end's month): attended, excused, unexcused,
    total, counting meetings on or before `end` (one planned later this month has not happened)."""
    lo, hi = ym_index(start_ym), ym_index((end.year, end.month))
    # Only end's own month can hold meetings after end: those few are left out by id, so the
    # query needs no join with every meeting (at county scale that join was most of its time).
    later = Meeting.objects.filter(date__gt=end, date__lt=add_months(date(end.year, end.month, 1), 1))
    where = member_filter if isinstance(member_filter, Q) else Q(**member_filter)
    return (
        Attendance.objects.filter(where, ym__gte=lo, ym__lte=hi)
        .exclude(ym=hi, meeting_id__in=later.values("id"))
        .values("member_id", "ym", *(["member__branch__path"] if by_path else []))
        .annotate(
            attended=Count("id", filter=_OK),
            excused=Count("id", filter=Q(status=S.EXCUSED, attended_elsewhere=False)),
            unexcused=Count("id", filter=Q(status=S.ABSENT, attended_elsewhere=False)),
            total=Count("id"),
        )
        .order_by()
    )


def _month_flags(member_filter: dict | Q, start_ym: tuple[int, int], end: date, *, by_path: bool = False):
    """SQL (and params) of _month_counts for the members of `member_filter`, to be read as plain rows."""
    sql, params = _month_counts(member_filter, start_ym, end, by_path=by_path).query.sql_with_params()
    return sql, list(params)


class AttendanceWalk(NamedTuple):  # a tuple: 31,000 of them pickle 10× faster than dataclasses
    """One member's months up to a day: the counts of that day's year so far (attended,
    excused, unexcused, total, longest run within the year) and, over the
    ART9_WINDOW_MONTHS months ending then, the current run and the last month that broke it."""

    attended: int
    excused: int
    unexcused: int
    total: int
    longest: int
    current: int
    last_ok: tuple[int, int] | None


@figure
def attendance_walks(root: Organization, end: date) -> dict[int, AttendanceWalk]:
    """Per member under root with attendance in the ART9_WINDOW_MONTHS months ending with
    `end` (meetings on or before `end`): what member_attendance (end's year) and art9_members
    (the run of months) need, in one small value both share (one query).

    The member-months are read as plain rows (no ORM dict per row: a county has 320,000 of
    them) and walked by rules.membership.attendance_gap_runs; the cached value is one small
    record per member, not the member-months (pickling those took longer than the query).
    Walking the months in SQL with window functions was measured slower on PostgreSQL.

    A county's is its townships' (orgs.selectors.parts_of): each walk is the member's own, by
    the member's current branch, so the union is the same value, and a write in one township
    recomputes that township's walks only."""
    parts = parts_of(root)
    if not parts:
        return _walks(Q(member__branch__path__startswith=root.path), end)
    out = _walks(Q(member__branch_id=root.pk), end)

    def missing(indexes: list[int]) -> list[dict]:  # the townships not in the cache, in one query
        chosen = [parts[i] for i in indexes]
        where = under_any(chosen, "member__branch__path")
        split = _walks(where, end, split_at=len(chosen[0].path))
        return [split.get(p.path, {}) for p in chosen]

    for value in figures.parts(attendance_walks, [(p, end) for p in parts], missing):
        out.update(value)
    return out


def _walks(member_filter: Q, end: date, *, split_at: int = 0) -> dict:
    """The walks of the members of `member_filter`; with split_at, {the first split_at
    characters of the member's branch path (its township's path): the walks of its members}."""
    end_ym = (end.year, end.month)
    start_ym = ym_add(end_ym, -(ART9_WINDOW_MONTHS - 1))
    sql, params = _month_flags(member_filter, start_ym, end, by_path=bool(split_at))
    by_member: dict[int, list] = defaultdict(list)
    where: dict[int, str] = {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        col = {d[0]: i for i, d in enumerate(cur.description)}
        i_m, i_ym, i_a, i_e, i_u, i_t = (
            col[k] for k in ("member_id", "ym", "attended", "excused", "unexcused", "total")
        )
        i_p = col.get("member__branch__path")
        for r in cur.fetchall():
            by_member[r[i_m]].append((r[i_ym], r[i_a], r[i_e], r[i_u], r[i_t]))
            if i_p is not None:
                where[r[i_m]] = r[i_p][:split_at]
    walks = _walk_months(by_member, end, start_ym)
    if not split_at:
        return walks
    out: dict[str, dict] = defaultdict(dict)
    for mid, w in walks.items():
        out[where[mid]][mid] = w
    return out


def _walk_months(by_member: dict[int, list], end: date, start_ym: tuple[int, int]) -> dict[int, AttendanceWalk]:
    end_ym = (end.year, end.month)
    y0 = ym_index((end.year, 1))
    out = {}
    for mid, months in by_member.items():
        ok = {(ym // 12, ym % 12 + 1) for ym, a, e, _u, _t in months if a or e}
        missed = {(ym // 12, ym % 12 + 1) for ym, a, e, u, _t in months if u and not (a or e)}
        year = [m for m in months if m[0] >= y0]
        longest = membership.attendance_gap_runs(ok, missed, (end.year, 1), end_ym)[0] if year else 0
        out[mid] = AttendanceWalk(
            attended=sum(m[1] for m in year),
            excused=sum(m[2] for m in year),
            unexcused=sum(m[3] for m in year),
            total=sum(m[4] for m in year),
            longest=longest,
            current=membership.attendance_gap_runs(ok, missed, start_ym, end_ym)[1],
            last_ok=max(ok, default=None),
        )
    return out


@figure
def member_attendance(root: Organization, year: int, *, today: date | None = None) -> dict[int, MemberAttendance]:
    """Per member under root during `year` (members.selectors.members_during: a past year is
    counted with the people who were members then): attended (incl. 流入地), excused,
    unexcused, expected, rate (attended / expected, None when nothing was expected),
    longest_gap (months, Art. 9 counting). The year's roster is a figure shared with
    art9_members and the report, and so are the counts and the walk (attendance_walks, one
    grouped query): at most two queries."""
    today = _today(today)
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    ids = [m.id for m in year_roster(root, year, clock.judged_at(year, today)) if m.in_year]
    result: dict[int, MemberAttendance] = {mid: MemberAttendance() for mid in ids}
    if end < start:
        return result
    for mid, w in attendance_walks(root, end).items():
        if mid in result and w.total:
            result[mid] = MemberAttendance(
                attended=w.attended,
                excused=w.excused,
                unexcused=w.unexcused,
                expected=w.total,
                rate=w.attended / w.total,
                longest_gap=w.longest,
            )
    return result


@figure
def art9_members(root: Organization, *, today: date | None = None, include_all: bool = False) -> list[dict]:
    """党章 Art. 9 (H): current members whose run of months with no 组织生活 and no
    legitimate reason reaches the early warning (setting ART9_WARNING_MONTHS) or the six-month
    line (rules.membership.ART9_MONTHS). An alert only.

    Excused absences and 流入地 participation break the run; months in which nothing was
    held for the member neither break nor extend it (rules.membership.attendance_gap_runs,
    over the ART9_WINDOW_MONTHS months ending with `today`: attendance_walks). The members on `today` (members.selectors.roster_on) and the
    walk are shared figures: at most two queries.
    """
    today = _today(today)
    # The members on `today` (members.selectors: 停止党籍 members are expected at nothing).
    return _art9_rows(roster_on(root, today), attendance_walks(root, today), today, include_all=include_all)


def _art9_rows(members, walks: dict, today: date, *, include_all: bool) -> list[dict]:
    warning = rulesettings.art9_warning_months()  # read once, not per member
    out = []
    for m in members:
        w = walks.get(m.id)
        current, last_ok = (w.current, w.last_ok) if w else (0, None)
        status = membership.art9_status(current, warning=warning)
        if status is None and not include_all:
            continue
        last_attended = f"{last_ok[0]}年{last_ok[1]}月" if last_ok else None
        out.append(
            {
                "member_id": m.id,
                "name": m.name,
                "branch_id": m.branch_id,
                "branch": m.branch,
                "gap_months": current,
                "status": status,
                "last_attended": last_attended,
                "is_mobile": m.is_mobile,
                # 失联 is shown beside the alert: the branch decides which rule applies (党章第九条 or
                # 限期改正 for 失联 over six months, 《不合格党员组织处置办法》); nothing is automatic.
                "is_lost": m.is_lost,
                "lost": lost_contact(m.lost_on, today).label if m.is_lost and m.lost_on else "",
            }
        )
    out.sort(key=lambda r: (-r["gap_months"], r["branch"], r["name"]))
    return out


def attendance_history(member: Member, *, today: date | None = None, months: int = 12) -> list[dict]:
    """One member's months: what was held for them and what they did (for the Art. 9 page)."""
    today = _today(today)
    end_ym = (today.year, today.month)
    start_ym = ym_add(end_ym, -(months - 1))
    rows = (
        Attendance.objects.filter(member=member, meeting__date__gte=date(*start_ym, 1), meeting__date__lte=today)
        .select_related("meeting")
        .order_by("meeting__date")
    )
    by_month: dict[tuple[int, int], list] = defaultdict(list)
    for a in rows:
        by_month[(a.meeting.date.year, a.meeting.date.month)].append(a)
    return [
        {"ym": ym, "label": f"{ym[0]}年{ym[1]}月", "rows": by_month.get(ym, [])}
        for ym in months_range(start_ym, end_ym)
    ]


# --- talks ----------------------------------------------------------------------------------
def talk_coverage(root: Organization, year: int, *, today: date | None = None) -> dict:
    """Members with no talk this year; for each committee member whether they held talks
    before the 组织生活会; the pairs of 支委 who have not talked with each other (Art. 19).
    Five queries."""
    today = _today(today)
    talks_year = Talk.objects.filter(branch__path__startswith=root.path, date__year=year)
    without = list(
        Member.objects.filter(branch__path__startswith=root.path, is_current=True)
        .exclude(pk__in=talks_year.values("to_member_id"))
        .select_related("branch")
        .order_by("branch__path", "name_pinyin")
    )
    committee = list(
        Post.objects.filter(
            org__path__startswith=root.path,
            org__org_type__in=BRANCH_TYPES,
            ended_on__isnull=True,
            kind__in=COMMITTEE_POSTS,
        )
        .select_related("member", "org")
        .order_by("org__path", "kind")
    )
    life = dict(
        MeetingKindLink.objects.filter(branch__path__startswith=root.path, date__year=year, kind=Kind.LIFE_MEETING)
        .values("branch_id")
        .annotate(d=Min("date"))
        .order_by()
        .values_list("branch_id", "d")
    )
    given = {
        r["from_member_id"]: r
        for r in talks_year.values("from_member_id")
        .annotate(n=Count("id"), flagged=Count("id", filter=Q(before_life_meeting=True)), first=Min("date"))
        .order_by()
    }
    rows = []
    for p in committee:
        g = given.get(p.member_id)
        life_date = life.get(p.org_id)
        before = bool(g) and (g["flagged"] > 0 or (life_date is not None and g["first"] <= life_date))
        rows.append(
            {
                "branch": p.org,
                "member": p.member,
                "post": p.kind,
                "talks": g["n"] if g else 0,
                "life_meeting": life_date,
                "before": before,
            }
        )
    # 支委之间 (Art. 19): pairs of the same branch's committee who have not talked this year (1 query).
    talked = {
        (bid, frozenset((a, b))): 1
        for bid, a, b in talks_year.values_list("branch_id", "from_member_id", "to_member_id").distinct()
    }
    by_branch: dict[int, list] = defaultdict(list)
    for p in committee:
        by_branch[p.org_id].append(p)
    pairs = []
    for bid, posts in by_branch.items():
        people = {p.member_id: p for p in posts}
        mine = {pair: n for (b, pair), n in talked.items() if b == bid}
        for a, b in orglife.committee_talk_pairs_missing(people, mine):
            pairs.append({"branch": people[a].org, "a": people[a].member, "b": people[b].member})
    return {"without": without, "committee": rows, "committee_pairs_missing": pairs}


# --- what is due ----------------------------------------------------------------------------
def todo(root: Organization, *, today: date | None = None) -> list[dict]:
    """Per branch: kinds still due in the current month / quarter / year and by when."""
    today = _today(today)
    _branches_, rows, _counts = _compute(root, today.year, today)
    items = []
    for r in rows:
        cur = r["current"]
        if not cur:
            continue
        items.append(
            {
                "branch_id": r["branch_id"],
                "branch": r["branch"],
                "kind": r["kind"],
                "kind_code": r["kind_code"],
                "period": cur["label"],
                "deadline": cur["deadline"],
                "days_left": (cur["deadline"] - today).days,
                "held": cur["held"],
                "minimum": cur["minimum"],
                "per_member": r["kind_code"] == orglife.ActivityKind.HEART_TALK,
            }
        )
    items.sort(key=lambda i: (i["deadline"], i["branch"], i["kind"]))
    return items


# --- lists ----------------------------------------------------------------------------------
def meetings_for_list(qs):
    """A (scoped) Meeting queryset for list pages: org, host and kinds joined in."""
    return qs.select_related("org", "branch", "host").prefetch_related("kind_links")


def attendance_counts(meeting_ids) -> dict[int, dict[str, int]]:
    """{meeting_id: {present, excused, absent, expected}} for one page of meetings. One query."""
    out: dict[int, dict[str, int]] = {}
    for r in (
        Attendance.objects.filter(meeting_id__in=list(meeting_ids))
        .values("meeting_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        d = out.setdefault(r["meeting_id"], {"present": 0, "excused": 0, "absent": 0, "expected": 0})
        d[r["status"]] = r["n"]
        d["expected"] += r["n"]
    return out


def meetings_of_kinds(branch: Organization, kinds, *, since: date):
    """The branch's meetings of any of `kinds` on or after `since`, newest first."""
    return (
        Meeting.objects.filter(branch=branch, date__gte=since, kind_links__kind__in=list(kinds))
        .distinct()
        .order_by("-date")
    )


def meetings_in_year(branch: Organization, year: int):
    """The branch's meetings of `year`, newest first."""
    return Meeting.objects.filter(branch=branch, date__year=year).order_by("-date")


def meetings_since(branch: Organization, since: date):
    """The branch's meetings on or after `since`, newest first."""
    return Meeting.objects.filter(branch=branch, date__gte=since).order_by("-date")


def visible_meeting(user, pk) -> Meeting | None:
    """The meeting `pk` if `user` may see it (accounts.scope), else None."""
    from dangjian.accounts.scope import visible_to

    return visible_to(user, Meeting).filter(pk=pk).first()


def meetings_recorded_under(root: Organization) -> int:
    """How many meetings are recorded in `root`'s subtree (the home page's 从零开始 checklist)."""
    return Meeting.objects.filter(branch__path__startswith=root.path).count()


# --- who takes part on a date (meetings.services and lifecycle's votes use the same people) ---
def members_on(qs, on: date):
    """Members of the branch on `on`: joined the party (and this organization) by then, not yet
    left, and not 停止党籍 (a 停止党籍 member takes no part in 组织生活)."""
    return (
        qs.filter(joined_on__lte=on)
        .filter(Q(is_current=True) | Q(left_on__gt=on))
        .filter(Q(joined_org_on__isnull=True) | Q(joined_org_on__lte=on))
        .exclude(standing=Standing.SUSPENDED)
        .order_by("name_pinyin")
    )


def entitled_voters(branch, on: date) -> list[Member]:
    """有表决权的党员 on `on`: the branch's 正式党员 in good standing (预备党员 have no vote,
    党章第七条; 停止党籍 members take no part). A member who became 正式党员 after `on` was
    still 预备党员 that day."""
    return [
        m
        for m in members_on(Member.objects.filter(branch=branch), on)
        if m.kind == MemberKind.FULL and (m.full_on is None or m.full_on <= on)
    ]


# --- 党课 for study (study counts 党课 学时 from these meetings' attendance) --------------------
def lecture_meetings(root: Organization, year: int) -> QuerySet:
    """The 党课 meetings of the branches under `root` in `year`."""
    return Meeting.objects.filter(
        branch__path__startswith=root.path, date__year=year, kind_links__kind=Kind.PARTY_LECTURE
    ).distinct()


def lectures_attended(where: Q, year: int) -> list[tuple]:
    """(member_id, meeting_id, date, topic, start_time, end_time, branch_id, member's branch
    path) for every 党课 in `year` attended (here or at the 流入地) by the members matching
    `where` (a Q on Attendance: its member), whichever branch held it: a member's 学时 are
    the member's wherever the 党课 was (a member who moved keeps the former branch's). One query."""
    present = Q(status=Attendance.Status.PRESENT) | Q(attended_elsewhere=True)
    return list(
        Attendance.objects.filter(where, present, meeting__date__year=year)
        .filter(meeting__kind_links__kind=Kind.PARTY_LECTURE)  # one link per kind (meeting_kind_unique)
        .order_by()
        .values_list(
            "member_id",
            "meeting_id",
            "meeting__date",
            "meeting__topic",
            "meeting__start_time",
            "meeting__end_time",
            "meeting__branch_id",
            "member__branch__path",
        )
    )


def lecture_meetings_with_present(root: Organization, year: int) -> QuerySet:
    """The 党课 meetings under `root` in `year`, each with `present` (who attended)."""
    present = Q(attendance__status=Attendance.Status.PRESENT) | Q(attendance__attended_elsewhere=True)
    return lecture_meetings(root, year).select_related("branch").annotate(present=Count("attendance", filter=present))


def is_lecture(meeting: Meeting) -> bool:
    return meeting.kind_links.filter(kind=Kind.PARTY_LECTURE).exists()


def present_member_ids(meeting: Meeting) -> set[int]:
    """Who was marked 出席 at `meeting` (to tick them when study is recorded from it)."""
    return set(meeting.attendance.filter(status=Attendance.Status.PRESENT).values_list("member_id", flat=True))


def kind_labels(codes: str) -> str:
    """Comma-separated meeting kind codes (a 会议通知's kinds as the audit log stores them) in words."""
    labels = dict(Kind.choices)
    return "、".join(labels.get(c.strip(), c.strip()) for c in codes.split(",") if c.strip())

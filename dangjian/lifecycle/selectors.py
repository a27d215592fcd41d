"""Reads of the member lifecycle: the pipeline, probation due list, transfers, 流动党员,
and `lifecycle_summary` for the dashboard and report (fixed number of queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Prefetch, Q

from dangjian.accounts.scope import visible_to
from dangjian.core import clock
from dangjian.core.figures import figure
from dangjian.core.rulesettings import mobile_contact_months
from dangjian.core.settings_registry import setting
from dangjian.lifecycle.models import OPEN_STAGES, DevelopmentCase, DevelopmentStep, MobileContact, Stage, Transfer
from dangjian.lifecycle.services import case_checks, probation_due_on
from dangjian.lifecycle.types import LifecycleSummary
from dangjian.members.models import Member, MemberEvent, MemberKind
from dangjian.rules.dates import add_months
from dangjian.rules.membership import probation_end
from dangjian.rules.mobile import LostStatus, contact_overdue, lost_contact


def _setting(name: str, default):
    return setting(name)


def remind_days() -> int:
    """How far ahead the 转正 reminder starts (local practice → setting, default 60 days)."""
    return int(_setting("PROBATION_REMIND_DAYS", 60))


def letter_valid_days() -> int:
    """Default validity of a 介绍信 (local practice → setting, default 30 days)."""
    return int(_setting("TRANSFER_LETTER_VALID_DAYS", 30))


# --- 发展党员 --------------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: DevelopmentCase
    problems: list  # failed checks (hard first)

    @property
    def blocked(self) -> bool:
        return any(c.hard for c in self.problems)


def cases_in_scope(user):
    return (
        visible_to(user, DevelopmentCase)
        .select_related("branch", "introducer_1", "introducer_2", "member")
        .prefetch_related(Prefetch("steps", queryset=DevelopmentStep.objects.order_by("date", "id")))
    )


def pipeline(user, *, today: date, branch_id: int | None = None, stage: str = "") -> dict:
    """Open cases grouped by stage, with the checks that currently fail. 2 queries."""
    qs = cases_in_scope(user)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    stages = [stage] if stage else [*OPEN_STAGES, Stage.PROBATIONARY]
    qs = qs.filter(stage__in=stages).order_by("branch__path", "applied_on", "id")
    groups: dict[str, list[CaseRow]] = {s: [] for s in stages}
    for case in qs:
        problems = [c for c in case_checks(case, today=today) if not c.ok]
        problems.sort(key=lambda c: not c.hard)
        groups[case.stage].append(CaseRow(case, problems))
    return groups


# --- 预备党员转正 ----------------------------------------------------------------------------


@dataclass
class DueRow:
    member: Member
    due_on: date
    days_left: int

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def status(self) -> str:
        if self.days_left < 0:
            return "已逾期"
        if self.days_left <= 30:
            return "30天内到期"
        if self.days_left <= 60:
            return "60天内到期"
        return ""

    @property
    def level(self) -> str:
        return {"已逾期": "danger", "30天内到期": "warning", "60天内到期": "info"}.get(self.status, "")


def probation_due(user_or_qs, *, today: date) -> list[DueRow]:
    """Current 预备党员 in scope with the day their probation ends (党章第七条), soonest first."""
    qs = user_or_qs if hasattr(user_or_qs, "model") else visible_to(user_or_qs, Member)
    qs = qs.filter(is_current=True, kind=MemberKind.PROBATIONARY).select_related("branch")
    rows = []
    for m in qs:
        due = probation_due_on(m)
        rows.append(DueRow(m, due, (due - today).days))
    rows.sort(key=lambda r: (r.due_on, r.member.name_pinyin))
    return rows


# --- 组织关系转接 ----------------------------------------------------------------------------


def transfers_in_scope(user, *, year: int | None = None):
    qs = visible_to(user, Transfer).select_related("member", "branch", "to_branch")
    if year:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-id")


# --- 流动党员 ------------------------------------------------------------------------------


@dataclass
class MobileRow:
    member: Member
    last_contact: date | None
    overdue: bool
    next_due: date


def _baseline(last_contact: date | None, since: date | None) -> date | None:
    """Registering a member as 流动 is itself a contact; afterwards the log counts."""
    dates = [d for d in (last_contact, since) if d]
    return max(dates) if dates else None


def mobile_rows(qs, *, today: date) -> list[MobileRow]:
    """流动党员 with their last contact; overdue after the local contact interval (setting
    MOBILE_CONTACT_MONTHS: the 条例 asks only for regular contact; 6 months by default)."""
    from dangjian.core.rulesettings import mobile_contact_months

    interval = mobile_contact_months()

    qs = (
        qs.filter(is_current=True, is_mobile=True)
        .select_related("branch")
        .annotate(last_contact=Max("mobile_contacts__date"))
        .order_by("branch__path", "name_pinyin")
    )
    rows = []
    for m in qs:
        base = _baseline(m.last_contact, m.mobile_since)
        next_due = add_months(base, interval) if base else today
        rows.append(MobileRow(m, m.last_contact, contact_overdue(base, today, interval), next_due))
    return rows


def mobile_list(user, *, today: date, overdue_only: bool = False) -> list[MobileRow]:
    rows = mobile_rows(visible_to(user, Member), today=today)
    return [r for r in rows if r.overdue] if overdue_only else rows


def lost_members(user):
    return visible_to(user, Member).filter(is_current=True, is_lost=True).select_related("branch").order_by("lost_on")


@dataclass
class LostRow:
    member: Member
    status: LostStatus | None  # None: the branch recorded 失联 without a date
    last_contact: date | None


def lost_status_of(member: Member, today: date) -> LostStatus | None:
    """How long a member recorded as 失联 has been lost (rules.mobile.lost_contact)."""
    return lost_contact(member.lost_on, today) if member.is_lost and member.lost_on else None


def lost_rows(user, *, today: date) -> list[LostRow]:
    """失联党员 with how long they have been lost and the last contact logged (one query). They stay
    on their branch's roster and in its counts (RULES.md §10: counted where the 组织关系 is)."""
    qs = lost_members(user).annotate(last=Max("mobile_contacts__date"))
    return [LostRow(m, lost_status_of(m, today), m.last) for m in qs]


def member_history(member: Member) -> dict:
    """One member's lifecycle: events, decisions, transfers, contacts (4 queries)."""
    return {
        "events": list(MemberEvent.objects.filter(member=member).order_by("-date", "-id")),
        "decisions": list(member.probation_decisions.order_by("-vote_on")),
        "transfers": list(member.transfers.select_related("branch", "to_branch").order_by("-date")),
        "contacts": list(MobileContact.objects.filter(member=member).order_by("-date", "-id")[:50]),
    }


# --- summary for the dashboard / report ------------------------------------------------------


@figure
def lifecycle_summary(root, year: int, *, today: date | None = None) -> LifecycleSummary:
    """Lifecycle figures under `root` for `year`. 4 queries whatever the size.

    applicants / activists / candidates: open 发展党员 cases at that stage now;
    developed: members accepted (发展 events) in `year`;
    probation_due: current 预备党员 whose probation ends by 31 December of `year` (incl. overdue);
    transfers_in / transfers_out: 组织关系 moved across the border of `root` in `year`;
    mobile / mobile_contact_overdue / lost: current members (contact overdue per rules.mobile);
    lost_over_six_months / lost_over_two_years: 失联 for more than 6 months (up to 2 years: a ground
    for 限期改正) and for more than 2 years, on the judging day (rules.mobile.lost_contact).
    """
    as_of = clock.judged_at(year, today)
    path = root.path
    stages = DevelopmentCase.objects.filter(branch__path__startswith=path, stage__in=OPEN_STAGES).aggregate(
        applicants=Count("id", filter=Q(stage=Stage.APPLICANT)),
        activists=Count("id", filter=Q(stage=Stage.ACTIVIST)),
        candidates=Count("id", filter=Q(stage=Stage.CANDIDATE)),
    )
    developed = MemberEvent.objects.filter(
        member__branch__path__startswith=path, kind=MemberEvent.Kind.DEVELOPED, date__year=year
    ).count()
    inside = Q(to_branch__path__startswith=path)
    moves = Transfer.objects.filter(date__year=year).aggregate(
        out=Count(
            "id",
            filter=Q(direction=Transfer.Direction.OUT, branch__path__startswith=path)
            & (Q(to_branch__isnull=True) | ~inside),
        ),
        into=Count("id", filter=Q(direction=Transfer.Direction.IN, branch__path__startswith=path))
        + Count("id", filter=Q(direction=Transfer.Direction.OUT) & inside & ~Q(branch__path__startswith=path)),
    )
    members = Member.objects.filter(branch__path__startswith=path, is_current=True)
    end_of_year = date(year, 12, 31)
    probation_due_n = mobile_n = overdue_n = lost_n = lost_six = lost_two = 0
    # 预备党员 (probation ends) and 流动/失联 members (contact, 失联 bands) in one read.
    for kind, joined, ext, is_mobile, is_lost, lost_on, since, last in (
        members.filter(Q(kind=MemberKind.PROBATIONARY) | Q(is_mobile=True) | Q(is_lost=True))
        .annotate(last=Max("mobile_contacts__date"))
        .values_list(
            "kind", "joined_on", "probation_extension_months", "is_mobile", "is_lost", "lost_on", "mobile_since", "last"
        )
    ):
        if kind == MemberKind.PROBATIONARY and probation_end(joined, ext or 0) <= end_of_year:
            probation_due_n += 1
        lost_n += is_lost
        if is_lost and lost_on:
            band = lost_contact(lost_on, as_of).band
            lost_six += band == "over_six_months"
            lost_two += band == "over_two_years"
        if is_mobile:
            mobile_n += 1
            overdue_n += contact_overdue(_baseline(last, since), as_of, mobile_contact_months())
    return LifecycleSummary(
        applicants=stages["applicants"],
        activists=stages["activists"],
        candidates=stages["candidates"],
        developed=developed,
        probation_due=probation_due_n,
        transfers_in=moves["into"],
        transfers_out=moves["out"],
        mobile=mobile_n,
        mobile_contact_overdue=overdue_n,
        lost=lost_n,
        lost_over_six_months=lost_six,
        lost_over_two_years=lost_two,
    )


def home_panel(user, root) -> dict | None:
    """首页提醒: 转正 due soon or overdue, 流动党员 contact overdue, 失联 over six months. 3 queries."""
    from django.urls import reverse

    from dangjian.accounts.roles import STAFF_ROLES

    if root is None or getattr(user, "role", None) not in STAFF_ROLES:
        return None
    today = clock.today()
    horizon = remind_days()
    due = [r for r in probation_due(user, today=today) if r.days_left <= horizon]
    overdue_due = sum(1 for r in due if r.days_left < 0)
    mobile = mobile_rows(visible_to(user, Member), today=today)
    contact_late = sum(1 for r in mobile if r.overdue)
    items = []
    if due:
        items.append((f"预备党员{horizon}天内到期待转正", len(due), reverse("lifecycle:probation")))
    if overdue_due:
        items.append(("预备期已满未办理转正", overdue_due, reverse("lifecycle:probation")))
    if contact_late:
        items.append(
            (
                f"流动党员超过{mobile_contact_months()}个月未联系",
                contact_late,
                reverse("lifecycle:mobile") + "?overdue=1",
            )
        )
    lost_long = sum(1 for r in lost_rows(user, today=today) if r.status and r.status.alert)
    if lost_long:
        items.append(("失联超过六个月（可作为限期改正的情形，由支部研究）", lost_long, reverse("lifecycle:mobile")))
    if not items:
        return None
    return {
        "title": "党员发展与管理",
        "items": items,
        "level": "danger" if overdue_due or contact_late or lost_long else "warning",
    }


def open_cases(user, under):
    """Development cases still open (申请人, 积极分子, 发展对象) under `under` that `user` may see."""
    from dangjian.accounts.scope import visible_to
    from dangjian.lifecycle.models import OPEN_STAGES, DevelopmentCase

    return visible_to(user, DevelopmentCase).filter(branch__path__startswith=under.path, stage__in=OPEN_STAGES)


def training_of(case) -> tuple:
    """(days, 学时) of a case's 集中培训: what was typed on the case, or what the 培训班 attendance
    records show (study.plan_selectors.training_totals), whichever is more."""
    from decimal import Decimal

    from dangjian.study.plan_selectors import training_totals

    t = training_totals([case.pk]).get(case.pk) if case.pk else None
    days = max(case.training_days or Decimal("0"), Decimal(t.days) if t else Decimal("0"))
    hours = max(case.training_hours or Decimal("0"), t.hours if t else Decimal("0"))
    return days, hours


def transfers_in(member_ids):
    """(member_id, date, 党费交至 as written) of every 转入 of these members, oldest first. One query."""
    from dangjian.lifecycle.models import Transfer

    return (
        Transfer.objects.filter(member__in=member_ids, direction=Transfer.Direction.IN)
        .order_by("member_id", "date", "id")
        .values_list("member_id", "date", "dues_paid_to")
    )

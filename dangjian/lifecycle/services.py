"""Writes of the member lifecycle. Every change to a member goes through here: saved with
optimistic locking (save_versioned), recorded as a MemberEvent, audited by auditlog.

Hard rules raise StepBlocked (message cites the article); soft rules come back as warnings
that the view shows after saving (DESIGN principle 4: the system alerts, people decide).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.lifecycle.models import (
    DevelopmentCase,
    DevelopmentStep,
    MobileContact,
    ProbationDecision,
    Stage,
    Transfer,
)
from dangjian.members.models import Member, MemberEvent, MemberKind, Standing
from dangjian.orgs.models import Organization, OrgType
from dangjian.rules import development as dev
from dangjian.rules import lifecycle as lrules
from dangjian.rules.development import Check
from dangjian.rules.errors import RuleError
from dangjian.rules.membership import probation_end

Kind = DevelopmentStep.Kind
EventKind = MemberEvent.Kind


class LifecycleError(ServiceError):
    """A change that cannot be made; `message` is Chinese and shown to the user."""

    def __init__(self, message: str, checks: list[Check] | None = None):
        super().__init__(message)
        self.checks = checks or []


class StepBlocked(LifecycleError):
    """One or more hard rules fail."""

    def __init__(self, checks: list[Check]):
        super().__init__("；".join(c.message for c in checks), checks)


def _training(case):
    from dangjian.lifecycle.selectors import training_of  # selectors import this module

    return training_of(case)


@dataclass
class Result:
    obj: object
    warnings: list[Check]


def _enforce(checks: list[Check]) -> list[Check]:
    """Raise on any failed hard check; return the failed soft ones (warnings)."""
    blocked = [c for c in checks if c.hard and not c.ok]
    if blocked:
        raise StepBlocked(blocked)
    return [c for c in checks if not c.ok]


def _event(member: Member, kind: str, on: date, note: str, user) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member, kind=kind, date=on, note=note[:300], created_by=user if _is_user(user) else None
    )


def _is_user(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _by(user):
    return user if _is_user(user) else None


def _require_current(member: Member) -> None:
    if not member.is_current:
        raise LifecycleError(f"{member.name}已不在册（{member.left_reason or '已离开'}），不能办理此事项")


# --- status of a member on a date ----------------------------------------------------------


def status_on(member: Member, on: date) -> str:
    """正式党员 / 预备党员 / 不在册 / 停止党籍 on `on` (for 入党介绍人 and voters)."""
    if not member.is_current:
        return "不在册"
    if member.standing != Standing.NORMAL:
        return "停止党籍"
    if member.joined_on > on:
        return "尚未入党"
    if member.kind == MemberKind.FULL and member.full_on and member.full_on <= on:
        return "正式党员"
    return "预备党员"


def full_members_count(branch: Organization, on: date | None = None) -> int:
    """有表决权的党员：本支部党籍正常的正式党员（党章第七条：预备党员没有表决权）。With `on`
    (the vote date): the same people as meetings.selectors.entitled_voters on that day."""
    if on is None:
        return Member.objects.filter(
            branch=branch, is_current=True, kind=MemberKind.FULL, standing=Standing.NORMAL
        ).count()
    from dangjian.meetings.selectors import entitled_voters

    return len(entitled_voters(branch, on))


def probation_due_on(member: Member) -> date:
    """预备期满之日 —— 党章第七条：支部大会通过之日起一年，延长的再加延长月数。"""
    return probation_end(member.joined_on, member.probation_extension_months or 0)


# --- 发展党员 --------------------------------------------------------------------------------


def create_case(
    *,
    branch: Organization,
    name: str,
    sex: str,
    birth_date: date,
    applied_on: date,
    ethnicity: str = "汉族",
    id_number: str = "",
    education: str = "",
    job: str = "",
    responsible: str = "",
    user=None,
) -> Result:
    """入党申请人建档. Applicant must be 18 on the application date (hard)."""
    from dangjian.core import crypto
    from dangjian.members.models import id_mask
    from dangjian.rules.idcard import normalize_id, validate_id

    if not branch.is_branch:
        raise LifecycleError("入党申请应由党支部受理，请选择一个党支部")
    checks = [dev.check_applicant_age(birth_date, applied_on)]
    warnings = _enforce(checks)
    case = DevelopmentCase(
        branch=branch,
        name=name.strip(),
        sex=sex,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        education=education,
        job=job,
        applied_on=applied_on,
    )
    if id_number:
        try:
            validate_id(id_number, today=applied_on)
        except RuleError as exc:
            raise LifecycleError(exc.message) from None
        number = normalize_id(id_number)
        case.id_number_enc = crypto.encrypt(number)
        case.id_number_mask = id_mask(number)
    with transaction.atomic():
        case.save()
        DevelopmentStep.objects.create(
            case=case,
            kind=Kind.APPLY,
            date=applied_on,
            decision="受理入党申请",
            responsible=responsible,
            documents="入党申请书",
            created_by=_by(user),
        )
    return Result(case, warnings)


def case_review_dates(case: DevelopmentCase) -> list[date]:
    steps = getattr(case, "_prefetched_objects_cache", {}).get("steps")
    steps = steps if steps is not None else case.steps.all()
    return [s.date for s in steps if s.kind == Kind.REVIEW]


def case_checks(case: DevelopmentCase, *, today: date) -> list[Check]:
    """The checks that apply to the case at its current stage (shown on the detail page)."""
    checks = [dev.check_applicant_age(case.birth_date, case.applied_on)]
    checks.append(dev.check_talk_within_month(case.applied_on, case.talk_on, today=today))
    if case.activist_on:
        until = case.candidate_on or today
        checks.append(dev.check_reviews_every_six_months(case.activist_on, case_review_dates(case), until))
    if case.candidate_on and case.activist_on:
        checks.append(dev.check_activist_year(case.activist_on, case.candidate_on))
    if case.stage == Stage.CANDIDATE:
        on = case.vote_on or today
        introducers = [m for m in (case.introducer_1, case.introducer_2) if m is not None]
        checks.append(dev.check_introducers([status_on(m, on) for m in introducers]))
        checks.append(lrules.check_political_review(case.political_review_on, on))
        checks.append(dev.check_training(*_training(case)))
    if case.vote_on:
        checks.append(dev.check_approval_within(case.vote_on, case.approved_on, case.approval_special, today=today))
    return checks


def next_steps(case: DevelopmentCase) -> list[str]:
    """Steps that may be recorded at the case's stage (the detail page offers these)."""
    if case.stage == Stage.APPLICANT:
        return [Kind.TALK, Kind.ACTIVIST, Kind.CLOSE]
    if case.stage == Stage.ACTIVIST:
        return [Kind.REVIEW, Kind.CANDIDATE, Kind.CLOSE]
    if case.stage == Stage.CANDIDATE:
        steps = [Kind.POLITICAL_REVIEW, Kind.TRAINING, Kind.VOTE]
        if case.vote_on:
            steps = [Kind.APPROVAL]
        return [*steps, Kind.CLOSE]
    return []


def record_step(
    *,
    case: DevelopmentCase,
    kind: str,
    on: date,
    expected_version: int | None,
    decision: str = "",
    responsible: str = "",
    documents: str = "",
    contacts: str = "",
    introducers: tuple[Member | None, Member | None] = (None, None),
    training_days: Decimal | None = None,
    training_hours: Decimal | None = None,
    vote_agree: int | None = None,
    vote_entitled: int | None = None,
    vote_present: int | None = None,
    approval_special: bool = False,
    user=None,
    today: date,
) -> Result:
    """Record one step of a case. Hard rules block (StepBlocked); soft ones are returned."""
    if kind not in next_steps(case):
        raise LifecycleError(f"“{Kind(kind).label}”不能在“{case.stage}”阶段登记")
    if on < case.applied_on:
        raise LifecycleError("日期不能早于递交入党申请书的日期")
    if on > today:
        raise LifecycleError("日期不能晚于今天")
    checks: list[Check] = []
    member_created = None
    if kind == Kind.TALK:
        case.talk_on = on
        checks.append(dev.check_talk_within_month(case.applied_on, on))
    elif kind == Kind.ACTIVIST:
        if not contacts.strip():
            raise LifecycleError("请填写培养联系人（1至2名正式党员）")
        case.activist_on, case.contacts, case.stage = on, contacts.strip(), Stage.ACTIVIST
        checks.append(dev.check_talk_within_month(case.applied_on, case.talk_on))
        responsible = responsible or contacts
    elif kind == Kind.REVIEW:
        if on < case.activist_on:
            raise LifecycleError("考察日期不能早于确定为入党积极分子的日期")
    elif kind == Kind.CANDIDATE:
        chosen = [m for m in introducers if m is not None]
        if len({m.pk for m in chosen}) != len(chosen):
            raise LifecycleError("两名入党介绍人不能是同一人")
        checks.append(dev.check_activist_year(case.activist_on, on))
        checks.append(dev.check_introducers([status_on(m, on) for m in chosen]))
        checks.append(dev.check_reviews_every_six_months(case.activist_on, [*case_review_dates(case)], on))
        case.candidate_on, case.stage = on, Stage.CANDIDATE
        case.introducer_1, case.introducer_2 = (chosen + [None, None])[:2]
        responsible = responsible or "、".join(m.name for m in chosen)
    elif kind == Kind.POLITICAL_REVIEW:
        case.political_review_on = on
    elif kind == Kind.TRAINING:
        case.training_days, case.training_hours = training_days, training_hours
        checks.append(dev.check_training(training_days, training_hours))
    elif kind == Kind.VOTE:
        if vote_agree is None or vote_entitled is None:
            raise LifecycleError("请填写赞成票数和有表决权的正式党员人数")
        introducers_now = [m for m in (case.introducer_1, case.introducer_2) if m is not None]
        checks.append(dev.check_introducers([status_on(m, on) for m in introducers_now]))
        checks.append(lrules.check_political_review(case.political_review_on, on))
        checks.append(dev.check_training(*_training(case)))
        checks.append(lrules.check_voters_full_members(vote_entitled, full_members_count(case.branch, on)))
        try:
            if vote_present is not None:
                checks.append(dev.check_vote_present(vote_present, vote_entitled))
            checks.append(dev.check_branch_vote(vote_agree, vote_entitled))
        except RuleError as exc:
            raise LifecycleError(exc.message) from None
        case.vote_on, case.vote_agree, case.vote_entitled = on, vote_agree, vote_entitled
        decision = decision or f"赞成{vote_agree}票 / 有表决权{vote_entitled}名，同意接收为预备党员"
    elif kind == Kind.APPROVAL:
        if on < case.vote_on:
            raise LifecycleError("党委审批日期不能早于支部大会日期")
        checks.append(dev.check_approval_within(case.vote_on, on, approval_special))
        case.approved_on, case.approval_special, case.stage = on, approval_special, Stage.PROBATIONARY
        decision = decision or "批准接收为预备党员"
    elif kind == Kind.CLOSE:
        if not decision.strip():
            raise LifecycleError("请填写终止培养的原因")
        case.stage, case.closed_reason = Stage.CLOSED, decision.strip()[:100]
    warnings = _enforce(checks)
    with transaction.atomic():
        save_versioned(case, expected_version=expected_version)
        if kind == Kind.APPROVAL:
            member_created = _admit(case, user=user)
            case.member = member_created
            case.save(update_fields=["member", "updated_at"])
        DevelopmentStep.objects.create(
            case=case,
            kind=kind,
            date=on,
            decision=decision[:200],
            responsible=responsible[:100],
            documents=documents[:200],
            warnings="\n".join(c.message for c in warnings),
            created_by=_by(user),
        )
    return Result(member_created or case, warnings)


def _validate_roster_fields(id_number: str, *, today: date, **fields) -> None:
    """The roster's own validation (members.validation.check_member: ID agrees with birth date
    and sex, dates consistent, 18 at joining) plus the one-current-record-per-ID rule."""
    from dangjian.members.services import DUPLICATE_ID_MESSAGE, id_taken
    from dangjian.members.validation import check_member

    errors = check_member({**fields, "id_number": id_number}, today=today)
    if errors:
        raise LifecycleError("；".join(m for msgs in errors.values() for m in msgs))
    if id_taken(id_number):
        raise LifecycleError(DUPLICATE_ID_MESSAGE)


def _admit(case: DevelopmentCase, *, user) -> Member:
    """The 党委 approved: the person joins the roster as 预备党员, 入党日期 = 支部大会 date
    (党章第七条：预备期自支部大会通过之日起计算)."""
    from dangjian.core import crypto
    from dangjian.members.models import Education

    if not case.id_number_enc:
        raise LifecycleError("请先在发展党员档案中填写公民身份号码，才能建立党员档案")
    raw = crypto.decrypt(case.id_number_enc)
    education = case.education if case.education in Education.values else Education.HIGH_SCHOOL
    _validate_roster_fields(
        raw,
        name=case.name,
        sex=case.sex,
        ethnicity=case.ethnicity,
        birth_date=case.birth_date,
        education=education,
        kind=MemberKind.PROBATIONARY,
        branch=case.branch,
        joined_on=case.vote_on,
        full_on=None,
        today=case.approved_on,
    )
    member = Member(
        name=case.name,
        sex=case.sex,
        ethnicity=case.ethnicity,
        birth_date=case.birth_date,
        education=education,
        kind=MemberKind.PROBATIONARY,
        branch=case.branch,
        joined_on=case.vote_on,
        job=case.job,
        introducers="、".join(m.name for m in (case.introducer_1, case.introducer_2) if m)[:60],
        joined_org_on=case.vote_on,
        joined_org_type="发展",
    )
    member.set_id_number(raw)
    member.save()
    _event(member, EventKind.DEVELOPED, case.vote_on, f"支部大会接收，党委于{case.approved_on:%Y-%m-%d}批准", user)
    return member


# --- 预备党员转正 ----------------------------------------------------------------------------


def record_probation_decision(
    *,
    member: Member,
    outcome: str,
    vote_on: date,
    vote_agree: int,
    vote_entitled: int,
    vote_present: int | None = None,
    approved_on: date,
    expected_version: int | None,
    extension_months: int = 0,
    note: str = "",
    user=None,
    today: date,
) -> Result:
    """按期转正 / 延长预备期 / 取消预备党员资格 (党章第七条), each by 支部大会 vote and approval."""
    _require_current(member)
    if member.kind != MemberKind.PROBATIONARY:
        raise LifecycleError(f"{member.name}不是预备党员")
    if vote_on > today or approved_on > today:
        raise LifecycleError("日期不能晚于今天")
    Outcome = ProbationDecision.Outcome
    due = probation_due_on(member)
    checks = [
        lrules.check_voters_full_members(vote_entitled, full_members_count(member.branch, vote_on)),
        lrules.check_full_approval_within(vote_on, approved_on),
    ]
    try:
        if vote_present is not None:
            checks.append(dev.check_vote_present(vote_present, vote_entitled))
        vote = dev.check_branch_vote(vote_agree, vote_entitled)
    except RuleError as exc:
        raise LifecycleError(exc.message) from None
    if outcome == Outcome.FULL:
        checks.append(vote)
        checks.append(lrules.check_full_vote_after_due(vote_on, due))
    elif outcome == Outcome.EXTEND:
        checks.append(vote)
        checks.append(lrules.check_extension_months(extension_months, member.probation_extension_months))
    elif outcome == Outcome.CANCEL:
        # 取消资格 is itself decided by the vote: it too needs more than half of the entitled voters.
        checks.append(vote)
    else:
        raise LifecycleError("请选择转正、延长预备期或取消预备党员资格")
    warnings = _enforce(checks)
    if outcome == Outcome.FULL:
        # 党章第七条：党龄从转为正式党员之日算起 —— 转正日期是预备期满之日，不是开会或审批日期。
        effective, kind = due, EventKind.FULL
        member.kind, member.full_on = MemberKind.FULL, due
        text = f"按期转正，转正日期{due:%Y-%m-%d}"
    elif outcome == Outcome.EXTEND:
        member.probation_extension_months = extension_months
        effective, kind = probation_due_on(member), EventKind.PROBATION_EXTENDED
        text = f"延长预备期{extension_months}个月，预备期至{effective:%Y-%m-%d}"
    else:
        effective, kind = approved_on, EventKind.PROBATION_CANCELLED
        member.is_current, member.left_on, member.left_reason = False, approved_on, "取消预备党员资格"
        text = "取消预备党员资格"
    text += f"（支部大会{vote_on:%Y-%m-%d}赞成{vote_agree}/{vote_entitled}，党委{approved_on:%Y-%m-%d}批准）"
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        decision = ProbationDecision.objects.create(
            member=member,
            outcome=outcome,
            due_on=due,
            vote_on=vote_on,
            vote_agree=vote_agree,
            vote_entitled=vote_entitled,
            approved_on=approved_on,
            extension_months=extension_months if outcome == Outcome.EXTEND else 0,
            effective_on=effective,
            note=note[:300],
            created_by=_by(user),
        )
        _event(member, kind, effective, text, user)
        if outcome == Outcome.FULL:
            DevelopmentCase.objects.filter(member=member).update(stage=Stage.FULL)
    return Result(decision, warnings)


# --- 组织关系转接 ----------------------------------------------------------------------------


def township_of(org: Organization) -> Organization:
    """The nearest 基层党委 above (or at) `org`; letters are numbered per 党委 and year."""
    if org.org_type in (OrgType.COMMITTEE, OrgType.HIGHER):
        return org
    ancestors = list(org.get_ancestors())
    for a in reversed(ancestors):
        if a.org_type == OrgType.COMMITTEE:
            return a
    return ancestors[-1] if ancestors else org


def transfer_destinations(branch: Organization):
    """Other active branches under the same 党委 (names only; a within-township transfer)."""
    from dangjian.orgs.models import BRANCH_TYPES

    township = township_of(branch)
    return (
        Organization.objects.filter(path__startswith=township.path, org_type__in=BRANCH_TYPES, is_active=True)
        .exclude(pk=branch.pk)
        .order_by("path")
    )


def _next_letter_no(branch: Organization, year: int) -> int:
    township = township_of(branch)
    top = Transfer.objects.filter(branch__path__startswith=township.path, letter_year=year).aggregate(
        n=Max("letter_no")
    )["n"]
    return (top or 0) + 1


def transfer_out(
    *,
    member: Member,
    on: date,
    reach: str,
    expected_version: int | None,
    to_branch: Organization | None = None,
    other_org: str = "",
    valid_days: int = 30,
    dues_paid_to: str = "",
    reason: str = "",
    user=None,
    today: date,
) -> Transfer:
    """转出. Within the 党委: the member moves to `to_branch` (转出 + 转入 events). Beyond: the
    member leaves current counts but stays on record (RULES.md §10: counted where the 组织关系 is)."""
    _require_current(member)
    if on > today:
        raise LifecycleError("转接日期不能晚于今天")
    if not 1 <= valid_days <= 365:
        raise LifecycleError("介绍信有效期应在1至365天之间")
    Reach = Transfer.Reach
    source = member.branch
    if reach == Reach.TOWNSHIP:
        if to_branch is None:
            raise LifecycleError("本镇内转接请选择转入的党支部")
        if to_branch.pk == source.pk or not transfer_destinations(source).filter(pk=to_branch.pk).exists():
            raise LifecycleError("转入的党支部应是本镇（街道）党委下的其他党支部")
        other_org = to_branch.name
    else:
        to_branch = None
        if not other_org.strip():
            raise LifecycleError("请填写转入的党组织名称")
    with transaction.atomic():
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.OUT,
            reach=reach,
            branch=source,
            to_branch=to_branch,
            other_org=other_org.strip()[:100],
            date=on,
            letter_year=on.year,
            letter_no=_next_letter_no(source, on.year),
            valid_days=valid_days,
            dues_paid_to=dues_paid_to[:20],
            reason=reason[:100],
            created_by=_by(user),
        )
        if to_branch is not None:
            member.branch, member.group = to_branch, None
            member.joined_org_on, member.joined_org_type = on, "本镇内转入"
            save_versioned(member, expected_version=expected_version)
            _event(
                member,
                EventKind.TRANSFER_OUT,
                on,
                f"由{source.name}转出至{to_branch.name}（{transfer.letter_number}）",
                user,
            )
            _event(
                member,
                EventKind.TRANSFER_IN,
                on,
                f"由{source.name}转入{to_branch.name}（{transfer.letter_number}）",
                user,
            )
        else:
            member.is_current, member.left_on, member.left_reason = False, on, "转出"
            member.is_mobile = False
            save_versioned(member, expected_version=expected_version)
            _event(member, EventKind.TRANSFER_OUT, on, f"转往{transfer.other_org}（{transfer.letter_number}）", user)
    return transfer


def transfer_in(
    *,
    branch: Organization,
    on: date,
    reach: str,
    other_org: str,
    name: str,
    sex: str,
    birth_date: date,
    id_number: str,
    kind: str,
    joined_on: date,
    full_on: date | None = None,
    ethnicity: str = "汉族",
    education: str = "",
    received_letter: str = "",
    reason: str = "",
    user=None,
    today: date,
) -> Transfer:
    """转入 from outside the 党委: a new member record, or the old record re-activated when
    the same 公民身份号码 was on our roster before (e.g. came back after a 转出)."""
    from dangjian.core import crypto
    from dangjian.members.models import Education
    from dangjian.rules.idcard import normalize_id

    if not branch.is_branch:
        raise LifecycleError("请选择转入的党支部")
    if on > today:
        raise LifecycleError("转接日期不能晚于今天")
    if not other_org.strip():
        raise LifecycleError("请填写转出的党组织名称")
    number = normalize_id(id_number)
    if kind == MemberKind.FULL and full_on is None:
        full_on = probation_end(joined_on)
    if kind == MemberKind.PROBATIONARY:
        full_on = None
    education = education if education in Education.values else Education.HIGH_SCHOOL
    _validate_roster_fields(
        number,
        name=name,
        sex=sex,
        ethnicity=ethnicity or "汉族",
        birth_date=birth_date,
        education=education,
        kind=kind,
        branch=branch,
        joined_on=joined_on,
        full_on=full_on,
        today=today,
    )
    digests = crypto.lookup_hashes(number)  # all live keys (rows not yet re-keyed by a rotation)
    with transaction.atomic():
        member = Member.objects.filter(id_number_hash__in=digests, is_current=False).order_by("-left_on").first()
        reactivated = member is not None
        if member is None:
            member = Member(name=name.strip(), sex=sex, ethnicity=ethnicity or "汉族", birth_date=birth_date)
            member.set_id_number(number)
        member.education = education
        member.kind, member.joined_on, member.full_on = kind, joined_on, full_on
        member.branch, member.group = branch, None
        member.is_current, member.left_on, member.left_reason = True, None, ""
        member.joined_org_on, member.joined_org_type = on, "转入"
        if reactivated:
            save_versioned(member, expected_version=member.version)
        else:
            member.save()
        transfer = Transfer.objects.create(
            member=member,
            direction=Transfer.Direction.IN,
            reach=reach,
            branch=branch,
            other_org=other_org.strip()[:100],
            date=on,
            received_letter=received_letter[:60],
            reason=reason[:100],
            created_by=_by(user),
        )
        note = f"由{transfer.other_org}转入{branch.name}" + ("（恢复原档案）" if reactivated else "")
        _event(member, EventKind.TRANSFER_IN, on, note, user)
    return transfer


# --- 流动党员、失联、党籍、死亡 ----------------------------------------------------------------


def register_mobile(
    *,
    member: Member,
    since: date,
    destination: str,
    host_org: str,
    contact: str,
    expected_version: int | None,
    user=None,
    today: date,
) -> Member:
    """外出流动登记 (2019 《党员教育管理工作条例》: 流出地党组织 keeps regular contact)."""
    _require_current(member)
    if member.is_mobile:
        raise LifecycleError(f"{member.name}已登记为流动党员")
    if since > today:
        raise LifecycleError("外出日期不能晚于今天")
    if not destination.strip():
        raise LifecycleError("请填写外出流向（去往何地）")
    member.is_mobile = True
    member.mobile_since, member.mobile_destination = since, destination.strip()[:60]
    member.mobile_host_org, member.mobile_contact = host_org.strip()[:100], contact.strip()[:60]
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, EventKind.MOBILE_OUT, since, f"外出到{member.mobile_destination}", user)
    return member


def log_contact(
    *,
    member: Member,
    on: date,
    method: str,
    content: str = "",
    contact_person: str = "",
    user=None,
    today: date,
) -> MobileContact:
    """A contact with a 流动党员 (or a 失联 member being sought)."""
    _require_current(member)
    if on > today:
        raise LifecycleError("联系日期不能晚于今天")
    if not (member.is_mobile or member.is_lost):
        raise LifecycleError(f"{member.name}不是流动党员")
    if method not in MobileContact.Method.values:
        raise LifecycleError("请选择联系方式")
    return MobileContact.objects.create(
        member=member,
        date=on,
        method=method,
        content=content[:300],
        contact_person=contact_person[:40],
        created_by=_by(user),
    )


def return_mobile(*, member: Member, on: date, expected_version: int | None, note: str = "", user=None, today: date):
    _require_current(member)
    if not member.is_mobile:
        raise LifecycleError(f"{member.name}不是流动党员")
    if on > today or (member.mobile_since and on < member.mobile_since):
        raise LifecycleError("返回日期应在外出日期之后、今天之前")
    destination = member.mobile_destination
    member.is_mobile = False
    member.mobile_destination = member.mobile_host_org = member.mobile_contact = ""
    member.mobile_since = None
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, EventKind.MOBILE_BACK, on, f"从{destination}返回" + (f"：{note}" if note else ""), user)
    return member


# Status changes recorded through record_status; LEAVING ones take the member out of current counts.
STATUS_KINDS = {
    EventKind.LOST: "失联",
    EventKind.FOUND: "恢复联系",
    EventKind.SUSPENDED: "停止党籍",
    EventKind.RESTORED: "恢复党籍",
    EventKind.DIED: "死亡",
    EventKind.EXPELLED: "除名",
    EventKind.WITHDREW: "退党",
}
LEAVING = {EventKind.DIED: "死亡", EventKind.EXPELLED: "除名", EventKind.WITHDREW: "退党"}


def record_status(
    *, member: Member, kind: str, on: date, expected_version: int | None, note: str = "", user=None, today: date
) -> Member:
    """失联 / 恢复联系 / 停止党籍 / 恢复党籍 / 死亡 / 除名 / 退党. Each is decided by people
    (RULES.md: the system alerts, people decide); this records the decision."""
    _require_current(member)
    if kind not in STATUS_KINDS:
        raise LifecycleError("请选择要登记的事项")
    if on > today:
        raise LifecycleError("日期不能晚于今天")
    if on < member.joined_on:
        raise LifecycleError("日期不能早于入党日期")
    text = STATUS_KINDS[kind]
    if kind == EventKind.LOST:
        if member.is_lost:
            raise LifecycleError(f"{member.name}已是失联党员")
        member.is_lost, member.lost_on = True, on
    elif kind == EventKind.FOUND:
        if not member.is_lost:
            raise LifecycleError(f"{member.name}不是失联党员")
        text = f"恢复联系（自{member.lost_on:%Y-%m-%d}失联）" if member.lost_on else text
        member.is_lost, member.lost_on = False, None
    elif kind == EventKind.SUSPENDED:
        if member.standing == Standing.SUSPENDED:
            raise LifecycleError(f"{member.name}已停止党籍")
        member.standing = Standing.SUSPENDED
    elif kind == EventKind.RESTORED:
        if member.standing != Standing.SUSPENDED:
            raise LifecycleError(f"{member.name}的党籍状态正常，无需恢复")
        member.standing = Standing.NORMAL
    else:
        if kind in (EventKind.EXPELLED, EventKind.WITHDREW) and not note.strip():
            raise LifecycleError("请在说明中写明支部大会决定和上级党组织批准情况")
        member.is_current, member.left_on, member.left_reason = False, on, LEAVING[kind]
        member.is_mobile = False
    with transaction.atomic():
        save_versioned(member, expected_version=expected_version)
        _event(member, kind, on, text + (f"：{note.strip()}" if note.strip() else ""), user)
    return member

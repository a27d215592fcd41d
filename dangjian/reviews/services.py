"""Writes for 民主评议党员, 不合格党员处置 and branch rating.

Rules cited: RULES.md §2 (《中国共产党支部工作条例（试行）》Art. 18: steps, grades, 1/3 cap,
预备党员 not graded) and §3 (《中国共产党不合格党员组织处置办法》2024: measures, deadlines,
procedure, 5-year rule). The system records people's decisions; it never decides.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.accounts.scope import can_write, editable_by, visible_to
from dangjian.core import clock
from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.members.models import Member, MemberEvent, MemberKind
from dangjian.reviews import selectors
from dangjian.reviews.models import (
    Appraisal,
    AppraisalEntry,
    BallotTally,
    BranchRating,
    Disposal,
    DisposalStep,
    ManualScore,
    RatingCriterion,
    RatingTemplate,
    StarLevel,
    VoterFlag,
)
from dangjian.rules.appraisal import (
    CORRECTION_DEFAULT_MONTHS,
    DISPOSAL_MEASURES,
    DISPOSAL_STEPS,
    EXCELLENT_CAP_SOURCE,
    GRADES,
    LEAVING_MEASURES,
    NO_GRADE_SOURCE,
    correction_deadline,
    correction_months_valid,
    excellent_cap_exceeded,
    grade_allowed,
)
from dangjian.rules.errors import RuleError

SRC_ART18 = "（《中国共产党支部工作条例（试行）》第十八条）"
# “优秀”比例与“预备党员不评等次”：第十八条没有规定比例（issue 20），出处见 rules.appraisal。
SRC_EXCELLENT_CAP = "（" + EXCELLENT_CAP_SOURCE + "）"
SRC_NO_GRADE = "（" + NO_GRADE_SOURCE + "）"
SRC_DISPOSAL = "（《中国共产党不合格党员组织处置办法》）"
DECIDING_KINDS = selectors.DECIDING_KINDS
STEP_ORDER = [s.value for s in Appraisal.Step]


class ReviewError(ServiceError, RuleError):
    """A refused write, with a Chinese message for the page (core.errors.ServiceError)."""


def _require_writer(user, obj_or_qs) -> None:
    model = obj_or_qs if isinstance(obj_or_qs, type) else type(obj_or_qs)
    if not can_write(user):
        raise ReviewError("您的角色为只读，不能修改民主评议记录")
    if not isinstance(obj_or_qs, type) and not editable_by(user, model).filter(pk=obj_or_qs.pk).exists():
        raise ReviewError("该记录不在您的权限范围内")


def _advance(appraisal: Appraisal, step: str) -> None:
    if STEP_ORDER.index(step) > STEP_ORDER.index(appraisal.step):
        appraisal.step = step


# --- 民主评议 -----------------------------------------------------------------------------


@transaction.atomic
def open_appraisal(*, user, branch, year: int) -> Appraisal:
    """Open the year's appraisal for a branch with every current member (正式 and 预备)."""
    if not can_write(user) or not editable_by(user, type(branch)).filter(pk=branch.pk).exists():
        raise ReviewError("只能为本人权限范围内的党支部开展民主评议")
    if not branch.is_branch:
        raise ReviewError("民主评议以党支部为单位开展" + SRC_ART18)
    if Appraisal.objects.filter(branch=branch, year=year).exists():
        raise ReviewError(f"{branch}{year}年度的民主评议已经开启")
    appraisal = Appraisal.objects.create(branch=branch, year=year, opened_by=user)
    members = Member.objects.filter(branch=branch, is_current=True).only("id", "kind")
    entries = [AppraisalEntry(appraisal=appraisal, member=m, member_kind=m.kind) for m in members]
    AppraisalEntry.objects.bulk_create(entries)
    from dangjian.core.audit import log_bulk

    log_bulk(AppraisalEntry.objects.filter(appraisal=appraisal), note="开启民主评议")
    return appraisal


# Reads used by the services below live in selectors (kept here under their old names).
deciding_meetings = selectors.deciding_meetings
study_meetings = selectors.study_meetings


def record_study(
    *, user, appraisal: Appraisal, meeting=None, note: str = "", on: date | None = None, expected_version: int
) -> Appraisal:
    """学习教育 (first step, Art. 18): a linked meeting or a written note."""
    _require_writer(user, appraisal)
    note = (note or "").strip()
    if meeting is None and not note:
        raise ReviewError("请选择学习教育的会议，或填写学习教育情况")
    if meeting is not None and not study_meetings(appraisal).filter(pk=meeting.pk).exists():
        raise ReviewError("所选会议不是本支部本年度的会议")
    appraisal.study_meeting = meeting
    appraisal.study_note = note
    appraisal.study_on = on or (meeting.date if meeting else clock.today())
    _advance(appraisal, Appraisal.Step.SELF)
    save_versioned(appraisal, expected_version=expected_version)
    return appraisal


def record_self_assessment(*, user, entry: AppraisalEntry, text: str) -> AppraisalEntry:
    """个人自评: written by the member (self-service) or recorded by the secretary."""
    text = (text or "").strip()
    if len(text) < 10:
        raise ReviewError("个人自评内容太短，请至少写10个字")
    by_self = user.role == Role.MEMBER
    if by_self:
        if user.member_id != entry.member_id:
            raise ReviewError("只能填写本人的自评")
    else:
        _require_writer(user, entry)
    if entry.appraisal.step == Appraisal.Step.DONE:
        raise ReviewError("本年度民主评议已完成，不能再修改自评")
    entry.self_assessment = text
    entry.self_by_member = by_self
    entry.self_recorded_by = user
    entry.self_at = timezone.now()
    entry.save(update_fields=["self_assessment", "self_by_member", "self_recorded_by", "self_at", "updated_at"])
    appraisal = entry.appraisal
    if appraisal.step == Appraisal.Step.STUDY:
        pass  # self-assessment may come in before the study is recorded; the step stays
    return entry


def set_voting(*, user, appraisal: Appraisal, open_: bool) -> Appraisal:
    """Open or close online 党员互评/民主测评; tallies start at zero for every member."""
    _require_writer(user, appraisal)
    if appraisal.step == Appraisal.Step.DONE:
        raise ReviewError("本年度民主评议已完成")
    if open_:
        existing = set(
            BallotTally.objects.filter(entry__appraisal=appraisal, source=BallotTally.Source.ONLINE).values_list(
                "entry_id", "grade"
            )
        )
        new = [
            BallotTally(entry_id=e, source=BallotTally.Source.ONLINE, grade=g, count=0)
            for e in appraisal.entries.values_list("id", flat=True)
            for g in GRADES
            if (e, g) not in existing
        ]
        BallotTally.objects.bulk_create(new)
        _advance(appraisal, Appraisal.Step.VOTING)
    Appraisal.objects.filter(pk=appraisal.pk).update(voting_open=open_, step=appraisal.step, version=F("version") + 1)
    appraisal.refresh_from_db()
    return appraisal


@transaction.atomic
def cast_ballot(*, user, appraisal: Appraisal, grades: dict[int, str]) -> int:
    """One 正式党员 rates the others. The ballot is stored only as counts (anonymous);
    the separate VoterFlag says that this member voted, not how. Returns members rated."""
    member_id = user.member_id
    if not member_id:
        raise ReviewError("只有党员本人可以参加网上测评")
    if not appraisal.voting_open:
        raise ReviewError("网上测评尚未开始或已经结束")
    voter_entry = appraisal.entries.filter(member_id=member_id).first()
    if voter_entry is None:
        raise ReviewError("您不在本次民主评议的党员名单中")
    if voter_entry.member_kind != MemberKind.FULL:
        # 党章第七条只限制表决权、选举权、被选举权，民主测评不是表决：预备党员不参加测评是本地做法。
        raise ReviewError("预备党员参加民主评议，但按本地做法不参加民主测评打分" + SRC_NO_GRADE)
    valid_ids = set(appraisal.entries.exclude(member_id=member_id).values_list("id", flat=True))
    clean: dict[int, str] = {}
    for entry_id, grade in grades.items():
        if not grade:
            continue
        if grade not in GRADES:
            raise ReviewError(f"等次“{grade}”无效，只能是优秀、合格、基本合格、不合格")
        if int(entry_id) not in valid_ids:
            raise ReviewError("只能评价本支部的其他党员")
        clean[int(entry_id)] = grade
    if not clean:
        raise ReviewError("请至少为一名党员选择等次")
    try:
        with transaction.atomic():
            VoterFlag.objects.create(appraisal=appraisal, voter_id=member_id)
    except IntegrityError:
        raise ReviewError("您已经参加过本次测评，不能重复投票") from None
    for entry_id, grade in clean.items():
        # Conditional UPDATE: no audit row, no voter id, no timestamp on the tally.
        BallotTally.objects.filter(entry_id=entry_id, source=BallotTally.Source.ONLINE, grade=grade).update(
            count=F("count") + 1
        )
    return len(clean)


@transaction.atomic
def record_paper_counts(*, user, appraisal: Appraisal, counts: dict[int, dict[str, int]]) -> None:
    """Paper ballots entered as totals per member per grade (replacing earlier totals)."""
    _require_writer(user, appraisal)
    if appraisal.step == Appraisal.Step.DONE:
        raise ReviewError("本年度民主评议已完成")
    entry_ids = set(appraisal.entries.values_list("id", flat=True))
    n_full = appraisal.entries.filter(member_kind=MemberKind.FULL).count()
    for entry_id, per_grade in counts.items():
        if entry_id not in entry_ids:
            raise ReviewError("票数中有不属于本次评议的党员")
        total = 0
        for grade, n in per_grade.items():
            if grade not in GRADES:
                raise ReviewError(f"等次“{grade}”无效")
            if n is None or n < 0:
                raise ReviewError("票数不能为负数")
            total += n
        if total > n_full:
            raise ReviewError(f"一名党员的纸质票合计{total}张，超过了正式党员人数{n_full}")
    for entry_id, per_grade in counts.items():
        for grade, n in per_grade.items():
            tally, _ = BallotTally.objects.get_or_create(
                entry_id=entry_id, source=BallotTally.Source.PAPER, grade=grade
            )
            if tally.count != n:
                tally.count = n
                tally.save()
    _advance(appraisal, Appraisal.Step.VOTING)
    Appraisal.objects.filter(pk=appraisal.pk).update(step=appraisal.step)


def excellent_warning(appraisal: Appraisal, n_excellent: int | None = None) -> str:
    """The 1/3 warning text, or "" — a warning, never a block (RULES.md §2)."""
    n_full = appraisal.entries.filter(member_kind=MemberKind.FULL).count()
    if n_excellent is None:
        n_excellent = appraisal.entries.filter(grade="优秀").count()
    if excellent_cap_exceeded(n_excellent, n_full):
        return (
            f"提醒：评为“优秀”的有{n_excellent}人，超过了正式党员（{n_full}人）的三分之一。"
            "“优秀”一般不超过正式党员的1/3" + SRC_EXCELLENT_CAP + "；如本地另有规定，可继续保存。"
        )
    return ""


@transaction.atomic
def set_grades(
    *, user, appraisal: Appraisal, meeting, grades: dict[int, str], notes: dict[int, str] | None = None
) -> str:
    """组织评定: grades per member decided at a recorded 支委会 or 党员大会.

    Refuses a grade without the deciding meeting, and any grade for a 预备党员. Returns the
    1/3 warning text ("" when none). Blank grades leave an entry ungraded.
    """
    _require_writer(user, appraisal)
    notes = notes or {}
    if appraisal.step == Appraisal.Step.DONE:
        raise ReviewError("本年度民主评议已完成，如需更正请联系镇党委")
    wanted = {int(k): (v or "").strip() for k, v in grades.items()}
    if any(wanted.values()) and meeting is None:
        raise ReviewError(
            "组织评定须由支委会或党员大会作出：请先选择作出评定的会议（含“不合格”在内的任何等次都必须有会议记录）"
            + SRC_ART18
        )
    if meeting is not None and not deciding_meetings(appraisal).filter(pk=meeting.pk).exists():
        raise ReviewError("所选会议不是本支部的支委会或党员大会，不能作为组织评定的依据" + SRC_ART18)
    entries = {e.id: e for e in appraisal.entries.select_related("member")}
    now = timezone.now()
    changed = []
    for entry_id, grade in wanted.items():
        entry = entries.get(entry_id)
        if entry is None:
            raise ReviewError("评定名单中有不属于本次评议的党员")
        if grade and grade not in GRADES:
            raise ReviewError(f"等次“{grade}”无效，只能是优秀、合格、基本合格、不合格")
        if grade and not grade_allowed(entry.member_kind):
            raise ReviewError(f"{entry.member.name}是预备党员：预备党员参加民主评议，但不评定等次" + SRC_NO_GRADE)
        if grade == entry.grade and (not grade or entry.decided_meeting_id == meeting.pk):
            continue
        if entry.grade == "不合格" and grade != "不合格" and entry.disposals.exists():
            raise ReviewError(f"{entry.member.name}已登记不合格党员处置，不能直接改变等次")
        entry.grade = grade
        entry.decided_meeting = meeting if grade else None
        entry.grade_note = (notes.get(entry_id) or "")[:300]
        entry.graded_by = user
        entry.graded_at = now
        entry.save()
        changed.append(entry)
    if changed:
        _advance(appraisal, Appraisal.Step.DECISION)
        Appraisal.objects.filter(pk=appraisal.pk).update(step=appraisal.step)
    return excellent_warning(appraisal)


def complete_appraisal(*, user, appraisal: Appraisal, on: date | None = None) -> Appraisal:
    _require_writer(user, appraisal)
    if not appraisal.study_on:
        raise ReviewError("请先登记学习教育环节" + SRC_ART18)
    missing = appraisal.entries.filter(member_kind=MemberKind.FULL, grade="").select_related("member")
    if missing.exists():
        names = "、".join(e.member.name for e in missing[:5])
        raise ReviewError(f"还有正式党员未评定等次：{names}")
    appraisal.step = Appraisal.Step.DONE
    appraisal.voting_open = False
    appraisal.completed_on = on or clock.today()
    appraisal.save()
    return appraisal


# --- 不合格党员处置 ------------------------------------------------------------------------


@transaction.atomic
def start_disposal(
    *,
    user,
    entry: AppraisalEntry,
    measure: str,
    reason: str,
    started_on: date | None = None,
    months: int | None = CORRECTION_DEFAULT_MONTHS,
) -> Disposal:
    """Register a disposal for a recorded 不合格 grade (处置办法). Nothing else changes."""
    _require_writer(user, entry)
    if entry.grade != "不合格" or entry.decided_meeting_id is None:
        raise ReviewError("只有经支委会或党员大会组织评定为“不合格”的党员才能登记处置" + SRC_DISPOSAL)
    if measure not in DISPOSAL_MEASURES:
        raise ReviewError("处置方式只能是限期改正、劝其退党或除名" + SRC_DISPOSAL)
    if entry.disposals.filter(status=Disposal.Status.OPEN).exists():
        raise ReviewError("该党员已有进行中的处置")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写处置理由")
    started_on = started_on or clock.today()
    deadline = None
    if measure == "限期改正":
        months = int(months or CORRECTION_DEFAULT_MONTHS)
        if not correction_months_valid(months):
            raise ReviewError("限期改正期限一般为6个月，最长不超过1年" + SRC_DISPOSAL)
        deadline = correction_deadline(started_on, months)
    else:
        months = None
    disposal = Disposal.objects.create(
        entry=entry,
        measure=measure,
        started_on=started_on,
        correction_months=months,
        deadline=deadline,
        reason=reason,
        created_by=user,
    )
    # Each step gets a due date a fortnight after the previous one: a reminder, not a rule.
    for i, name in enumerate(DISPOSAL_STEPS, start=1):
        DisposalStep.objects.create(disposal=disposal, order=i, name=name, due_on=started_on + timedelta(days=14 * i))
    return disposal


def record_step(
    *,
    user,
    step: DisposalStep,
    done_on: date,
    decision: str,
    meeting=None,
    document: str = "",
    document_name: str = "",
    expected_version: int,
) -> DisposalStep:
    """Record one procedure step with its decision/document; steps go in order."""
    _require_writer(user, step)
    disposal = step.disposal
    if disposal.status != Disposal.Status.OPEN:
        raise ReviewError("该处置已结束，不能再登记步骤")
    if disposal.steps.filter(order__lt=step.order, done_on__isnull=True).exists():
        raise ReviewError("请按顺序登记：前面的步骤尚未完成" + SRC_DISPOSAL)
    decision = (decision or "").strip()
    if not decision:
        raise ReviewError("请填写本步骤的决定或意见")
    if done_on < disposal.started_on:
        raise ReviewError("完成日期不能早于处置开始日期")
    if meeting is not None and meeting.branch_id != disposal.entry.appraisal.branch_id:
        raise ReviewError("所选会议不是本支部的会议")
    step.done_on = done_on
    step.decision = decision
    step.meeting = meeting
    if document:
        step.document = document
        step.document_name = document_name[:200]
    step.recorded_by = user
    save_versioned(step, expected_version=expected_version)
    return step


def record_final_decision(
    *, user, disposal: Disposal, decided_on: date, decision: str, corrected: bool = False, expected_version: int
) -> Disposal:
    """The final decision. For 限期改正: corrected or not at the end of the period; for
    劝其退党/除名: after every step incl. 基层党委审批. The member is not changed here."""
    _require_writer(user, disposal)
    if disposal.status != Disposal.Status.OPEN:
        raise ReviewError("该处置已有最终决定")
    decision = (decision or "").strip()
    if not decision:
        raise ReviewError("请填写最终决定的内容")
    if disposal.measure in LEAVING_MEASURES and disposal.steps.filter(done_on__isnull=True).exists():
        raise ReviewError(
            "劝其退党、除名须完成全部程序（含党员大会讨论和基层党委审批）后才能登记最终决定" + SRC_DISPOSAL
        )
    disposal.decided_on = decided_on
    disposal.decision = decision
    disposal.status = (
        Disposal.Status.CORRECTED if (disposal.measure == "限期改正" and corrected) else Disposal.Status.DECIDED
    )
    save_versioned(disposal, expected_version=expected_version)
    return disposal


@transaction.atomic
def confirm_leaving(*, user, disposal: Disposal, on: date | None = None) -> MemberEvent:
    """Only when the user confirms: record the member's leaving (劝其退党/除名) as a MemberEvent."""
    _require_writer(user, disposal)
    if disposal.measure not in LEAVING_MEASURES or disposal.status != Disposal.Status.DECIDED:
        raise ReviewError("只有已作出最终决定的劝其退党、除名，才能登记党员离开组织")
    if disposal.leaving_event_id:
        raise ReviewError("已登记过该党员离开组织")
    on = on or disposal.decided_on
    member = disposal.entry.member
    kind = MemberEvent.Kind.PERSUADED_OUT if disposal.measure == "劝其退党" else MemberEvent.Kind.EXPELLED
    event = MemberEvent.objects.create(
        member=member,
        kind=kind,
        date=on,
        note=f"{disposal.measure}（{disposal.entry.appraisal.year}年民主评议），5年内不得重新入党",
        created_by=user,
    )
    member.is_current, member.left_on, member.left_reason, member.is_mobile = False, on, str(kind), False
    save_versioned(member, expected_version=member.version)
    disposal.leaving_event = event
    disposal.save(update_fields=["leaving_event", "updated_at"])
    return event


# --- 支部评星 ------------------------------------------------------------------------------

# Default "五好党支部" template; localities differ, so it is only a starting point.
DEFAULT_CRITERIA = [
    ("班子好", "支部班子团结有力、书记履职尽责", "", True),
    ("党员队伍好", "党员参加组织生活、学习、积分管理", "attendance,study,points", False),
    ("工作机制好", "三会一课等组织生活制度落实、党费按时收缴", "orglife,dues", False),
    ("工作业绩好", "重点工作完成、督查问题整改到位", "rectification", True),
    ("群众反映好", "群众满意度、服务群众实效", "", True),
]
DEFAULT_LEVELS = [
    (5, 90, "五星级党支部"),
    (4, 80, "四星级党支部"),
    (3, 70, "三星级党支部"),
    (2, 60, "二星级党支部"),
    (1, 0, "一星级党支部"),
]


def default_template(*, org, user=None) -> RatingTemplate:
    """The active template of `org`, created from the 五好党支部 default if there is none."""
    tpl = RatingTemplate.objects.filter(org=org, is_active=True).first()
    if tpl:
        return tpl
    with transaction.atomic():
        tpl = RatingTemplate.objects.create(org=org, name="五好党支部评星标准")
        for i, (name, desc, ind, manual) in enumerate(DEFAULT_CRITERIA, start=1):
            RatingCriterion.objects.create(
                template=tpl, order=i, name=name, description=desc, weight=20, indicators=ind, manual=manual
            )
        for stars, min_score, label in DEFAULT_LEVELS:
            StarLevel.objects.create(template=tpl, stars=stars, min_score=min_score, label=label)
    return tpl


def save_criterion(
    *,
    user,
    template: RatingTemplate,
    criterion: RatingCriterion | None,
    name: str,
    weight: int,
    indicators: list[str],
    manual: bool,
    description: str = "",
    order: int = 0,
    expected_version: int | None = None,
) -> RatingCriterion:
    if user.role != Role.ADMIN:
        raise ReviewError("评星标准由镇（区）党委管理员设置")
    _require_writer(user, template)
    from dangjian.reviews.models import Indicator

    name = (name or "").strip()
    if not name:
        raise ReviewError("请填写标准名称")
    if not 0 < weight <= 100:
        raise ReviewError("权重应在1至100之间")
    bad = [c for c in indicators if c not in Indicator.values]
    if bad:
        raise ReviewError("自动指标无效")
    if not indicators and not manual:
        raise ReviewError("每项标准至少要有一个自动指标或人工评价")
    c = criterion or RatingCriterion(template=template)
    c.name, c.weight, c.indicators, c.manual, c.description, c.order = (
        name,
        weight,
        ",".join(indicators),
        manual,
        description,
        order,
    )
    if criterion is None:
        c.save()
    else:
        save_versioned(c, expected_version=expected_version)
    return c


def save_level(*, user, template: RatingTemplate, stars: int, min_score: int, label: str = "") -> StarLevel:
    if user.role != Role.ADMIN:
        raise ReviewError("星级标准由镇（区）党委管理员设置")
    _require_writer(user, template)
    if not 1 <= stars <= 5 or not 0 <= min_score <= 100:
        raise ReviewError("星级为1至5，分数线为0至100")
    level, _ = StarLevel.objects.update_or_create(
        template=template, stars=stars, defaults={"min_score": min_score, "label": label}
    )
    return level


def get_or_create_rating(*, user, branch, year: int, template: RatingTemplate) -> BranchRating:
    if not can_write(user) or not editable_by(user, type(branch)).filter(pk=branch.pk).exists():
        raise ReviewError("该党支部不在您的权限范围内")
    rating, _ = BranchRating.objects.get_or_create(
        branch=branch, year=year, defaults={"template": template, "rated_by": user}
    )
    return rating


def set_manual_score(
    *, user, rating: BranchRating, criterion: RatingCriterion, score: int, evidence: str, document: str = ""
) -> ManualScore:
    """A manual assessment: the township rates branches (a branch does not rate itself)."""
    if user.role != Role.ADMIN:
        raise ReviewError("人工评价由镇（区）党委评定，支部可提供佐证材料")
    _require_writer(user, rating)
    if criterion.template_id != rating.template_id or not criterion.manual:
        raise ReviewError("该标准不需要人工评分")
    if score is None or not 0 <= score <= 100:
        raise ReviewError("得分应在0至100之间")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ReviewError("请填写评分依据")
    defaults = {"score": score, "evidence": evidence}
    if document:
        defaults["document"] = document
    ms, _ = ManualScore.objects.update_or_create(rating=rating, criterion=criterion, defaults=defaults)
    return ms


def set_model_branch(*, user, rating: BranchRating, is_model: bool, note: str = "") -> BranchRating:
    if user.role != Role.ADMIN:
        raise ReviewError("示范点由镇（区）党委确定")
    _require_writer(user, rating)
    rating.is_model = is_model
    rating.note = (note or "")[:300]
    rating.save(update_fields=["is_model", "note", "updated_at"])
    return rating


def visible_appraisals(user):
    return visible_to(user, Appraisal)

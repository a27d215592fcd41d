"""Writes for 抓学习促提升: yearly study plans and their items, the materials library, and the
培训班 of 入党积极分子 and 发展对象 (sessions, attendance, paper-test scores).

Keyword-only, typed inputs; a bad input raises PlanError with a Chinese message and changes
nothing. Nothing here records reading time, opening or clicks (2023 形式主义 rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction

from dangjian.core import clock
from dangjian.core.audit import log_bulk
from dangjian.core.uploads import store_upload
from dangjian.study.models import (
    Course,
    CourseSession,
    Enrollment,
    Material,
    PlanItem,
    PlanItemMeeting,
    Question,
    SessionAttendance,
    StudyKind,
    StudyPlan,
)

MATERIAL_KINDS = ("pdf", "docx", "image")
MAX_ITEM_HOURS = Decimal("80")


class PlanError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _today(today: date | None) -> date:

    return clock.or_today(today)


# --- plans -----------------------------------------------------------------------------
def create_plan(*, org, year: int, title: str = "", user=None, today: date | None = None) -> StudyPlan:
    today = _today(today)
    if not 2000 <= year <= today.year + 1:
        raise PlanError(f"年度应在2000年至{today.year + 1}年之间")
    if StudyPlan.objects.filter(org=org, year=year).exists():
        raise PlanError(f"{org}已有{year}年学习计划，请在原计划中添加内容")
    title = (title or "").strip() or f"{org.short_name or org.name}{year}年学习计划"
    return StudyPlan.objects.create(org=org, year=year, title=title[:200], created_by=user)


@dataclass(frozen=True)
class ItemInput:
    month_from: int | None
    month_to: int | None
    topic: str
    hours: Decimal | None
    kind: str = StudyKind.CENTRAL
    note: str = ""
    material_ids: list[int] = field(default_factory=list)


def add_item(*, plan: StudyPlan, data: ItemInput, materials=None) -> PlanItem:
    """One item of `plan`. `materials` is the queryset the caller may attach (already scoped)."""
    mf, mt = data.month_from, data.month_to or data.month_from
    if mf is None or not 1 <= mf <= 12 or mt is None or not 1 <= mt <= 12:
        raise PlanError("请选择1至12月之间的月份")
    if mt < mf:
        raise PlanError("结束月份不能早于开始月份")
    topic = (data.topic or "").strip()
    if not topic:
        raise PlanError("请填写学习专题")
    if data.hours is None or not Decimal("0") < data.hours <= MAX_ITEM_HOURS:
        raise PlanError("预计学时应大于0、不超过80")
    if data.kind not in StudyKind.values:
        raise PlanError("请选择学习形式")
    chosen = []
    if data.material_ids:
        if materials is None:
            raise PlanError("没有可选的学习资料")
        chosen = list(materials.filter(pk__in=data.material_ids))
        if len(chosen) != len(set(data.material_ids)):
            raise PlanError("所选学习资料不存在或不在您的权限范围内")
    with transaction.atomic():
        item = PlanItem.objects.create(
            plan=plan, month_from=mf, month_to=mt, topic=topic[:200], kind=data.kind, hours=data.hours, note=data.note
        )
        if chosen:
            item.materials.set(chosen)
    return item


def link_meeting(*, item: PlanItem, meeting) -> PlanItemMeeting:
    """Mark that `meeting` (e.g. a 党课 or 主题党日) carried out `item`. Hours are not added
    here: a 党课's 学时 come from its attendance, other study from a study record."""
    if meeting.date.year != item.plan.year:
        raise PlanError(f"会议日期不在{item.plan.year}年，不能落实该年度计划")
    if not meeting.branch.path.startswith(item.plan.org.path) and not item.plan.org.path.startswith(
        meeting.branch.path
    ):
        raise PlanError("该会议所在支部不适用这份学习计划")
    link, _ = PlanItemMeeting.objects.get_or_create(item=item, meeting=meeting)
    return link


def relink_meeting(*, meeting, item_id: int | None, previous_id: int | None = None, user=None) -> None:
    """The meeting form's choice of the plan item it carried out: link the chosen item, unlink
    the one it replaced. Other links made from the study side stay as they are."""
    if item_id == previous_id:
        return
    with transaction.atomic():
        if previous_id:
            PlanItemMeeting.objects.filter(meeting=meeting, item_id=previous_id).delete()
        if item_id:
            item = PlanItem.objects.select_related("plan__org").get(pk=item_id)
            link_meeting(item=item, meeting=meeting)


def _on_meeting_saved(sender, *, meeting, plan_item=None, previous_plan_item=None, user=None, **kwargs):
    relink_meeting(meeting=meeting, item_id=plan_item, previous_id=previous_plan_item, user=user)


# --- materials -------------------------------------------------------------------------
@dataclass(frozen=True)
class MaterialInput:
    title: str
    kind: str
    published_on: date | None
    body: str = ""
    link: str = ""


def publish_material(*, org, data: MaterialInput, upload=None, user=None, today: date | None = None) -> Material:
    today = _today(today)
    title = (data.title or "").strip()
    if not title:
        raise PlanError("请填写资料标题")
    if data.kind not in Material.Kind.values:
        raise PlanError("请选择资料类型")
    if data.published_on is None or data.published_on > today:
        raise PlanError("发布日期不能为空，也不能晚于今天")
    link = (data.link or "").strip()
    if link and not link.startswith(("http://", "https://")):
        raise PlanError("视频或网页地址应以 http:// 或 https:// 开头")
    if data.kind == Material.Kind.VIDEO and not link:
        raise PlanError("视频资料请填写视频地址")
    if upload is None and not (data.body or "").strip() and not link:
        raise PlanError("请上传文件、填写正文或视频地址（至少一项）")
    rel, name = "", ""
    if upload is not None:
        from django.core.exceptions import ValidationError

        try:
            rel = store_upload(upload, subdir="study_materials", kinds=MATERIAL_KINDS)
        except ValidationError as exc:
            raise PlanError("；".join(exc.messages)) from None
        name = (getattr(upload, "name", "") or "")[-200:]
    return Material.objects.create(
        org=org,
        title=title[:200],
        kind=data.kind,
        published_on=data.published_on,
        body=(data.body or "").strip(),
        link=link,
        file=rel,
        file_name=name,
        created_by=user,
    )


# --- 培训班 ------------------------------------------------------------------------------
def create_course(*, org, title: str, audience: str, year: int, user=None) -> Course:
    title = (title or "").strip()
    if not title:
        raise PlanError("请填写培训班名称")
    if audience not in Course.Audience.values:
        raise PlanError("请选择培训对象")
    return Course.objects.create(org=org, title=title[:200], audience=audience, year=year, created_by=user)


def add_session(*, course: Course, on: date | None, hours: Decimal | None, topic: str, today: date | None = None):
    today = _today(today)
    if on is None or on > today:
        raise PlanError("课次日期不能为空，也不能晚于今天")
    if hours is None or not Decimal("0") < hours <= Decimal("12"):
        raise PlanError("一次课的学时应大于0、不超过12")
    topic = (topic or "").strip()
    if not topic:
        raise PlanError("请填写本次课的内容")
    return CourseSession.objects.create(course=course, date=on, hours=hours, topic=topic[:200])


def enroll(*, course: Course, cases) -> int:
    """Enroll the given development cases (already scoped by the caller). Returns how many were new."""
    existing = set(course.enrollments.values_list("case_id", flat=True))
    new = [Enrollment(course=course, case=c) for c in cases if c.pk not in existing]
    if not new:
        raise PlanError("请选择尚未报名的参训人员")
    created = Enrollment.objects.bulk_create(new)
    log_bulk(created, action="create", note=f"培训班报名：{course}")
    return len(created)


def record_attendance(*, session: CourseSession, present_ids: list[int]) -> int:
    """Replace the session's attendance with the enrolled people in `present_ids`."""
    enrolled = set(session.course.enrollments.values_list("pk", flat=True))
    wanted = set(present_ids)
    if not wanted <= enrolled:
        raise PlanError("有人员未报名该培训班")
    with transaction.atomic():
        SessionAttendance.objects.filter(session=session).exclude(enrollment_id__in=wanted).delete()
        have = set(session.attendance.values_list("enrollment_id", flat=True))
        rows = SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, enrollment_id=i) for i in sorted(wanted - have)]
        )
        log_bulk(rows, action="create", note=f"培训出勤：{session}")
    return len(wanted)


def record_scores(*, course: Course, scores: dict[int, Decimal | None], user=None) -> int:
    """Paper-test scores entered by the secretary: {enrollment id: score or None (not taken)}."""
    by_id = {e.pk: e for e in course.enrollments.all()}
    changed = []
    for eid, score in scores.items():
        e = by_id.get(eid)
        if e is None:
            raise PlanError("有人员未报名该培训班")
        if score is not None and not Decimal("0") <= score <= Decimal("100"):
            raise PlanError(f"{e.case.name}的成绩应在0至100分之间")
        if e.score != score:
            e.score, e.scored_by = score, user
            changed.append(e)
    with transaction.atomic():
        for e in changed:
            e.save(update_fields=["score", "scored_by", "updated_at"])
    return len(changed)


def add_question(*, course: Course, text: str, options: list[str], answer: int) -> Question:
    text = (text or "").strip()
    options = [o.strip() for o in options if o and o.strip()]
    if not text:
        raise PlanError("请填写题目")
    if len(options) < 2:
        raise PlanError("至少填写两个选项")
    if not 0 <= answer < len(options):
        raise PlanError("请选择正确答案")
    return Question.objects.create(course=course, text=text[:300], options=options, answer=answer)

"""Writes for 学习. Participants are prefilled, so one submit records the activity and every
participant's 学时 (bulk insert, audited)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from dangjian.core import clock
from dangjian.core.audit import log_bulk
from dangjian.core.errors import ServiceError
from dangjian.study.models import StudyActivity, StudyKind, StudyRecord

LECTURE_COUNTED = "该会议是党课，学时已按出席记录自动计入，无需重复录入（最多报一次）。"


class StudyError(ServiceError):
    """A refused write, with the reason in Chinese (core.errors.ServiceError)."""


def _is_lecture(meeting) -> bool:
    from dangjian.meetings.selectors import is_lecture

    return is_lecture(meeting)


def add_activity(
    *,
    org,
    kind: str,
    on: date,
    hours: Decimal | None,
    topic: str,
    member_ids: list[int],
    meeting=None,
    plan_item=None,
    user=None,
    today: date | None = None,
) -> StudyActivity:

    from dangjian.members.models import Member

    today = clock.or_today(today)
    if kind not in StudyKind.values:
        raise StudyError("请选择学习形式")
    if hours is None or not Decimal("0") < hours <= Decimal("80"):
        raise StudyError("学时应大于0、不超过80")
    if on is None or on > today:
        raise StudyError("日期不能晚于今天")
    topic = (topic or "").strip()
    if not topic:
        raise StudyError("请填写学习主题")
    if meeting is not None and _is_lecture(meeting):
        raise StudyError(LECTURE_COUNTED)
    if plan_item is not None:
        plan = plan_item.plan
        if not org.path.startswith(plan.org.path):
            raise StudyError("该学习计划不适用于所选组织")
        if on.year != plan.year:
            raise StudyError(f"学习日期不在{plan.year}年，不能落实该年度计划")
    ids = set(
        Member.objects.filter(branch__path__startswith=org.path, is_current=True, pk__in=member_ids).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        raise StudyError("请勾选参加学习的党员")
    with transaction.atomic():
        activity = StudyActivity.objects.create(
            org=org,
            kind=kind,
            date=on,
            hours=hours,
            topic=topic[:200],
            meeting=meeting,
            plan_item=plan_item,
            created_by=user,
        )
        records = StudyRecord.objects.bulk_create(
            [StudyRecord(activity=activity, member_id=mid, hours=hours) for mid in sorted(ids)], batch_size=1000
        )
        log_bulk(records, action="create", note=f"学习记录：{activity}")
    return activity


def set_reflection(*, record: StudyRecord, text: str) -> None:
    record.reflection = (text or "").strip()[:2000]
    record.save(update_fields=["reflection", "updated_at"])

"""Writes for 会议通知 (meetings planned ahead): publish a notice, sign in from it (own phone
or 代签 with a reason), and turn it into the meeting record afterwards with the sign-ins filled in.

A meeting dated after today is a notice, never a record: it does not count for attendance,
points or study hours until the secretary records it on or after the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from dangjian.core import clock
from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingNotice, NoticeSignIn
from dangjian.meetings.services import (
    SIGN_IN_MARGIN,
    MeetingError,
    branch_of,
    expected_members,
)
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, OrgType

S = Attendance.Status
A = MeetingNotice.Audience


@dataclass
class NoticeInput:
    org: object  # Organization: a branch or a 党小组
    kinds: list[str]
    date: date
    start_time: time
    end_time: time
    place: str
    topic: str
    note: str = ""


def audience_for(org, kinds) -> str:
    if org.org_type == OrgType.GROUP:
        return A.GROUP
    if Kind.COMMITTEE_MEETING in kinds and not (set(kinds) - {Kind.COMMITTEE_MEETING}):
        return A.COMMITTEE
    return A.BRANCH


def _validate(data: NoticeInput, today: date) -> list[str]:
    errors = []
    if not data.kinds:
        errors.append("请至少选择一种会议类型。")
    if any(k not in Kind.values for k in data.kinds):
        errors.append("会议类型不正确。")
    org = data.org
    if org.org_type not in (*BRANCH_TYPES, OrgType.GROUP):
        errors.append("会议通知只能发在党支部或党小组下。")
    if org.org_type == OrgType.GROUP and any(k != Kind.GROUP_MEETING for k in data.kinds):
        errors.append("党小组只能通知党小组会；支部的会议请选择党支部。")
    if org.org_type != OrgType.GROUP and Kind.GROUP_MEETING in data.kinds:
        errors.append("党小组会请选择对应的党小组。")
    if data.date < today:
        errors.append("会议通知的日期不能早于今天；已经开过的会议请直接记录。")
    if data.end_time <= data.start_time:
        errors.append("结束时间应晚于开始时间。")
    if not (data.topic or "").strip():
        errors.append("请填写会议主题。")
    if not (data.place or "").strip():
        errors.append("请填写会议地点。")
    for label, value, limit in (("地点", data.place, 100), ("主题", data.topic, 200), ("通知事项", data.note, 2000)):
        if len(value or "") > limit:
            errors.append(f"{label}太长了：最多{limit}个字，现在有{len(value)}个字。")
    return errors


def publish_notice(*, user, data: NoticeInput, today: date | None = None) -> MeetingNotice:
    """Publish a 会议通知; the expected members see it in 我的."""
    today = clock.or_today(today)
    errors = _validate(data, today)
    if errors:
        raise MeetingError(errors)
    kinds = list(dict.fromkeys(data.kinds))
    return MeetingNotice.objects.create(
        org=data.org,
        branch=branch_of(data.org),
        kinds=",".join(kinds),
        audience=audience_for(data.org, kinds),
        date=data.date,
        start_time=data.start_time,
        end_time=data.end_time,
        place=data.place.strip(),
        topic=data.topic.strip(),
        note=(data.note or "").strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def cancel_notice(*, notice: MeetingNotice) -> MeetingNotice:
    if notice.meeting_id:
        raise MeetingError("该会议已记录，不能取消通知。")
    notice.cancelled = True
    notice.save(update_fields=["cancelled", "updated_at"])
    return notice


def expected_for(notice: MeetingNotice) -> list[Member]:
    return expected_members(notice.org, notice.kind_codes, notice.date)


def sign_in_window(notice: MeetingNotice) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(notice.date, notice.start_time)) - SIGN_IN_MARGIN
    end = timezone.make_aware(datetime.combine(notice.date, notice.end_time)) + SIGN_IN_MARGIN
    return start, end


def _check_open(notice: MeetingNotice, member: Member) -> None:
    if notice.cancelled:
        raise MeetingError("该会议通知已取消。")
    if notice.meeting_id:
        raise MeetingError("该会议已记录，签到已结束。")
    if member.pk not in {m.pk for m in expected_for(notice)}:
        who = MeetingNotice.Audience(notice.audience).label
        raise MeetingError(f"本次会议的参会人员是{who}，您不在名单中，不能签到。")


def sign_in(*, notice: MeetingNotice, member: Member, now: datetime | None = None) -> NoticeSignIn:
    """An expected member signs in on their phone inside [start − 30 min, end + 30 min]."""
    now = now or timezone.now()
    _check_open(notice, member)
    start, end = sign_in_window(notice)
    if not start <= now <= end:
        s, e = timezone.localtime(start), timezone.localtime(end)
        d = notice.date
        raise MeetingError(
            f"不在签到时间内：本次会议可在{d.year}年{d.month}月{d.day}日 "
            f"{s:%H:%M}至{e:%H:%M}之间签到（会议开始前30分钟至结束后30分钟）。"
        )
    existing = NoticeSignIn.objects.filter(notice=notice, member=member).first()
    if existing:
        return existing
    return NoticeSignIn.objects.create(notice=notice, member=member, signed_in_at=now)


def proxy_sign_in(
    *, notice: MeetingNotice, member: Member, user, reason: str, now: datetime | None = None
) -> NoticeSignIn:
    """代签 by the secretary for an expected member without a smartphone; the reason is kept."""
    if not (reason or "").strip():
        raise MeetingError("代签须填写原因（如：该党员没有智能手机）。")
    _check_open(notice, member)
    obj, _ = NoticeSignIn.objects.update_or_create(
        notice=notice,
        member=member,
        defaults={"signed_in_at": now or timezone.now(), "signed_by": user, "proxy_reason": reason.strip()[:200]},
    )
    return obj


def attendance_defaults(notice: MeetingNotice) -> dict[int, str]:
    """Status per expected member for the record form: signed in → 出席, others → 缺席
    (the secretary turns those with leave into 请假)."""
    signed = set(notice.signins.values_list("member_id", flat=True))
    return {m.pk: (S.PRESENT if m.pk in signed else S.ABSENT) for m in expected_for(notice)}


def check_recordable(notice: MeetingNotice, today: date | None = None) -> None:
    today = clock.or_today(today)
    if notice.cancelled:
        raise MeetingError("该会议通知已取消，不能据此记录会议。")
    if notice.meeting_id:
        raise MeetingError("该会议已经记录过了。")
    if notice.date > today:
        raise MeetingError("会议还没有召开：会议日期晚于今天，请在会后再记录。")


def link_recorded(*, notice: MeetingNotice, meeting: Meeting) -> None:
    """After the record is saved: tie it to the notice and carry the sign-in times over to the
    members recorded as 出席."""
    with transaction.atomic():
        signins = {s.member_id: s for s in notice.signins.all()}
        for a in Attendance.objects.filter(meeting=meeting, member_id__in=signins, status=S.PRESENT):
            s = signins[a.member_id]
            a.signed_in_at, a.signed_by, a.proxy_reason = s.signed_in_at, s.signed_by, s.proxy_reason
            a.save(update_fields=["signed_in_at", "signed_by", "proxy_reason"])
        notice.meeting = meeting
        notice.save(update_fields=["meeting", "updated_at"])

"""Writes for 组织生活: record and edit meetings with attendance, sign-in (own and 代签),
attachments, talks and local frequency settings.

Rules come from dangjian.rules.orglife (《中国共产党支部工作条例（试行）》2018 Arts. 11–19).
Every refusal is a MeetingError with Chinese messages that can be shown as they are.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dangjian.core import clock
from dangjian.core.concurrency import save_versioned
from dangjian.core.errors import ServiceError
from dangjian.core.settings_registry import setting
from dangjian.meetings.models import (
    WHOLE_BRANCH_KINDS,
    Attachment,
    Attendance,
    Kind,
    KindRequirement,
    Meeting,
    MeetingKindLink,
    Talk,
)
from dangjian.meetings.selectors import entitled_voters, members_on
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType, Post
from dangjian.rules import orglife
from dangjian.rules.dates import ym_index
from dangjian.rules.structure import COMMITTEE_POSTS

S = Attendance.Status
SIGN_IN_MARGIN = timedelta(minutes=30)


class MeetingError(ServiceError):
    """A refused meeting write: one or more Chinese messages (core.errors.ServiceError)."""


@dataclass
class AttendanceInput:
    member_id: int
    status: str = S.PRESENT
    reason: str = ""
    elsewhere: bool = False


@dataclass
class MeetingInput:
    org: object  # Organization (branch or 党小组)
    kinds: list[str]
    date: date
    start_time: time
    end_time: time
    place: str
    topic: str
    host_id: int | None = None
    recorder_id: int | None = None
    lecturer: str = ""
    agenda: str = ""
    minutes: str = ""
    decisions: str = ""
    late_reason: str = ""
    attendance: list[AttendanceInput] = field(default_factory=list)


# --- who is expected ----------------------------------------------------------------------
def branch_of(org):
    """The branch a meeting counts for: the org itself, or the 党小组's parent branch."""
    if org.org_type == OrgType.GROUP:
        return Organization.objects.get_parent(org)
    return org


def committee_members(branch, on: date | None = None) -> list[Member]:
    """支委 on `on` (Post holders whose term covers the date; 党小组组长 excluded); today's 支委
    when `on` is None."""
    posts = Post.objects.filter(org=branch, kind__in=COMMITTEE_POSTS)
    if on:
        posts = posts.filter(started_on__lte=on).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    else:
        posts = posts.filter(ended_on__isnull=True)
    return list(
        Member.objects.filter(pk__in=posts.values("member_id"), is_current=True).order_by("name_pinyin").distinct()
    )


def expected_members(org, kinds, on: date) -> list[Member]:
    """Who should attend: all members for 党员大会/主题党日/党课/组织生活会/民主评议, the
    committee for 支委会, the group for 党小组会 (Arts. 11–18)."""
    kinds = set(kinds)
    if org.org_type == OrgType.GROUP:
        return list(members_on(Member.objects.filter(group=org), on))
    if kinds & WHOLE_BRANCH_KINDS or not kinds:
        return list(members_on(Member.objects.filter(branch=org), on))
    if Kind.COMMITTEE_MEETING in kinds:
        return committee_members(org, on)
    return list(members_on(Member.objects.filter(branch=org), on))


def complete_attendance(
    org, kinds, on: date, rows: list[AttendanceInput]
) -> tuple[list[AttendanceInput], list[Member]]:
    """Every expected member gets an explicit row (出席/请假/缺席): a form or 台账 that names only
    those present and excused is completed with 缺席 for everyone else expected (党章第九条 counts
    months without 组织生活; a member left off the list must not escape the count).

    Returns (all rows, the members added as 缺席). Rows already given are kept as they are.
    """
    named = {r.member_id for r in rows}
    added = [m for m in expected_members(org, kinds, on) if m.id not in named]
    return [*rows, *(AttendanceInput(member_id=m.id, status=S.ABSENT) for m in added)], added


def completion_note(added: list[Member]) -> str:
    """The sentence shown (in the form's result and the 台账 import) for members recorded 缺席."""
    if not added:
        return ""
    names = "、".join(m.name for m in added[:20]) + ("等" if len(added) > 20 else "")
    return f"名单未列出的{len(added)}名应到党员已记为缺席：{names}。如有请假或出席，请修改出席情况。"


def quorum_warnings(org, kinds, rows: list[AttendanceInput], members: dict[int, Member], on: date) -> list[str]:
    """Warnings only (the meeting is still recorded). Quorum is computed against who was
    entitled on the date, not against the rows submitted."""
    warnings: list[str] = []
    present_ids = {r.member_id for r in rows if r.status == S.PRESENT}
    branch = branch_of(org)
    if Kind.COMMITTEE_MEETING in kinds:
        committee = committee_members(branch, on)
        if committee:
            present = sum(1 for m in committee if m.id in present_ids)
            if not orglife.committee_quorum_ok(present, len(committee)):
                warnings.append(
                    f"支委会到会委员{present}人，未超过支委会{len(committee)}人的半数"
                    "（《中国共产党支部工作条例（试行）》第十二条：须有半数以上委员到会方可进行）。"
                )
    if Kind.MEMBER_MEETING in kinds:
        voters = entitled_voters(branch, on)
        if voters:
            present_full = sum(1 for m in voters if m.id in present_ids)
            if not orglife.vote_quorum_ok(present_full, len(voters)):
                warnings.append(
                    f"到会有表决权的正式党员{present_full}人，未超过{len(voters)}人的半数，"
                    "本次会议如有表决事项不能表决（预备党员没有表决权，党章第七条；停止党籍的党员不计入）。"
                )
    return warnings


# --- validation ---------------------------------------------------------------------------
def _validate(data: MeetingInput, *, is_new: bool, today: date) -> tuple[list[str], bool]:
    errors: list[str] = []
    if not data.kinds:
        errors.append("请至少选择一种会议类型。")
    bad = [k for k in data.kinds if k not in Kind.values]
    if bad:
        errors.append(f"未知的会议类型：{'、'.join(bad)}")
    org = data.org
    if org.org_type == OrgType.GROUP and any(k != Kind.GROUP_MEETING for k in data.kinds):
        errors.append("党小组只能记录党小组会；支部的会议请选择党支部。")
    if org.org_type != OrgType.GROUP and Kind.GROUP_MEETING in data.kinds:
        errors.append("党小组会请选择对应的党小组。")
    if org.org_type not in (*BRANCH_TYPES, OrgType.GROUP):
        errors.append("会议只能记录在党支部或党小组下。")
    if data.end_time <= data.start_time:
        errors.append("结束时间应晚于开始时间。")
    if data.date > today + timedelta(days=366):
        errors.append("会议日期不能晚于一年以后。")
    if not (data.topic or "").strip():
        errors.append("请填写会议主题。")
    if not (data.place or "").strip():
        errors.append("请填写会议地点。")
    for label, value, limit in (
        ("地点", data.place, 100),
        ("主题", data.topic, 200),
        ("授课人", data.lecturer, 60),
        ("补录原因", data.late_reason, 200),
    ):
        if len(value or "") > limit:
            errors.append(f"{label}太长了：最多{limit}个字，现在有{len(value)}个字。")
    late = False
    if is_new:
        days = setting("LATE_ENTRY_DAYS")
        late = orglife.is_late_entry(data.date, today, days)
        if late and not (data.late_reason or "").strip():
            errors.append(
                f"会议日期距今已超过{days}天，本记录将标注为“补录”，请填写补录原因（如：会后整理纸质记录补录）。"
            )
    for row in data.attendance:
        if row.status not in S.values:
            errors.append(f"出席情况不正确：{row.status}")
        if row.status == S.EXCUSED and not (row.reason or "").strip():
            errors.append(f"{_name(row.member_id)}：请假须填写事由。")
        if len(row.reason or "") > 200:
            errors.append(f"{_name(row.member_id)}：请假事由最多200个字。")
    return errors, late


def _name(member_id: int) -> str:
    m = Member.objects.filter(pk=member_id).values_list("name", flat=True).first()
    return m or f"党员{member_id}"


def _check_attendees(data: MeetingInput) -> tuple[dict[int, Member], list[str]]:
    branch = branch_of(data.org)
    ids = [r.member_id for r in data.attendance]
    members = {m.id: m for m in Member.objects.filter(pk__in=ids, branch=branch)}
    errors = []
    missing = set(ids) - set(members)
    if missing:
        errors.append("出席名单中有不属于本支部的党员，请刷新页面后重试。")
    if len(set(ids)) != len(ids):
        errors.append("出席名单中有重复的党员。")
    return members, errors


def _check_host(data: MeetingInput, branch) -> list[str]:
    ids = [i for i in (data.host_id, data.recorder_id) if i]
    if not ids:
        return []
    found = set(Member.objects.filter(pk__in=ids, branch=branch).values_list("pk", flat=True))
    errors = [] if set(ids) <= found else ["主持人和记录人应为本支部党员。"]
    return errors + _check_host_present(data)


def _check_host_present(data: MeetingInput) -> list[str]:
    """The chair and the recorder were at the meeting: they cannot be 请假 or 缺席."""
    status = {r.member_id: r.status for r in data.attendance}
    errors = []
    for label, mid in (("主持人", data.host_id), ("记录人", data.recorder_id)):
        if mid and status.get(mid, S.PRESENT) != S.PRESENT:
            errors.append(f"{label}{_name(mid)}被标为“{S(status[mid]).label}”：主持人和记录人应出席会议，请改正。")
    return errors


def meeting_ym(meeting: Meeting) -> int:
    return ym_index((meeting.date.year, meeting.date.month))


def _attendance_objects(meeting: Meeting, rows: list[AttendanceInput]) -> list[Attendance]:
    return [
        Attendance(
            meeting=meeting,
            ym=meeting_ym(meeting),
            member_id=r.member_id,
            status=r.status,
            reason=(r.reason or "").strip() if r.status == S.EXCUSED or r.elsewhere else "",
            attended_elsewhere=bool(r.elsewhere) and r.status != S.PRESENT,
        )
        for r in rows
    ]


def _set_kinds(meeting: Meeting, kinds: list[str]) -> None:
    MeetingKindLink.objects.filter(meeting=meeting).delete()
    MeetingKindLink.objects.bulk_create(
        [
            MeetingKindLink(meeting=meeting, kind=k, branch_id=meeting.branch_id, date=meeting.date)
            for k in dict.fromkeys(kinds)
        ]
    )


# --- record and edit ------------------------------------------------------------------------
def _complete(data: MeetingInput) -> list[Member]:
    """Complete data.attendance in place (see complete_attendance); [] when the input is invalid."""
    if not data.kinds or any(k not in Kind.values for k in data.kinds):
        return []
    data.attendance, added = complete_attendance(data.org, data.kinds, data.date, data.attendance)
    return added


def record_meeting(*, user, data: MeetingInput, today: date | None = None) -> tuple[Meeting, list[str]]:
    """Create a meeting with its kinds and attendance. Returns (meeting, quorum warnings)."""
    today = clock.or_today(today)
    errors, late = _validate(data, is_new=True, today=today)
    added = _complete(data)
    members, errs2 = _check_attendees(data)
    branch = branch_of(data.org)
    errors += errs2 + _check_host(data, branch)
    if errors:
        raise MeetingError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            org=data.org,
            branch=branch,
            date=data.date,
            start_time=data.start_time,
            end_time=data.end_time,
            place=data.place.strip(),
            topic=data.topic.strip(),
            host_id=data.host_id,
            recorder_id=data.recorder_id,
            lecturer=(data.lecturer or "").strip(),
            agenda=data.agenda or "",
            minutes=data.minutes or "",
            decisions=data.decisions or "",
            is_late=late,
            late_reason=(data.late_reason or "").strip() if late else "",
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        _set_kinds(meeting, data.kinds)
        Attendance.objects.bulk_create(_attendance_objects(meeting, data.attendance))
        _log_attendance(meeting, "create")
    note = completion_note(added)
    return meeting, [
        *([note] if note else []),
        *quorum_warnings(data.org, data.kinds, data.attendance, members, data.date),
    ]


def update_meeting(
    *, user, meeting: Meeting, data: MeetingInput, expected_version: int | None, today: date | None = None
) -> tuple[Meeting, list[str]]:
    """Edit a meeting (optimistic locking). Sign-in times of unchanged 出席 rows are kept."""
    today = clock.or_today(today)
    errors, _late = _validate(data, is_new=False, today=today)
    added = _complete(data)
    members, errs2 = _check_attendees(data)
    branch = branch_of(data.org)
    if branch.pk != meeting.branch_id:
        errs2.append("不能把会议改到其他支部。")
    errors += errs2 + _check_host(data, branch)
    if errors:
        raise MeetingError(errors)
    with transaction.atomic():
        for name in ("date", "start_time", "end_time", "place", "topic", "lecturer", "agenda", "minutes", "decisions"):
            value = getattr(data, name)
            setattr(meeting, name, value.strip() if isinstance(value, str) and name in ("place", "topic") else value)
        meeting.org = data.org
        meeting.host_id = data.host_id
        meeting.recorder_id = data.recorder_id
        if meeting.is_late and (data.late_reason or "").strip():
            meeting.late_reason = data.late_reason.strip()
        save_versioned(meeting, expected_version=expected_version)
        _set_kinds(meeting, data.kinds)
        Attendance.objects.filter(meeting=meeting).exclude(ym=meeting_ym(meeting)).update(ym=meeting_ym(meeting))
        existing = {a.member_id: a for a in meeting.attendance.all()}
        keep = set()
        for row in data.attendance:
            a = existing.get(row.member_id)
            if a is None:
                _attendance_objects(meeting, [row])[0].save()
                continue
            keep.add(a.pk)
            new = _attendance_objects(meeting, [row])[0]
            changed = (a.status, a.reason, a.attended_elsewhere) != (new.status, new.reason, new.attended_elsewhere)
            if changed:
                a.status, a.reason, a.attended_elsewhere = new.status, new.reason, new.attended_elsewhere
                if a.status != S.PRESENT:
                    a.signed_in_at, a.signed_by, a.proxy_reason = None, None, ""
                a.save()
        gone = [a for a in existing.values() if a.pk not in keep]
        for a in gone:
            a.delete()
    note = completion_note(added)
    return meeting, [
        *([note] if note else []),
        *quorum_warnings(data.org, data.kinds, data.attendance, members, data.date),
    ]


def _log_attendance(meeting: Meeting, action: str) -> None:
    from dangjian.core.audit import log_bulk

    log_bulk(list(meeting.attendance.all()), action=action, note=f"会议记录 {meeting.pk} 的出席名单")


# --- sign-in --------------------------------------------------------------------------------
def sign_in_window(meeting: Meeting) -> tuple[datetime, datetime]:
    """[start − 30 min, end + 30 min] on the meeting date, local time."""
    start = timezone.make_aware(datetime.combine(meeting.date, meeting.start_time)) - SIGN_IN_MARGIN
    end = timezone.make_aware(datetime.combine(meeting.date, meeting.end_time)) + SIGN_IN_MARGIN
    return start, end


def _attendance_for_signin(meeting: Meeting, member: Member) -> Attendance:
    if member.branch_id != meeting.branch_id:
        raise MeetingError("您不是本支部党员，不能在此会议签到。")
    a = Attendance.objects.filter(meeting=meeting, member=member).first()
    return a or Attendance(meeting=meeting, member=member)


def sign_in(
    *, meeting: Meeting, member: Member, now: datetime | None = None, device: str = "", address: str | None = None
) -> Attendance:
    """A member signs in on their phone inside the meeting's time window. `device` (a digest
    of the browser's sign-in cookie) and `address` are kept for the integrity check of many
    sign-ins from one phone within seconds."""
    now = now or timezone.now()
    start, end = sign_in_window(meeting)
    if not start <= now <= end:
        s, e = timezone.localtime(start), timezone.localtime(end)
        raise MeetingError(
            f"不在签到时间内：本次会议可在{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日 "
            f"{s:%H:%M}至{e:%H:%M}之间签到（会议开始前30分钟至结束后30分钟）。"
        )
    a = _attendance_for_signin(meeting, member)
    if a.pk and a.status == S.PRESENT and a.signed_in_at:
        return a
    a.status, a.reason, a.attended_elsewhere = S.PRESENT, "", False
    a.signed_in_at, a.signed_by, a.proxy_reason = now, None, ""
    a.signin_device, a.signin_address = (device or "")[:32], address or None
    a.save()
    return a


def proxy_sign_in(*, meeting: Meeting, member: Member, user, reason: str, now: datetime | None = None) -> Attendance:
    """代签: a secretary signs in a member without a smartphone; the reason is recorded."""
    if not (reason or "").strip():
        raise MeetingError("代签须填写原因（如：该党员没有智能手机）。")
    a = _attendance_for_signin(meeting, member)
    a.status, a.reason, a.attended_elsewhere = S.PRESENT, "", False
    a.signed_in_at = now or timezone.now()
    a.signed_by = user
    a.proxy_reason = reason.strip()[:200]
    a.save()
    return a


# --- attachments ----------------------------------------------------------------------------
def add_attachment(*, meeting: Meeting, file, user) -> Attachment:
    from django.core.exceptions import ValidationError

    from dangjian.core.uploads import store_upload

    try:
        rel = store_upload(file, subdir="meetings", kinds=("image", "pdf"))
    except ValidationError as exc:
        raise MeetingError(exc.messages) from None
    from pathlib import Path

    data = (Path(settings.MEDIA_ROOT) / rel).read_bytes()
    content_type = (
        "application/pdf"
        if data.startswith(b"%PDF-")
        else ("image/png" if data.startswith(b"\x89PNG") else "image/jpeg")
    )
    phash = ""
    if content_type.startswith("image/"):
        try:
            import imagehash
            from PIL import Image

            phash = str(imagehash.phash(Image.open(io.BytesIO(data))))
        except Exception:  # noqa: BLE001 — a broken image still gets stored; no hash then
            phash = ""
    return Attachment.objects.create(
        meeting=meeting,
        path=rel,
        name=(getattr(file, "name", "") or "附件")[-200:],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        phash=phash,
        uploaded_by=user,
    )


# --- talks and settings ---------------------------------------------------------------------
def record_talk(
    *, user, branch, date_: date, from_member_id: int, to_member_id: int, summary: str, before_life_meeting: bool
) -> Talk:
    errors = []
    ids = {from_member_id, to_member_id}
    found = set(Member.objects.filter(pk__in=ids, branch=branch).values_list("pk", flat=True))
    if found != ids:
        errors.append("谈话双方应为本支部党员。")
    if from_member_id == to_member_id:
        errors.append("谈话人和谈话对象不能是同一人。")
    if date_ > clock.today():
        errors.append("谈话日期不能晚于今天。")
    if errors:
        raise MeetingError(errors)
    return Talk.objects.create(
        branch=branch,
        date=date_,
        from_member_id=from_member_id,
        to_member_id=to_member_id,
        summary=summary.strip(),
        before_life_meeting=before_life_meeting,
        created_by=user,
    )


def set_requirement(*, org, kind: str, period: str, minimum: int, note: str = "") -> KindRequirement:
    if kind not in orglife.ACTIVITY_CHOICES:
        raise MeetingError(f"未知的类型：{kind}")
    if period not in KindRequirement.Period.values:
        raise MeetingError(f"未知的周期：{period}")
    if not 1 <= int(minimum) <= 31:
        raise MeetingError("最少次数应在1到31之间。")
    obj, _ = KindRequirement.objects.update_or_create(
        org=org, kind=kind, defaults={"period": period, "minimum": int(minimum), "note": note.strip()[:200]}
    )
    return obj

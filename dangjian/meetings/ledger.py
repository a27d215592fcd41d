"""Meeting ledgers (会议台账) in and out: one row per meeting.

Columns: 党组织, 会议类型 (several separated by 、), 日期, 开始时间, 结束时间, 地点, 主题,
主持人, 记录人, 出席, 请假, 缺席 (names separated by 、 or ，; a 请假 name may carry its
reason in brackets: 张三（外出务工）), 会议内容.

Import is all-or-nothing: every row is parsed and checked first, errors carry 行号/列/原因,
and nothing is written unless the whole file is clean. Unknown names are errors.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction

from dangjian.core import clock
from dangjian.core.dates import parse_date
from dangjian.core.errors import ServiceError
from dangjian.core.spreadsheet import DATE, IDENT, RAW, TEXT, Column, ReadError, Spec, Table, cell_text, read_table
from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
from dangjian.meetings.services import (
    AttendanceInput,
    MeetingError,
    MeetingInput,
    complete_attendance,
    completion_note,
    expected_members,
    record_meeting,
)
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization, OrgType
from dangjian.rules.dates import to_halfwidth
from dangjian.rules.errors import RuleError
from dangjian.rules.orglife import activity_kind

COLUMNS = [
    "党组织",
    "会议类型",
    "日期",
    "开始时间",
    "结束时间",
    "地点",
    "主题",
    "主持人",
    "记录人",
    "出席",
    "请假",
    "缺席",
    "会议内容",
]
OPTIONAL = ["补录原因"]  # used when a row is entered more than LATE_ENTRY_DAYS after the meeting
REQUIRED = {"党组织", "会议类型", "日期", "开始时间", "结束时间", "地点", "主题"}
MAX_ROWS = 20_000
LONG_CONTENT = 30  # characters: a 会议内容 this long, met again, is the same meeting
_SPLIT = re.compile(r"[、，,；;\s]+")
_NAME_REASON = re.compile(r"^(?P<name>[^（(]+)[（(](?P<reason>[^）)]*)[）)]$")
_TIME = re.compile(r"^(\d{1,2})[:：时点](\d{1,2})?分?$")


class LedgerError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StalePreview(ServiceError):
    """The meetings or members a preview was checked against changed before 确认导入:
    nothing was written; upload again."""

    status = 409


STALE = "预览之后，{what}，未导入任何数据：请重新上传文件，按新的检查结果确认"


@dataclass
class RowError:
    row: int
    column: str
    message: str
    where: str = ""

    @property
    def text(self) -> str:
        return "　".join(p for p in (self.where or f"第{self.row}行", self.column, self.message) if p)


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # rows already recorded: reported, not added
    notices: list[str] = field(default_factory=list)  # what the reader skipped or did not use
    # What the plan depended on, per organisation id (as text, for the kept preview state):
    # [fingerprint of its meetings, fingerprint of its branch's members]. See basis_of.
    basis: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


# The ledger's columns for the one reader: text columns are kept exactly as typed.
_FIELD = {
    "党组织": ("党组织", ("党支部", "支部", "组织名称", "党组织名称"), IDENT),
    "会议类型": ("会议类型", ("类型", "会议类别"), TEXT),
    "日期": ("日期", ("会议日期", "时间", "会议时间"), DATE),
    "开始时间": ("开始时间", ("起始时间",), RAW),
    "结束时间": ("结束时间", ("截止时间",), RAW),
    "地点": ("地点", ("会议地点",), TEXT),
    "主题": ("主题", ("会议主题", "议题"), TEXT),
    "主持人": ("主持人", (), IDENT),
    "记录人": ("记录人", (), IDENT),
    "出席": ("出席", ("出席人员", "参会人员", "到会人员"), TEXT),
    "请假": ("请假", ("请假人员",), TEXT),
    "缺席": ("缺席", ("缺席人员",), TEXT),
    "会议内容": ("会议内容", ("内容", "会议记录"), TEXT),
    "补录原因": ("补录原因", (), TEXT),
}
SPEC = Spec(
    title="会议台账",
    columns=tuple(Column(f, h, a, kind=k) for f, (h, a, k) in _FIELD.items()),
    must_have=tuple(c for c in COLUMNS if c in REQUIRED),
    min_match=len(REQUIRED),
    max_rows=MAX_ROWS,
)


def read_rows(content: bytes, filename: str = "") -> Table:
    try:
        return read_table(content, spec=SPEC, filename=filename)
    except ReadError as exc:
        raise LedgerError(exc.message) from None


def _clean(v) -> str:
    """Names and identifiers: half-width, trimmed (never used for free text)."""
    return to_halfwidth(cell_text(v)).strip()


def parse_time(v) -> time:
    if isinstance(v, time):
        return v
    if isinstance(v, datetime):
        return v.time()
    if isinstance(v, float) and 0 <= v < 1:  # Excel stores a time as a fraction of a day
        minutes = round(v * 24 * 60)
        return time(minutes // 60, minutes % 60)
    text = _clean(v).replace(" ", "")
    m = _TIME.match(text)
    if m:
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if 0 <= h < 24 and 0 <= mi < 60:
            return time(h, mi)
    raise RuleError(f"无法识别的时间：{text or '（空）'}，请写成 14:30")


def split_names(text: str) -> list[str]:
    return [n for n in _SPLIT.split(_clean(text)) if n]


def _name_and_reason(token: str) -> tuple[str, str]:
    m = _NAME_REASON.match(token)
    if m:
        return m.group("name").strip(), m.group("reason").strip()
    return token, ""


def import_meetings(
    content: bytes | Table,
    *,
    user,
    orgs,
    today: date | None = None,
    filename: str = "",
    dry_run: bool = False,
    basis: dict | None = None,
) -> ImportResult:
    """Parse and check everything, then write everything or nothing. A meeting already
    recorded (same organization, type, date and start time, or the same 会议内容) is reported
    in `already` and not added again: re-importing an export changes nothing.

    `orgs`: the Organization queryset the user may write to (editable_by/orgs_in_scope).
    `content`: the file, or a Table kept from an earlier read (the preview); `dry_run`: check
    and count everything, write nothing (the preview before confirming); `basis`: the
    preview's `result.basis` — when the meetings (duplicates) or members (names, attendance)
    it was checked against changed since, StalePreview is raised and nothing is written.
    """
    table = content if isinstance(content, Table) else read_rows(content, filename)
    today = clock.or_today(today)
    result = ImportResult(notices=table.notices())
    body = table.rows
    result.rows = len(body)
    org_list = list(orgs.filter(org_type__in=(*BRANCH_TYPES, OrgType.GROUP)))
    org_by_name: dict[str, list[Organization]] = {}
    for o in org_list:
        for n in {o.name, o.short_name} - {""}:
            org_by_name.setdefault(n, []).append(o)
    branch_ids = {o.id if o.org_type != OrgType.GROUP else None for o in org_list} - {None}
    members_by_branch: dict[int, dict[str, list[Member]]] = {}
    for m in Member.objects.filter(branch_id__in=branch_ids, is_current=True).only("id", "name", "branch_id", "kind"):
        members_by_branch.setdefault(m.branch_id, {}).setdefault(m.name, []).append(m)

    planned: list[tuple[int, str, MeetingInput]] = []
    for srow in body:
        rowno = srow.number
        vals = srow.values

        def cell(col, vals=vals):
            return vals.get(col)

        errs: list[RowError] = []

        def err(col, msg, rowno=rowno, errs=errs, where=srow.where):
            errs.append(RowError(rowno, col, msg, where))

        org_name = _clean(cell("党组织"))
        candidates = org_by_name.get(org_name, [])
        org = candidates[0] if len(candidates) == 1 else None
        if not org_name:
            err("党组织", "党组织不能为空")
        elif not candidates:
            err("党组织", f"找不到党组织“{org_name}”，或不在您的权限范围内")
        elif len(candidates) > 1:
            err("党组织", f"有多个名为“{org_name}”的党组织，请写全称")
        kinds = []
        for token in split_names(cell("会议类型")):
            try:
                k = activity_kind(token)
            except RuleError as e:
                err("会议类型", e.message)
                continue
            if k.value not in Kind.values:
                err("会议类型", f"{token}不是会议，请在谈心谈话页面登记")
            else:
                kinds.append(k.value)
        if not kinds and not any(e.column == "会议类型" for e in errs):
            err("会议类型", "会议类型不能为空")
        parsed = {}
        for col in ("日期", "开始时间", "结束时间"):
            v = cell(col)
            try:
                if v is None or _clean(v) == "":
                    raise RuleError(f"{col}不能为空")
                if col == "日期":
                    d = parse_date(v, today=today, allow_future=True).date
                    if d > today:
                        raise RuleError(f"会议日期晚于今天（{d.year}年{d.month}月{d.day}日），请核对")
                    parsed[col] = d
                else:
                    parsed[col] = parse_time(v if not isinstance(v, str) else _clean(v))
            except RuleError as e:
                err(col, e.message)
        for col in ("地点", "主题"):
            if not cell_text(cell(col)).strip():
                err(col, f"{col}不能为空")
        attendance: list[AttendanceInput] = []
        host_id = recorder_id = None
        if org is not None:
            branch = org if org.org_type != OrgType.GROUP else Organization.objects.get_parent(org)
            names = members_by_branch.get(branch.id, {})

            def lookup(name, col, names=names, err=err, branch=branch):
                found = names.get(name, [])
                if not found:
                    err(col, f"{branch}没有名为“{name}”的在册党员")
                    return None
                if len(found) > 1:
                    err(col, f"{branch}有{len(found)}名叫“{name}”的党员，无法区分，请在系统中录入")
                    return None
                return found[0]

            for col in ("主持人", "记录人"):
                n = _clean(cell(col))
                if n:
                    m = lookup(n, col)
                    if m:
                        host_id = m.id if col == "主持人" else host_id
                        recorder_id = m.id if col == "记录人" else recorder_id
            seen: set[int] = set()
            for col, status in (
                ("出席", Attendance.Status.PRESENT),
                ("请假", Attendance.Status.EXCUSED),
                ("缺席", Attendance.Status.ABSENT),
            ):
                for token in split_names(cell(col)):
                    name, reason = _name_and_reason(token)
                    m = lookup(name, col)
                    if m is None:
                        continue
                    if m.id in seen:
                        err(col, f"{name}在出席/请假/缺席中出现了多次")
                        continue
                    seen.add(m.id)
                    if status == Attendance.Status.EXCUSED and not reason:
                        reason = "请假（台账未注明事由）"
                    attendance.append(AttendanceInput(member_id=m.id, status=status, reason=reason))
            if kinds and "日期" in parsed and not attendance:
                # No names given: everyone expected is recorded as 出席 (like the browser form).
                for m in expected_members(org, kinds, parsed["日期"]):
                    attendance.append(AttendanceInput(member_id=m.id))
            elif kinds and "日期" in parsed and all(k in Kind.values for k in kinds):
                # A 台账 names those present and excused: everyone else expected is 缺席 (issue 20).
                attendance, added = complete_attendance(org, kinds, parsed["日期"], attendance)
                if added:
                    result.warnings.append(f"第{rowno}行：{completion_note(added)}")
        if errs:
            result.errors.extend(errs)
            continue
        planned.append(
            (
                rowno,
                srow.where,
                MeetingInput(
                    org=org,
                    kinds=kinds,
                    date=parsed["日期"],
                    start_time=parsed["开始时间"],
                    end_time=parsed["结束时间"],
                    place=cell("地点") or "",
                    topic=cell("主题") or "",
                    host_id=host_id,
                    recorder_id=recorder_id,
                    minutes=cell("会议内容") or "",
                    late_reason=cell("补录原因") or "由会议台账导入（会后补录）",
                    attendance=attendance,
                ),
            )
        )
    if result.errors:
        return result
    try:
        with transaction.atomic():
            result.basis = basis_of({data.org for _r, _w, data in planned})
            if basis is not None and basis != result.basis:
                changed = [
                    o for o in {data.org for _r, _w, data in planned} if basis.get(str(o.id)) != result.basis[str(o.id)]
                ]
                raise StalePreview(STALE.format(what=_what_changed(changed, basis, result.basis)))
            planned = _drop_already_recorded(planned, result)
            for rowno, where, data in planned:
                try:
                    _meeting, warnings = record_meeting(user=user, data=data, today=today)
                except MeetingError as e:
                    result.errors.extend(RowError(rowno, "", msg, where) for msg in e.messages)
                    continue
                result.warnings.extend(f"{where}：{w}" for w in warnings)
                result.created += 1
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        if result.errors:
            result.created = 0
    return result


def _digest(rows) -> str:
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()[:32]


def basis_of(orgs) -> dict[str, list[str]]:
    """What an import plan for these organisations depended on: their meetings (the duplicate
    check) and every member of their branches, left ones too (names, expected attendance),
    each by id, version and last change — any edit, addition or deletion changes it."""
    out = {}
    for org in orgs:
        branch = org if org.org_type != OrgType.GROUP else Organization.objects.get_parent(org)
        meetings = Meeting.objects.filter(org=org).values_list("id", "version", "updated_at")
        members = Member.objects.filter(branch=branch).values_list(
            "id", "version", "updated_at", "is_current", "group_id"
        )
        out[str(org.id)] = [_digest(meetings), _digest(members)]
    return out


def _what_changed(orgs, before: dict, now: dict) -> str:
    meetings = [o.name for o in orgs if (before.get(str(o.id)) or [None])[0] != now[str(o.id)][0]]
    members = [o.name for o in orgs if (before.get(str(o.id)) or [None, None])[1:] != now[str(o.id)][1:]]
    parts = []
    if meetings:
        parts.append(f"{'、'.join(meetings[:5])}的会议记录有了增减或修改")
    if members:
        parts.append(f"{'、'.join(members[:5])}的党员名单或党员信息已被修改")
    return "，".join(parts) or "数据已被修改"


def _content_key(text: str) -> str:
    return "".join(to_halfwidth(text or "").split())


def _drop_already_recorded(planned, result: ImportResult):
    """Rows for meetings already in the database, or earlier in the same file: same
    organization, a shared type, same date and start time; or the same non-empty 会议内容 in
    the same organization. Reported in result.already, not added again."""
    if not planned:
        return planned
    org_ids = {data.org.id for _r, _w, data in planned}
    dates = [data.date for _r, _w, data in planned]
    existing = Meeting.objects.filter(org_id__in=org_ids, date__gte=min(dates), date__lte=max(dates))
    kinds_of: dict[int, set[str]] = {}
    for mid, kind in MeetingKindLink.objects.filter(meeting__in=existing).values_list("meeting_id", "kind"):
        kinds_of.setdefault(mid, set()).add(kind)
    by_slot: dict[tuple, list[tuple[set[str], str]]] = {}
    for mid, org_id, d, start in existing.values_list("id", "org_id", "date", "start_time"):
        by_slot.setdefault((org_id, d, start), []).append((kinds_of.get(mid, set()), "已登记"))
    # The same 会议内容: on the same day, or a long text (a short one like “学习党章” recurs).
    by_content: dict[tuple, str] = {}
    contents = Meeting.objects.filter(org_id__in=org_ids).exclude(minutes="").values_list("org_id", "minutes", "date")
    for org_id, minutes, d in contents:
        key = _content_key(minutes)
        why = f"已登记（{d.year}年{d.month}月{d.day}日的会议，会议内容相同）"
        by_content.setdefault((org_id, d, key), why)
        if len(key) >= LONG_CONTENT:
            by_content.setdefault((org_id, None, key), why)
    kept = []
    for rowno, where, data in planned:
        slot = (data.org.id, data.date, data.start_time)
        shown = f"{data.org.name} {data.date.year}年{data.date.month}月{data.date.day}日 {data.start_time:%H:%M}"
        same = next((why for kinds, why in by_slot.get(slot, []) if kinds & set(data.kinds)), None)
        content = _content_key(data.minutes)
        if same is None and content:
            same = by_content.get((data.org.id, data.date, content)) or by_content.get((data.org.id, None, content))
        if same is not None:
            result.already.append(f"{where}：{shown}“{data.topic}”{same}，未重复添加")
            continue
        by_slot.setdefault(slot, []).append((set(data.kinds), f"与本文件{where}重复"))
        if content:
            why = f"与本文件{where}的会议内容相同"
            by_content.setdefault((data.org.id, data.date, content), why)
            if len(content) >= LONG_CONTENT:
                by_content.setdefault((data.org.id, None, content), why)
        kept.append((rowno, where, data))
    return kept


class _Rollback(Exception):
    pass


def export_rows(qs) -> list[list]:
    """Rows in the import layout for a (scoped) Meeting queryset. Three queries, with the
    meeting set as a subquery (an id list would be too long for SQLite at township scale)."""
    meetings = list(qs.select_related("org", "host", "recorder"))
    ids = qs.values("pk")
    kinds: dict[int, list[str]] = {}
    for mid, kind in MeetingKindLink.objects.filter(meeting_id__in=ids).values_list("meeting_id", "kind"):
        kinds.setdefault(mid, []).append(kind)
    people: dict[int, dict[str, list[str]]] = {}
    for mid, name, status, reason in (
        Attendance.objects.filter(meeting_id__in=ids)
        .order_by("meeting_id", "member__name_pinyin")
        .values_list("meeting_id", "member__name", "status", "reason")
    ):
        label = f"{name}（{reason}）" if status == Attendance.Status.EXCUSED and reason else name
        people.setdefault(mid, {s: [] for s in Attendance.Status.values})[status].append(label)
    order = list(Kind.values)
    out = []
    for m in meetings:
        by_status = people.get(m.pk, {s: [] for s in Attendance.Status.values})
        out.append(
            [
                m.org.name,
                "、".join(Kind(k).label for k in sorted(kinds.get(m.pk, []), key=order.index)),
                m.date,
                m.start_time.strftime("%H:%M"),
                m.end_time.strftime("%H:%M"),
                m.place,
                m.topic,
                m.host.name if m.host else "",
                m.recorder.name if m.recorder else "",
                "、".join(by_status["present"]),
                "、".join(by_status["excused"]),
                "、".join(by_status["absent"]),
                m.minutes,
            ]
        )
    return out


def export_bytes(qs, *, user=None, org: str = "", period: str = "") -> bytes:
    from dangjian.core.xlsx import ledger_bytes

    return ledger_bytes(
        title="组织生活会议台账", headers=COLUMNS, rows=export_rows(qs), org=org, period=period, user=user
    )

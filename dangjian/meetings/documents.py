"""Word documents: one meeting in the 会议记录 layout, and a branch's year (会议记录本)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from dangjian.meetings.models import Attendance, Meeting

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _cn(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _new_document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(12)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    return doc


def _names(rows, with_reason: bool = False) -> str:
    out = []
    for a in rows:
        label = a.member.name
        if with_reason and a.reason:
            label += f"（{a.reason}）"
        out.append(label)
    return "、".join(out) or "无"


def _write_meeting(doc, m: Meeting) -> None:
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{m.org.name}{m.kinds_label}记录")
    run.bold = True
    run.font.size = Pt(16)
    rows = sorted(m.attendance.all(), key=lambda a: a.member.name_pinyin)
    present = [a for a in rows if a.status == Attendance.Status.PRESENT]
    excused = [a for a in rows if a.status == Attendance.Status.EXCUSED]
    absent = [a for a in rows if a.status == Attendance.Status.ABSENT]
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"

    def row(*cells):
        r = table.add_row().cells
        for i, text in enumerate(cells):
            r[i].text = str(text)
        return r

    row("会议名称", m.topic, "会议类型", m.kinds_label)
    row("时间", f"{_cn(m.date)} {m.start_time:%H:%M}—{m.end_time:%H:%M}", "地点", m.place)
    row("主持人", m.host.name if m.host else "", "记录人", m.recorder.name if m.recorder else "")
    if m.lecturer:
        row("授课人", m.lecturer, "", "")
    row("应到人数", len(rows), "实到人数", len(present))
    r = row("出席人员", _names(present), "", "")
    r[1].merge(r[3])
    r = row("请假人员", _names(excused, True), "", "")
    r[1].merge(r[3])
    r = row("缺席人员", _names(absent), "", "")
    r[1].merge(r[3])
    elsewhere = [a for a in rows if a.attended_elsewhere]
    if elsewhere:
        r = row("参加流入地组织生活", _names(elsewhere), "", "")
        r[1].merge(r[3])
    for label, text in (("议程", m.agenda), ("会议内容", m.minutes), ("会议决定", m.decisions)):
        doc.add_paragraph().add_run(label + "：").bold = True
        for line in (text or "（无）").splitlines() or ["（无）"]:
            doc.add_paragraph(line)
    foot = f"录入时间：{m.created_at:%Y年%m月%d日 %H:%M}"
    if m.is_late:
        foot += f"（补录，原因：{m.late_reason}）"
    doc.add_paragraph(foot).runs[0].font.size = Pt(9)


def _prefetched(qs):
    return qs.select_related("org", "host", "recorder").prefetch_related("kind_links", "attendance__member")


def meeting_docx(meeting: Meeting) -> bytes:
    m = _prefetched(Meeting.objects.filter(pk=meeting.pk)).get()
    doc = _new_document()
    _write_meeting(doc, m)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def year_book_docx(branch, year: int, qs) -> bytes:
    """会议记录本: every meeting of the branch (and its 党小组) in the year, one per page."""
    doc = _new_document()
    cover = doc.add_paragraph()
    cover.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = cover.add_run(f"{branch.name}\n{year}年度会议记录本")
    run.bold = True
    run.font.size = Pt(22)
    meetings = list(_prefetched(qs).order_by("date", "start_time", "id"))
    doc.add_paragraph(f"共{len(meetings)}次会议。").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for m in meetings:
        doc.add_page_break()
        _write_meeting(doc, m)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=DOCX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp

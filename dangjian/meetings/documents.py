"""Word documents: one meeting in the 会议记录 layout, and a branch's year (会议记录本)."""

from __future__ import annotations

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from dangjian.core import docx as gw
from dangjian.core.docx import DOCX_TYPE, docx_response  # noqa: F401 — re-exported for views
from dangjian.meetings.models import Attendance, Meeting

_cn = gw.cn_date


def _new_document(title: str = "", author: str = ""):
    """A4, 公文 fonts (仿宋 四号 body), page numbers “— n —” (core.docx)."""
    return gw.new_document(body=gw.SIHAO, line=Pt(24), title=title, author=author)


def _names(rows, with_reason: bool = False) -> str:
    out = []
    for a in rows:
        label = a.member.name
        if with_reason and a.reason:
            label += f"（{a.reason}）"
        out.append(label)
    return "、".join(out) or "无"


def _write_meeting(doc, m: Meeting) -> None:
    gw.add_title(doc, f"{m.org.name}{m.kinds_label}记录")
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
    gw.style_table(doc, table)
    for label, text in (("议程", m.agenda), ("会议内容", m.minutes), ("会议决定", m.decisions)):
        doc.add_paragraph(style="Heading 1").add_run(label + "：")
        for line in (text or "（无）").splitlines() or ["（无）"]:
            doc.add_paragraph(line)
    gw.add_signature_lines(doc, ["主持人", "记录人"])
    # Server timestamps are UTC in the database; the paper shows local time.
    foot = f"录入时间：{timezone.localtime(m.created_at):%Y年%m月%d日 %H:%M}"
    if m.is_late:
        foot += f"（补录，原因：{m.late_reason}）"
    p = doc.add_paragraph(foot, style="表格")
    p.runs[0].font.size = Pt(10.5)


def _prefetched(qs):
    return qs.select_related("org", "host", "recorder").prefetch_related("kind_links", "attendance__member")


def meeting_docx(meeting: Meeting) -> bytes:
    m = _prefetched(Meeting.objects.filter(pk=meeting.pk)).get()
    doc = _new_document(title=f"{m.org.name}{m.kinds_label}记录", author=m.org.name)
    _write_meeting(doc, m)
    return gw.to_bytes(doc)


def year_book_docx(branch, year: int, qs) -> bytes:
    """会议记录本: every meeting of the branch (and its 党小组) in the year, one per page."""
    doc = _new_document(title=f"{branch.name}{year}年度会议记录本", author=branch.name)
    gw.add_title(doc, f"{branch.name}\n{year}年度会议记录本")
    meetings = list(_prefetched(qs).order_by("date", "start_time", "id"))
    doc.add_paragraph(f"共{len(meetings)}次会议。").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for m in meetings:
        doc.add_page_break()
        _write_meeting(doc, m)
    return gw.to_bytes(doc)

"""Render a SurveyReport as an official document (.docx) with python-docx.

Layout after GB/T 9704—2012《党政机关公文格式》: A4; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm; title 方正小标宋简体 二号 centred; first-level headings 一、 in
黑体 三号; second-level （一） in 楷体_GB2312 三号; third-level 1. in 仿宋_GB2312 三号 bold;
body 仿宋_GB2312 三号, first line indented two characters, fixed 28 pt line spacing; page
number "— 1 —" in 宋体 四号 at the foot.

Headings use Word's built-in Heading 1/2/3 styles (restyled), so the navigation pane and
a table of contents show the document's structure in Word, WPS and LibreOffice.

Fonts: the GB fonts are named as East Asian fonts (w:eastAsia); each is declared in the
font table with an alternative name (w:altName: 宋体 SimSun, 黑体 SimHei, 楷体 KaiTi,
仿宋 FangSong) that Word and WPS use when the GB font is not installed; on Linux,
LibreOffice falls back through fontconfig to Noto Serif/Sans CJK.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from dangjian.core import clock, collector
from dangjian.core.docx import ERHAO, SANHAO, SIHAO, font_table, page_number, paragraph_style
from dangjian.reports.survey import SurveyReport

STYLE_FOR = {
    "h1": "Heading 1",
    "h2": "Heading 2",
    "h3": "Heading 3",
    "title": "公文标题",
    "p": "Normal",
    "note": "数据说明",
}


def build_document(report: SurveyReport):
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)

    normal = paragraph_style(doc, "Normal", east_asia="仿宋_GB2312", size=SANHAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    title = paragraph_style(
        doc, "公文标题", east_asia="方正小标宋简体", size=ERHAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)
    for name, font, bold in (
        ("Heading 1", "黑体", False),
        ("Heading 2", "楷体_GB2312", False),
        ("Heading 3", "仿宋_GB2312", True),
    ):
        st = paragraph_style(doc, name, east_asia=font, size=SANHAO, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        st.paragraph_format.keep_with_next = True
    note = paragraph_style(doc, "数据说明", east_asia="仿宋_GB2312", size=SIHAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    note.paragraph_format.line_spacing = Pt(24)
    note.paragraph_format.first_line_indent = Pt(32)  # indented like the body it explains
    font_table(doc)

    first_note = True
    for block in report.blocks:
        if block.kind == "note" and first_note:
            doc.add_paragraph("", style="Normal")  # a blank line before the note
            first_note = False
        doc.add_paragraph(block.text, style=STYLE_FOR[block.kind])
    _signature_and_tables(doc, report)
    page_number(section)
    props = doc.core_properties
    props.title = report.title
    props.author = report.org.name
    props.subject = f"{report.year}年基层党建工作"
    props.language = "zh-CN"
    props.keywords = "基层党建 调研报告"
    return doc


def _signature_and_tables(doc, report: SurveyReport) -> None:
    """落款 (issuing organ and date, GB/T 9704 7.3.5) and, after a page break, the tables behind
    the report's figures (附表), through the shared writer in core.docx."""

    from dangjian.core import docx as gw

    gw.paragraph_style(doc, "表格", east_asia="仿宋_GB2312", size=gw.XIAOSI, indent=False, line=None)
    gw.paragraph_style(doc, "落款", east_asia="仿宋_GB2312", size=SANHAO, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    gw.add_signature(doc, organ=report.org.name, on=clock.or_today(report.today))
    if not report.tables:
        return
    doc.add_page_break()
    # Plain paragraphs, not headings: the report's outline (一、二、三、四、) stays as it is.
    for i, (name, headers, rows) in enumerate(report.tables, 1):
        p = doc.add_paragraph(style="Normal")
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.keep_with_next = True
        p.add_run(f"附表{i}　{name}").bold = True
        gw.add_table(doc, headers, rows)
        doc.add_paragraph("", style="表格")


def docx_bytes(report: SurveyReport) -> bytes:
    buf = io.BytesIO()
    with collector.paused():  # a county report's tables are 400,000 elements (core.collector)
        build_document(report).save(buf)
    return buf.getvalue()


def xlsx_bytes(report: SurveyReport, *, user=None) -> bytes:
    """The tables behind the report, one sheet each, with the ledger title row."""
    from dangjian.core.xlsx import ledger_bytes

    (first_name, first_headers, first_rows), *rest = report.tables
    with collector.paused():  # a county report's 50,000 cells (core.collector)
        return ledger_bytes(
            title=first_name,
            headers=first_headers,
            rows=first_rows,
            org=report.org.name,
            period=f"{report.year}年",
            user=user,
            filters=f"随《{report.title}》",
            extra_sheets=rest,
        )

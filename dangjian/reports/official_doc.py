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
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dangjian.core import clock
from dangjian.reports.survey import SurveyReport

ERHAO, SANHAO, SIHAO = Pt(22), Pt(16), Pt(14)
LINE = Pt(28)
LATIN = "Times New Roman"
# GB font → (altName for Word/WPS without it, generic family for the font table)
FONTS = {
    "方正小标宋简体": ("宋体", "roman"),
    "黑体": ("SimHei", "modern"),
    "楷体_GB2312": ("KaiTi", "roman"),
    "仿宋_GB2312": ("FangSong", "roman"),
    "宋体": ("SimSun", "roman"),
}
STYLE_FOR = {
    "h1": "Heading 1",
    "h2": "Heading 2",
    "h3": "Heading 3",
    "title": "公文标题",
    "p": "Normal",
    "note": "数据说明",
}


def _set_fonts(rpr_owner, east_asia: str) -> None:
    """Name the East Asian font explicitly and drop theme fonts (which would win)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:cs"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(doc, name: str, *, east_asia: str, size, bold=False, align=None, indent=True, base="Normal"):
    styles = doc.styles
    try:
        st = styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles[base]
        st.quick_style = True
    st.font.size = size
    st.font.bold = bold
    st.font.italic = False
    st.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(st.element, east_asia)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.first_line_indent = Pt(32) if indent else Pt(0)
    if align is not None:
        pf.alignment = align
    return st


def _font_table(doc) -> None:
    """Declare each GB font with an alternative name for machines without it."""
    part = next((p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family) in FONTS.items():
        if name in existing:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        el = etree.SubElement(font, qn("w:altName"))
        el.set(qn("w:val"), alt)
        el = etree.SubElement(font, qn("w:charset"))
        el.set(qn("w:val"), "86")  # GB2312
        el = etree.SubElement(font, qn("w:family"))
        el.set(qn("w:val"), family)
        el = etree.SubElement(font, qn("w:pitch"))
        el.set(qn("w:val"), "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(section) -> None:
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)

    def run(text=None):
        r = p.add_run(text)
        r.font.size = SIHAO
        r.font.name = LATIN
        _set_fonts(r._r, "宋体")
        return r

    run("— ")
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), (None, None), ("end", None)):
        r = run()
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            r._r.append(fld)
        elif instr:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = instr
            r._r.append(it)
        else:
            r.text = "1"
    run(" —")


def build_document(report: SurveyReport):
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)

    normal = _style(doc, "Normal", east_asia="仿宋_GB2312", size=SANHAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    title = _style(
        doc, "公文标题", east_asia="方正小标宋简体", size=ERHAO, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)
    for name, font, bold in (
        ("Heading 1", "黑体", False),
        ("Heading 2", "楷体_GB2312", False),
        ("Heading 3", "仿宋_GB2312", True),
    ):
        st = _style(doc, name, east_asia=font, size=SANHAO, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        st.paragraph_format.keep_with_next = True
    note = _style(doc, "数据说明", east_asia="仿宋_GB2312", size=SIHAO, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    note.paragraph_format.line_spacing = Pt(24)
    _font_table(doc)

    first_note = True
    for block in report.blocks:
        if block.kind == "note" and first_note:
            doc.add_paragraph("", style="Normal")  # a blank line before the note
            first_note = False
        doc.add_paragraph(block.text, style=STYLE_FOR[block.kind])
    _signature_and_tables(doc, report)
    _page_number(section)
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
    build_document(report).save(buf)
    return buf.getvalue()


def xlsx_bytes(report: SurveyReport, *, user=None) -> bytes:
    """The tables behind the report, one sheet each, with the ledger title row."""
    from dangjian.core.xlsx import ledger_bytes

    (first_name, first_headers, first_rows), *rest = report.tables
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

"""Word documents that print: the one shared writer for every .docx the project makes.

Layout after GB/T 9704—2012《党政机关公文格式》: A4 portrait; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm; title 方正小标宋简体 二号 centred; body 仿宋_GB2312 (三号 for reports,
四号 for records and letters), first line indented two characters, fixed line spacing; page
number “— 1 —” in 宋体 四号 centred at the foot; tables in 仿宋 小四 with single spacing.

Fonts are named as East Asian fonts (w:eastAsia) and declared in the font table with an
alternative name (宋体 SimSun, 黑体 SimHei, 楷体 KaiTi, 仿宋 FangSong) that Word and WPS use
when the GB font is missing; LibreOffice falls back through fontconfig to Noto CJK.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ERHAO, SANHAO, SIHAO, XIAOSI = Pt(22), Pt(16), Pt(14), Pt(12)
LINE = Pt(28)
_QUOTE = {'"': "&quot;"}
# Text a table row cannot carry as plain <w:t> XML: tabs and line breaks (python-docx writes
# <w:tab/>, <w:br/>) and characters XML forbids (python-docx refuses them as before).
_ELEMENT_PATH = re.compile(r"[\x00-\x1f\ud800-\udfff\ufffe\uffff]")
LATIN = "Times New Roman"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONTS = {
    "方正小标宋简体": ("宋体", "roman"),
    "黑体": ("SimHei", "modern"),
    "楷体_GB2312": ("KaiTi", "roman"),
    "仿宋_GB2312": ("FangSong", "roman"),
    "宋体": ("SimSun", "roman"),
}


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def set_fonts(rpr_owner, east_asia: str) -> None:
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


def paragraph_style(doc, name, *, east_asia, size, bold=False, align=None, indent=True, line=LINE, base="Normal"):
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
    set_fonts(st.element, east_asia)
    pf = st.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line
    pf.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    if align is not None:
        pf.alignment = align
    return st


def font_table(doc) -> None:
    """Declare each GB font with an alternative name (w:altName) for machines without it."""
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
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", family), ("w:pitch", "variable")):
            el = etree.SubElement(font, qn(tag))
            el.set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def page_number(section) -> None:
    """“— n —” centred in the footer (a PAGE field, so every page shows its own number)."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)

    def run(text=None):
        r = p.add_run(text)
        r.font.size = SIHAO
        r.font.name = LATIN
        set_fonts(r._r, "宋体")
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


def new_document(*, body=SANHAO, line=LINE, title: str = "", author: str = "") -> Document:
    """An empty A4 公文 document with the styles 公文标题, Normal, Heading 1–3, 表格 and 落款."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28)
    normal = paragraph_style(
        doc, "Normal", east_asia="仿宋_GB2312", size=body, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line=line
    )
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    t = paragraph_style(
        doc,
        "公文标题",
        east_asia="方正小标宋简体",
        size=ERHAO,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        line=Pt(36),
    )
    t.paragraph_format.space_after = Pt(20)
    for name, font, bold in (
        ("Heading 1", "黑体", False),
        ("Heading 2", "楷体_GB2312", False),
        ("Heading 3", "仿宋_GB2312", True),
    ):
        st = paragraph_style(
            doc, name, east_asia=font, size=body, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line=line
        )
        st.paragraph_format.keep_with_next = True
    paragraph_style(doc, "表格", east_asia="仿宋_GB2312", size=XIAOSI, indent=False, line=None)
    paragraph_style(
        doc, "落款", east_asia="仿宋_GB2312", size=body, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT, line=line
    )
    font_table(doc)
    page_number(section)
    props = doc.core_properties
    props.language = "zh-CN"
    if title:
        props.title = title
    if author:
        props.author = author
    return doc


def add_title(doc, text: str):
    return doc.add_paragraph(text, style="公文标题")


def add_table(doc, headers: Sequence[str] | None, rows: Iterable[Sequence], *, widths_mm: Sequence[float] = ()):
    """A bordered table (Table Grid) in the 表格 style; the header row repeats on every page.

    The body rows are built as XML directly: python-docx's `paragraph.style = …` looks the
    default style up by an XPath over every style on each call and `add_row` walks the table,
    so a county report's 50,000 cells took over 20 minutes. The XML is the same as python-docx
    writes cell by cell (tests/core/test_core_docx_tables.py compares the two)."""
    rows = [list(r) for r in rows]
    cols = len(headers) if headers else max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    style_id = doc.styles["表格"].style_id
    if headers:
        cells = table.add_row().cells
        for i, h in enumerate(headers):
            cells[i].text = ""
            run = cells[i].paragraphs[0].add_run(str(h))
            run.bold = True
            cells[i].paragraphs[0].style = doc.styles["表格"]
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)
    tbl = table._tbl
    grid = [str(c.w.twips) if c.w is not None else None for c in tbl.tblGrid.gridCol_lst]
    widths = [str(Mm(w).twips) for w in widths_mm]
    if headers and widths:
        for i, cell in enumerate(table.rows[0].cells[: len(widths)]):
            cell.width = Mm(widths_mm[i])
    # Rows of plain text are written as one XML string per table and parsed once (creating
    # the 400,000 elements of a county report one by one took two seconds); a cell with a
    # tab or line break goes through python-docx (<w:tab/>, <w:br/>), in its place.
    batch: list[str] = []
    for r in rows:
        values = r[:cols]
        texts = ["" if v is None else str(v) for v in values]
        if _ELEMENT_PATH.search("".join(texts)):
            _flush_rows(tbl, batch)
            tbl.append(_table_row(values + [None] * (cols - len(values)), len(values), style_id, grid, widths))
        else:
            batch.append(_row_xml(texts, cols, style_id, grid, widths))
    _flush_rows(tbl, batch)
    return table


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _row_xml(texts: list[str], cols: int, style_id: str, grid, widths) -> str:
    """One <w:tr> as text: the same elements and attributes, in the same order, as _table_row."""
    out = ["<w:tr>"]
    style = f'<w:pPr><w:pStyle w:val="{xml_escape(style_id, _QUOTE)}"/></w:pPr>'
    for i in range(cols):
        width = widths[i] if i < len(widths) else grid[i]
        out.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>' if width is not None else "<w:tc>")
        if i < len(texts):
            text = texts[i]
            if not text:
                run = "<w:r/>"
            elif text != text.strip():
                run = f'<w:r><w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r>'
            else:
                run = f"<w:r><w:t>{xml_escape(text)}</w:t></w:r>"
            out.append(f"<w:p>{style}{run}</w:p></w:tc>")
        else:  # cells past a short row's end keep python-docx's bare paragraph
            out.append("<w:p/></w:tc>")
    out.append("</w:tr>")
    return "".join(out)


def _flush_rows(tbl, batch: list[str]) -> None:
    """Parse the rows in `batch` (python-docx's parser, so they are its element classes) and
    append them to `tbl`; lxml drops the wrapper's namespace declaration as they move."""
    if not batch:
        return
    from docx.oxml.parser import oxml_parser
    from lxml import etree

    wrapper = etree.fromstring(f'<w:tbl xmlns:w="{_W_NS}">{"".join(batch)}</w:tbl>', oxml_parser)
    tbl.extend(list(wrapper))
    batch.clear()


def _table_row(values, filled: int, style_id: str, grid, widths) -> object:
    """One <w:tr> as python-docx's add_row + cell.text + paragraph.style would write it."""
    tr = OxmlElement("w:tr")
    for i, v in enumerate(values):
        tc = OxmlElement("w:tc")
        width = widths[i] if i < len(widths) else grid[i]
        if width is not None:
            tc_pr = OxmlElement("w:tcPr")
            tc_w = OxmlElement("w:tcW")
            tc_w.set(qn("w:type"), "dxa")
            tc_w.set(qn("w:w"), width)
            tc_pr.append(tc_w)
            tc.append(tc_pr)
        p = OxmlElement("w:p")
        if i < filled:  # cells past a short row's end keep python-docx's bare paragraph
            p_pr = OxmlElement("w:pPr")
            p_style = OxmlElement("w:pStyle")
            p_style.set(qn("w:val"), style_id)
            p_pr.append(p_style)
            p.append(p_pr)
            _add_text_run(p, "" if v is None else str(v))
        tc.append(p)
        tr.append(tc)
    return tr


def _add_text_run(p, text: str) -> None:
    from docx.text.run import Run

    r = OxmlElement("w:r")
    p.append(r)
    if not text:
        return
    if "\t" in text or "\n" in text or "\r" in text:
        Run(r, None).text = text  # python-docx turns these into <w:tab/> and <w:br/>
        return
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)


def style_table(doc, table) -> None:
    """Put every cell of an existing table in the 表格 style (single spacing, 小四)."""
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.style = doc.styles["表格"]


def add_signature(doc, *, organ: str, on: date) -> None:
    """落款: the issuing organ and the date at the right (GB/T 9704 7.3.5)."""
    doc.add_paragraph("", style="Normal")
    doc.add_paragraph(organ + "　　", style="落款")
    doc.add_paragraph(cn_date(on) + "　　", style="落款")


def add_signature_lines(doc, labels: Sequence[str]) -> None:
    """Lines to sign by hand: “主持人（签字）：＿＿＿＿＿＿　记录人（签字）：＿＿＿＿＿＿”."""
    doc.add_paragraph("", style="Normal")
    p = doc.add_paragraph("　　".join(f"{label}（签字）：" + "＿" * 6 for label in labels), style="Normal")
    p.paragraph_format.first_line_indent = Pt(0)


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_response(content: bytes, filename: str):
    from django.http import HttpResponse

    resp = HttpResponse(content, content_type=DOCX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp

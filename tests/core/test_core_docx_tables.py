"""core.docx.add_table builds body rows as XML (a county report's 50,000 cells took over 20
minutes through python-docx's per-cell style lookup). The XML must be what python-docx writes
cell by cell: the reference below is the former implementation, kept verbatim."""

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dangjian.core import docx as gw


def reference_add_table(doc, headers, rows, *, widths_mm=()):
    rows = [list(r) for r in rows]
    cols = len(headers) if headers else max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=0, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
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
    for r in rows:
        cells = table.add_row().cells
        for i, v in enumerate(r[:cols]):
            cells[i].text = "" if v is None else str(v)
            for p in cells[i].paragraphs:
                p.style = doc.styles["表格"]
    for i, w in enumerate(widths_mm):
        for row in table.rows:
            row.cells[i].width = Mm(w)
    return table


def _both(headers, rows, widths=()):
    a, b = gw.new_document(), gw.new_document()
    mine = gw.add_table(a, headers, rows, widths_mm=widths)
    theirs = reference_add_table(b, headers, rows, widths_mm=widths)
    return etree.tostring(mine._tbl, encoding="unicode"), etree.tostring(theirs._tbl, encoding="unicode")


def test_a_report_table_is_written_as_python_docx_writes_it():
    rows = [
        ["东街社区党支部", 12, 91.5, None, ""],
        ["西街社区党支部", 0, "—", "缺 2 次", " 前后有空格 "],
        ["北关村党支部", "第一行\n第二行", "甲\t乙", True, 3],
        ["短行"],
        ["多出的列", 1, 2, 3, 4, 5, 6],
        ["<b>&amp;", '"引号"', "a < b > c", "　全角空格　", 0.5],
    ]
    mine, theirs = _both(["支部", "次数", "落实率", "备注", "说明"], rows)
    assert mine == theirs
    mine, theirs = _both(["支部", "次数", "落实率", "备注", "说明"], rows, widths=(40, 15, 20, 30, 30))
    assert mine == theirs
    mine, theirs = _both(None, rows[:3])
    assert mine == theirs


cell = st.one_of(
    st.none(),
    st.integers(-10_000, 10_000),
    # &<>"' are escaped in the XML text the rows are parsed from; \t \n \r take python-docx's path.
    st.text(alphabet=st.sampled_from("党支部 \t\n\r甲乙丙0123—　&<>\"'"), max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(
    headers=st.one_of(
        st.none(), st.lists(st.text(alphabet="支部名称次数", min_size=1, max_size=4), min_size=1, max_size=5)
    ),
    rows=st.lists(st.lists(cell, max_size=6), max_size=6),
    widths=st.lists(st.integers(10, 60), max_size=3),
)
def test_any_table_is_the_same_xml(headers, rows, widths):
    cols = len(headers) if headers else max((len(r) for r in rows), default=1)
    mine, theirs = _both(headers, rows, widths=tuple(widths[:cols]))
    assert mine == theirs


def test_a_large_table_keeps_every_row_and_the_style():
    doc = gw.new_document()
    table = gw.add_table(
        doc, ["支部", "人数", "说明", "备注"], [[f"第{i}党支部", i, "正常", None] for i in range(5000)]
    )
    assert len(table.rows) == 5001 and table.rows[4000].cells[0].text == "第3999党支部"
    assert table.rows[4000].cells[0].paragraphs[0].style.name == "表格"

"""The account slips as a Word document (issue 15): A4 with page numbers (core.docx), one
table row per person with the sign-in QR code (segno PNG), name, organisation, user name and
initial password. It holds initial passwords, so it is only made by accounts.views_bulk.slips_docx
(POST with a stated purpose, logged as a RevealEvent)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import segno
from docx.oxml import OxmlElement
from docx.shared import Mm

from dangjian.core import docx as D

QR_MM = 24
WIDTHS_MM = (30, 30, 44, 26, 26)  # 156 mm: the A4 text width of core.docx


@dataclass(frozen=True)
class Slip:
    name: str
    where: str
    username: str
    password: str
    link: str


def qr_png(link: str) -> bytes:
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


def slips_docx(slips: list[Slip], *, title: str, on: date) -> bytes:
    doc = D.new_document(body=D.SIHAO, title=f"密码条：{title}")
    D.add_title(doc, "账号密码条")
    doc.add_paragraph(f"{title}，共 {len(slips)} 人，{D.cn_date(on)}生成。", style="Normal")
    doc.add_paragraph(
        "初始密码只用于首次登录：请沿表格线剪开，当面交给本人；本人扫码或输入登录地址登录后须立即修改密码。"
        "本文件含初始密码，发放后请删除，不要转发。",
        style="Normal",
    )
    rows = [["", s.name, s.where, s.username, s.password] for s in slips]
    table = D.add_table(doc, ["登录二维码", "姓名", "所在组织", "用户名", "初始密码"], rows, widths_mm=WIDTHS_MM)
    for row, slip in zip(table.rows[1:], slips, strict=True):
        row.cells[0].paragraphs[0].add_run().add_picture(io.BytesIO(qr_png(slip.link)), width=Mm(QR_MM))
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a slip never breaks across pages
    links = sorted({s.link for s in slips})
    doc.add_paragraph("", style="Normal")
    for link in links:
        p = doc.add_paragraph(f"登录地址：{link}", style="表格")
        p.paragraph_format.first_line_indent = Mm(0)
    return D.to_bytes(doc)

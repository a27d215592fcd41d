"""中国共产党党员组织关系介绍信 (.docx), generated from a Transfer with python-docx.

Layout follows the common three-part form: 存根 (kept by the issuing 党委), the letter
itself, and the 回执 (returned by the receiving organization).
"""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from dangjian.lifecycle.models import Transfer
from dangjian.rules.dates import format_cn_date
from dangjian.rules.membership import age_on

TITLE = "中国共产党党员组织关系介绍信"


def _new() -> Document:
    """A4 with page numbers and 公文 fonts (core.docx); 仿宋 四号, lines at 24 pt."""
    from dangjian.core.docx import new_document

    return new_document(body=Pt(14), line=Pt(24), title=TITLE)


def _para(doc, text: str, *, bold: bool = False, size: int | None = None, center: bool = False, right: bool = False):
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(0)
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return p


def letter_docx(transfer: Transfer, *, id_text: str, issuer: str) -> bytes:
    """The letter as .docx bytes. `id_text` is the full or masked 公民身份号码 (caller decides)."""
    m = transfer.member
    from_org = transfer.branch.name
    to_org = transfer.to_branch.name if transfer.to_branch_id else transfer.other_org
    age = age_on(m.birth_date, transfer.date)
    kind = "正式" if m.kind == "正式党员" else "预备"
    valid_until = transfer.date + timedelta(days=transfer.valid_days)
    dues = transfer.dues_paid_to or "（未填写）"
    body = (
        f"{m.name}同志（{m.sex}，{age}岁，{m.ethnicity}，{kind}党员，公民身份号码{id_text}），"
        f"由{from_org}去{to_org}，请转接组织关系。该同志党费已交到{dues}。"
    )
    doc = _new()

    _para(doc, f"{TITLE}（存根）", bold=True, size=14, center=True)
    _para(doc, f"{issuer}组字{transfer.letter_number}", right=True)
    _para(doc, body)
    _para(doc, f"有效期{transfer.valid_days}天（至{format_cn_date(valid_until)}）")
    _para(doc, format_cn_date(transfer.date), right=True)
    _para(doc, "—" * 20 + " 骑缝 " + "—" * 20, center=True)

    _para(doc, TITLE, bold=True, size=16, center=True)
    _para(doc, f"{issuer}组字{transfer.letter_number}", right=True)
    _para(doc, f"{to_org}：")
    _para(doc, f"　　兹介绍{body}")
    _para(doc, f"（有效期{transfer.valid_days}天，至{format_cn_date(valid_until)}）")
    _para(doc, f"{issuer}（盖章）", right=True)
    _para(doc, format_cn_date(transfer.date), right=True)
    _para(doc, "党员联系电话或通信地址：________　　党员原所在基层党委通信地址：________")
    _para(doc, "—" * 20 + " 裁剪线 " + "—" * 20, center=True)

    _para(doc, "回　执", bold=True, size=14, center=True)
    _para(doc, f"{issuer}：")
    _para(doc, f"　　{m.name}同志的党员组织关系已转达我处，特此回复。")
    _para(doc, "（盖章）　　　　年　　月　　日", right=True)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def receipt_docx(transfer: Transfer, *, issuer: str) -> bytes:
    """For a transfer in: the 回执 our side returns to the organization that sent the letter."""
    m = transfer.member
    doc = _new()
    _para(doc, f"{TITLE}回执", bold=True, size=16, center=True)
    if transfer.received_letter:
        _para(doc, f"（来信编号：{transfer.received_letter}）", right=True)
    _para(doc, f"{transfer.other_org}：")
    _para(doc, f"　　{m.name}同志的党员组织关系已转达我处，现编入{transfer.branch.name}，特此回复。")
    _para(doc, f"{issuer}（盖章）", right=True)
    _para(doc, format_cn_date(transfer.date), right=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

"""党费收缴台账 (.xlsx): the month grid of selectors.ledger_rows, plus a 收据登记 sheet listing
every receipt of the year in number order, 冲红 ones struck through with who, when and why
(the receipts stay consecutive: a voided number is never reused)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from dangjian.core.xlsx import add_sheet, title_line
from dangjian.dues.models import Payment
from dangjian.dues.months import label

RECEIPT_HEADERS = [
    "收据号",
    "交纳日期",
    "党员",
    "方式",
    "所属月份",
    "金额（元）",
    "收缴人",
    "状态",
    "冲红日期",
    "冲红人",
    "冲红原因",
]


def receipt_rows(branch, year: int) -> list[list]:
    rows = []
    payments = (
        Payment.objects.filter(branch=branch, receipt_year=year)
        .select_related("member", "collector", "void", "void__voided_by")
        .order_by("receipt_no")
    )
    for p in payments:
        v = getattr(p, "void", None)  # a missing reverse one-to-one is an AttributeError
        if v is not None:
            months = "、".join(label(m) for m in v.month_dates) or "（自愿交纳）"
        elif not p.first_month:
            months = "（自愿交纳）"
        else:
            months = f"{label(p.first_month)}起{p.months}个月" if p.months > 1 else label(p.first_month)
        rows.append(
            [
                f"第{p.receipt_no:04d}号",
                p.paid_on,
                p.member.name,
                p.get_kind_display(),
                months,
                p.amount,
                str(p.collector or ""),
                "已冲红" if v is not None else "有效",
                v.voided_on if v is not None else None,
                str(v.voided_by or "") if v is not None else "",
                v.reason if v is not None else "",
            ]
        )
    return rows


def ledger_workbook(*, branch, year: int, headers, rows, user=None) -> bytes:
    wb = Workbook()
    period = f"{year}年"
    add_sheet(
        wb,
        sheet_title="党费收缴台账",
        heading=title_line(title="党费收缴台账", org=branch.name, period=period, user=user),
        headers=headers,
        rows=rows,
        first=True,
    )
    receipts = receipt_rows(branch, year)
    ws = add_sheet(
        wb,
        sheet_title="收据登记（含冲红）",
        heading=title_line(title="党费收据登记（含冲红）", org=branch.name, period=period, user=user),
        headers=RECEIPT_HEADERS,
        rows=receipts,
    )
    # 冲红 rows struck through (columns up to the amount), the void's own columns in red.
    for i, r in enumerate(receipts, start=3):
        if r[7] == "已冲红":
            for col in range(1, 7):
                ws.cell(row=i, column=col).font = Font(strike=True, color="808080")
            for col in range(8, 12):
                ws.cell(row=i, column=col).font = Font(color="C00000")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

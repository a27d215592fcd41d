"""日期格式化与月份运算。解析人们填写的日期只用一个解析器：dangjian.core.dates.parse_date。"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .errors import RuleError

YearMonth = tuple[int, int]

# 全角字符 U+FF01–U+FF5E 与半角 ASCII 相差 0xFEE0。
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # 全角空格
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def to_halfwidth(s: str) -> str:
    """全角数字、字母、标点及全角空格转为半角。导入时每个单元格都要调用：没有全角字符的文本
    （绝大多数）先用一次正则查找判断，原样返回。"""
    if s.isascii() or not _HAS_FULLWIDTH.search(s):
        return s
    return s.translate(_FULLWIDTH)


def format_cn_date(d: date) -> str:
    """2023-07-01 → "2023年7月1日"。"""
    return f"{d.year}年{d.month}月{d.day}日"


def add_months(d: date, months: int) -> date:
    """加减整月；目标月没有该日时取月末（如 1月31日 + 1个月 → 2月28/29日）。"""
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    month = month0 + 1
    day = min(d.day, _days_in_month(year, month))
    return date(year, month, day)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def month_end(year: int, month: int) -> date:
    """当月最后一天。"""
    return date(year, month, _days_in_month(year, month))


def ym_add(ym: YearMonth, months: int) -> YearMonth:
    """(年, 月) 加减月数。"""
    total = ym[0] * 12 + ym[1] - 1 + months
    return total // 12, total % 12 + 1


def ym_index(ym: YearMonth) -> int:
    """(年, 月) 转为连续的月序号，便于比较与相减。"""
    year, month = ym
    if not 1 <= month <= 12:
        raise RuleError(f"月份应在1至12之间，当前为{month}")
    return year * 12 + month - 1


def months_range(start: YearMonth, end: YearMonth) -> list[YearMonth]:
    """从 start 到 end（含两端）的所有月份。"""
    a, b = ym_index(start), ym_index(end)
    if a > b:
        raise RuleError("起始月份不能晚于结束月份")
    return [(i // 12, i % 12 + 1) for i in range(a, b + 1)]

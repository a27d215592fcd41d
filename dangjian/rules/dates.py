"""日期解析与月份运算（支持 Excel 序列号与各种中文写法）。"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .errors import RuleError

YearMonth = tuple[int, int]

# 全角字符 U+FF01–U+FF5E 与半角 ASCII 相差 0xFEE0。
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20  # 全角空格

_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号]?)?$"),
    re.compile(r"^(\d{4})([-./])(\d{1,2})(?:\2(\d{1,2}))?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
]
_TIME_SUFFIX = re.compile(r"^(.*?\d)[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?$")


def to_halfwidth(s: str) -> str:
    """全角数字、字母、标点及全角空格转为半角。"""
    return s.translate(_FULLWIDTH)


def _from_excel_serial(value: float | Decimal, original: object) -> date:
    """Excel 1900 日期系统：1 = 1900-01-01；60 是 Excel 虚构的 1900-02-29。"""
    try:
        n = int(value)
    except (ValueError, OverflowError, InvalidOperation):
        raise RuleError(f"无法识别的日期：{original}") from None
    if n < 1 or n > _EXCEL_MAX_SERIAL or n == 60:
        raise RuleError(f"无法识别的日期：{original}")
    if n < 60:
        return date(1899, 12, 31) + timedelta(days=n)
    return _EXCEL_EPOCH + timedelta(days=n)


def parse_cn_date(value: object) -> date:
    """把各种来源的日期统一为 date。

    支持：date/datetime 对象；Excel 序列号（int/float，1900 日期系统）；文本
    2019年7月1日、2019年7月1号、2019.07.01、2019-7-1、2019/07/01、20190701、
    2019年7月、2019-07、201907（只到月的取当月1日），可含全角数字与多余空格，
    可带时间部分（忽略）。无法识别时抛出 RuleError。
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise RuleError(f"无法识别的日期：{value}")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, int) and 19000101 <= value <= 99991231:
            return parse_cn_date(str(value))
        return _from_excel_serial(value, value)
    if not isinstance(value, str):
        raise RuleError(f"无法识别的日期：{value}")

    text = to_halfwidth(value).strip()
    m = _TIME_SUFFIX.match(text)
    if m:
        text = m.group(1)
    text = re.sub(r"\s+", "", text)
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        groups = [g for g in m.groups() if g not in ("-", ".", "/")]
        year, month = int(groups[0]), int(groups[1])
        day = int(groups[2]) if len(groups) > 2 and groups[2] else 1
        try:
            return date(year, month, day)
        except ValueError:
            raise RuleError(f"无法识别的日期：{value}") from None
    raise RuleError(f"无法识别的日期：{value}")


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

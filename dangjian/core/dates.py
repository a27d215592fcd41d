"""The one parser for dates as people type them in spreadsheets and forms (standard library only).

    from dangjian.core.dates import parse_date, DateInput

    d = parse_date(cell_value, today=today)       # -> DateInput, or raises RuleError (Chinese reason)
    d.date          # a datetime.date (the 1st of the month when only the month was given)
    d.precision     # "day" or "month"
    d.text          # 1968年3月 / 1968年3月5日, for messages

Accepted:
- date / datetime objects (what a spreadsheet reader gives for a cell formatted as a date);
- Excel serial numbers (1900 date system) when they land in 1921 or later;
- text or numbers: YYYY.MM, YYYY.M, YYYY.M.D, YYYYMMDD, YYYYMM, YYYY年M月, YYYY年M月D日(号),
  YYYY-M-D, YYYY/M/D, YYYY-M, YYYY/M; full-width digits and stray spaces; a time part is ignored.

A number such as 1968.03 is a year and a month, never a serial. 1968.1 as a number is refused:
Excel shows 1968.10 as 1968.1, so the month (1 or 10) cannot be known.

Refused with the reason: a date after `today` (unless allow_future), a date before 1921
(`min_year`), a serial that lands before 1921, a year alone, impossible days and months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from dangjian.core import clock
from dangjian.rules.dates import to_halfwidth
from dangjian.rules.errors import RuleError

MIN_YEAR = 1921
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31

_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号]?)?$"),
    re.compile(r"^(\d{4})([-./])(\d{1,2})(?:\2(\d{1,2}))?[.]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})?$"),
]
_TIME_SUFFIX = re.compile(r"^(.*?\d)[\sT]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?$")
_YEAR_ONLY = re.compile(r"^(\d{4})年?$")


@dataclass(frozen=True)
class DateInput:
    date: date
    precision: str = "day"  # "day" | "month"

    @property
    def month_only(self) -> bool:
        return self.precision == "month"

    @property
    def text(self) -> str:
        d = self.date
        return f"{d.year}年{d.month}月" if self.month_only else f"{d.year}年{d.month}月{d.day}日"


def _shown(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)[:30]


def _build(year: int, month: int, day: int | None, original) -> DateInput:
    try:
        return DateInput(date(year, month, day or 1), "day" if day else "month")
    except ValueError:
        if not 1 <= month <= 12:
            raise RuleError(f"“{_shown(original)}”中的月份{month}不存在") from None
        raise RuleError(f"“{_shown(original)}”这一天不存在（{year}年{month}月没有{day}日）") from None


def _from_serial(n: int, original) -> DateInput:
    if n < 1 or n > _EXCEL_MAX_SERIAL or n == 60:
        raise RuleError(f"无法识别的日期：“{_shown(original)}”，请写成1968.03或1968年3月5日")
    d = date(1899, 12, 31) + timedelta(days=n) if n < 60 else _EXCEL_EPOCH + timedelta(days=n)
    if d.year < MIN_YEAR:
        raise RuleError(
            f"“{_shown(original)}”被当作Excel日期时是{d.year}年{d.month}月{d.day}日，早于1921年，"
            "请写成1968.03或1968年3月5日这样的形式"
        )
    return DateInput(d)


def _from_number(value, original) -> DateInput:
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        whole, _, frac = text.partition(".")
        if len(whole) == 4 and "e" not in text.lower():
            year = int(whole)
            if frac == "1":
                raise RuleError(
                    f"“{text}”看不出是{year}年1月还是10月（Excel把1968.10显示成1968.1），"
                    f"请写成{year}.01或{year}.10，并把该列设为文本"
                )
            if len(frac) == 1:
                frac = frac  # 1968.2 -> February
            elif len(frac) != 2:
                raise RuleError(f"无法识别的日期：“{text}”，请写成{year}.03或{year}年3月5日")
            return _build(year, int(frac), None, original)
        value = int(value)  # a serial with a time of day
    n = int(value)
    if 19000101 <= n <= 99991231:
        return _from_text(str(n), original)
    if 190001 <= n <= 999912:
        return _from_text(str(n), original)
    if 1000 <= n <= 2999 and n >= MIN_YEAR - 21:
        raise RuleError(f"“{n}”只有年份，请写明年月，如{n}.03")
    return _from_serial(n, original)


def _from_text(text: str, original) -> DateInput:
    m = _TIME_SUFFIX.match(text)
    if m:
        text = m.group(1)
    text = re.sub(r"\s+", "", text)
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            groups = [g for g in m.groups() if g not in ("-", ".", "/")]
            year, month = int(groups[0]), int(groups[1])
            day = int(groups[2]) if len(groups) > 2 and groups[2] else None
            return _build(year, month, day, original)
    if _YEAR_ONLY.match(text):
        raise RuleError(f"“{text}”只有年份，请写明年月，如{text.rstrip('年')}.03")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if (
        number is not None
        and number.is_finite()
        and not text.startswith(("+", "-"))
        and number == number.to_integral_value()
    ):  # a serial kept as text (a column pasted from another system)
        return _from_serial(int(number), original)
    raise RuleError(f"无法识别的日期：“{_shown(original)}”，请写成1968.03、1968.3.5或1968年3月5日")


def parse_date(
    value: object,
    *,
    today: date | None = None,
    allow_future: bool = False,
    min_year: int = MIN_YEAR,
) -> DateInput:
    """One cell or form value → DateInput; RuleError with a reason a person can act on."""
    if isinstance(value, datetime):
        result = DateInput(value.date())
    elif isinstance(value, date):
        result = DateInput(value)
    elif value is None or isinstance(value, bool):
        raise RuleError("日期不能为空" if value is None else f"无法识别的日期：“{value}”")
    elif isinstance(value, int | float | Decimal):
        if isinstance(value, Decimal):
            value = float(value)
        if value != value or value in (float("inf"), float("-inf")) or value < 0:
            raise RuleError(f"无法识别的日期：“{_shown(value)}”")
        result = _from_number(value, value)
    elif isinstance(value, str):
        text = to_halfwidth(value).strip()
        if not text:
            raise RuleError("日期不能为空")
        result = _from_text(text, value)
    else:
        raise RuleError(f"无法识别的日期：“{_shown(value)}”")
    if result.date.year < min_year:
        raise RuleError(f"{result.text}早于{min_year}年，请核对")
    if not allow_future:
        today = today or clock.today()
        if result.date > today:
            raise RuleError(f"{result.text}晚于今天，请核对")
    return result

"""Month arithmetic for dues (a month is the date of its first day)."""

from __future__ import annotations

from datetime import date


def month_of(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(m: date, n: int) -> date:
    idx = m.year * 12 + (m.month - 1) + n
    return date(idx // 12, idx % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Inclusive list of months from `first` to `last` (empty when first > last)."""
    out = []
    m = month_of(first)
    last = month_of(last)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def month_diff(a: date, b: date) -> int:
    """Months from b to a (a - b)."""
    return (a.year - b.year) * 12 + a.month - b.month


def last_completed_month(today: date) -> date:
    return add_months(month_of(today), -1)


def month_end(m: date) -> date:
    return date.fromordinal(add_months(m, 1).toordinal() - 1)


def parse_month(text: str | None, default: date) -> date:
    """'2024-03' → date(2024, 3, 1); anything unreadable → default."""
    try:
        y, mth = str(text).split("-")[:2]
        return date(int(y), int(mth), 1)
    except (TypeError, ValueError):
        return default


def label(m: date) -> str:
    return f"{m.year}年{m.month}月"

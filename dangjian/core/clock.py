"""The one clock: what "today" is for every figure, page, report and service.

Every selector and service asks `today()` rather than `date.today()` or `localdate()`, so a
report written "as of" a day (``manage.py report --today 2024-01-10``, or a test) sees that
day in every source it reads: `as_of(day)` sets it for the block it wraps (per thread and
per asyncio task, through a context variable).

    from dangjian.core import clock
    clock.today()                     # the local date (Asia/Shanghai), or the day set below
    with clock.as_of(date(2024, 1, 10)):
        build_report(...)             # every source reads 2024-01-10 as today
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.utils import timezone

_override: ContextVar[date | None] = ContextVar("dangjian_today", default=None)


def today() -> date:
    """Today in the site's time zone, unless a caller fixed the day with `as_of`."""
    fixed = _override.get()
    return fixed if fixed is not None else timezone.localdate()


def or_today(day: date | None) -> date:
    """`day` when given, else `today()` (the usual `today=None` keyword of a selector)."""
    return day if day is not None else today()


@contextmanager
def as_of(day: date | None) -> Iterator[date]:
    """Within the block, `today()` is `day` (no change when `day` is None)."""
    if day is None:
        yield today()
        return
    token = _override.set(day)
    try:
        yield day
    finally:
        _override.reset(token)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def judged_at(year: int, day: date | None = None) -> date:
    """The day a year is judged at: its last day, or today while it runs."""
    return min(or_today(day), year_end(year))

"""The one parser for query-string parameters (?year=, ?branch=, ?page=, any id).

One policy for every page:
- a missing or empty value → the page's default;
- a year that is not a number or lies outside the years the system keeps (FIRST_YEAR …
  next year) → the default year (the current one), so a pasted or edited link still opens;
- an id (branch, org, plan, …) that is not a positive number that fits a database key →
  `BadRequest` (400 with a Chinese message), never a 500 from the database driver;
- with `strict=True` a bad year is a `BadRequest` too (downloads, where a silent default
  would hand out the wrong year's document).
"""

from __future__ import annotations

from collections.abc import Mapping

from dangjian.core import clock
from dangjian.core.errors import BadRequest

FIRST_YEAR = 2000
MAX_ID = 2**63 - 1  # the largest BIGINT key on SQLite and PostgreSQL


def _raw(params: Mapping, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def _to_int(text: str) -> int | None:
    if not text or len(text) > 20:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def year(
    params: Mapping,
    name: str = "year",
    *,
    default: int | None = None,
    first: int = FIRST_YEAR,
    last: int | None = None,
    strict: bool = False,
) -> int:
    """A year in first…last (default last = next year); the default (this year) otherwise."""
    this_year = clock.today().year
    last = this_year + 1 if last is None else last
    default = this_year if default is None else default
    text = _raw(params, name)
    if not text:
        return default
    y = _to_int(text)
    if y is None or not first <= y <= last:
        if strict:
            raise BadRequest(f"年份不正确：请填写{first}年至{last}年之间的年份")
        return default
    return y


def optional_year(params: Mapping, name: str = "year", *, first: int = FIRST_YEAR, last: int | None = None):
    """A year in range, or None when absent or unusable (for "all years" filters)."""
    text = _raw(params, name)
    if not text:
        return None
    last = clock.today().year + 1 if last is None else last
    y = _to_int(text)
    return y if y is not None and first <= y <= last else None


def integer(params: Mapping, name: str, *, default: int | None = None, lo: int | None = None, hi: int | None = None):
    """A plain number (a count, a month, a score); the default when absent or out of range."""
    v = _to_int(_raw(params, name))
    if v is None or (lo is not None and v < lo) or (hi is not None and v > hi):
        return default
    return v


def pk(params: Mapping, name: str, *, label: str = "编号") -> int | None:
    """An id: None when absent; BadRequest when it is not a usable key."""
    text = _raw(params, name)
    if not text:
        return None
    v = _to_int(text)
    if v is None or not 1 <= v <= MAX_ID:
        raise BadRequest(f"{label}不正确：{text[:30]}")
    return v


def branch(params: Mapping, name: str = "branch") -> int | None:
    return pk(params, name, label="党组织编号")


def pk_or_none(value) -> int | None:
    """A key from a form value, or None (no error): for optional selects posted back."""
    v = _to_int("" if value is None else str(value).strip())
    return v if v is not None and 1 <= v <= MAX_ID else None

"""Each yearly figure computed once: `@figure` on a selector gives it ONE canonical key.

    @figure
    def compliance_summary(root, year, *, today=None) -> ComplianceSummary: ...

The key is the function's dotted name and its arguments as bound to its signature (defaults
filled in, a `today=None` replaced by `clock.today()`), so the dashboard, the report, the
rating and the compliance page, which call the selector in different ways, share one value:

- inside `figures.scope()` (one request or one report) a figure is computed at most once and
  later calls are answered from memory, without a query;
- across requests the value is kept in the data-version cache (core.cache.cached) under the
  tokens of the organisations in its key: a write under them (or attached to an ancestor)
  invalidates it, a write in another township does not.

The decorated function returns an immutable value (a frozen dataclass or a list of rows
callers do not modify).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache

from dangjian.core import clock
from dangjian.core.cache import TIMEOUT, cache_key, cached, data_version, has_pending_writes, scope_keys

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("dangjian_figures", default=None)


@contextmanager
def scope(memo: dict | None = None) -> Iterator[dict]:
    """Within the block every `@figure` is computed once (reads only: do not write inside).
    `memo`: a dict kept by the caller (e.g. a report's Sources) to reuse across blocks."""
    if _memo.get() is not None:  # nested: share the outer scope
        yield _memo.get()
        return
    memo = {} if memo is None else memo
    token = _memo.set(memo)
    try:
        yield memo
    finally:
        _memo.reset(token)


def canonical(fn: Callable, args: tuple, kwargs: dict) -> tuple:
    """(dotted name, bound arguments) with defaults applied and today resolved."""
    sig = inspect.signature(fn)
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    parts = []
    for name, value in bound.arguments.items():
        if name == "today" and value is None:
            value = clock.today()
        parts.append((name, value))
    return (f"{fn.__module__}.{fn.__qualname__}", tuple(parts))


def figure(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = canonical(fn, args, kwargs)
        memo = _memo.get()
        if memo is not None:
            mkey = cache_key(*key)
            if mkey in memo:
                return memo[mkey]
            value = cached(key, lambda: fn(*args, **kwargs), version=_version(key, memo))
            memo[mkey] = value
            return value
        return cached(key, lambda: fn(*args, **kwargs))

    wrapper.uncached = fn  # for tests and benchmarks that time the computation itself
    return wrapper


def _version(key: tuple, memo: dict | None) -> str:
    """The data version of key's scope. Within a block, one per scope (one token read for all
    the figures of the same organisations), and the scope's own: a write in another township
    leaves this township's figures cached (core.cache.scope_keys)."""
    if memo is None:
        return data_version(key)
    vkey = ("__version__", tuple(scope_keys(key)))
    if vkey not in memo:
        memo[vkey] = data_version(key)
    return memo[vkey]


def parts(
    fn: Callable[..., T],
    calls: list[tuple],
    compute_missing: Callable[[list[int]], list[T]],
    *,
    kwargs: dict | None = None,
) -> list[T]:
    """[fn(*args) for args in calls] for a `@figure` fn — each value from the request's memo or
    the cache under its own key and tokens where it is there, and the missing ones computed
    TOGETHER by compute_missing(indexes into calls), which returns their values in that order,
    then kept as fn would keep them (`kwargs`: the keyword arguments of every call). For a
    county figure made of its townships': after a write
    in one township one is recomputed; after a restart all twenty in one query, not twenty."""
    memo = _memo.get()
    pending = has_pending_writes()  # our own uncommitted writes: compute, keep nothing
    out: list = [None] * len(calls)
    missing: list[int] = []
    slots: dict[int, tuple[str, str | None]] = {}
    for i, args in enumerate(calls):
        key = canonical(fn, args, kwargs or {})
        mkey = cache_key(*key)
        if memo is not None and mkey in memo:
            out[i] = memo[mkey]
            continue
        slots[i] = (mkey, None if pending else cache_key(_version(key, memo), *key))
    # One round trip for every part's cache read (twenty with Redis otherwise).
    hits = cache.get_many([ckey for _m, ckey in slots.values() if ckey]) if slots else {}
    for i, (mkey, ckey) in slots.items():
        hit = hits.get(ckey) if ckey else None
        if hit is not None:
            out[i] = hit
            if memo is not None:
                memo[mkey] = hit
        else:
            missing.append(i)
    if missing:
        for i, value in zip(missing, compute_missing(missing), strict=True):
            out[i] = value
            mkey, ckey = slots[i]
            if memo is not None:
                memo[mkey] = value
            if ckey is not None and value is not None:
                cache.set(ckey, value, TIMEOUT)
    return out

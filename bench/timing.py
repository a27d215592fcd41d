"""Small timing helpers: repeated runs, percentiles."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def best_of(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    """Median time of `runs` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result

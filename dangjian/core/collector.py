"""Python's cyclic garbage collector paused for one large batch computation.

A county report keeps a few million small objects alive while it works (the dues grid, the
year's roster, the attendance walks, then the document's cells), and each full pass of the
cyclic collector walks all of them: about one second of a county report's eight of CPU
(bench step `report`); a 30,000-row roster import likewise (1.5–1.9 s of 10 s, members/roster_*). Reference counting still frees everything at once; only cycles wait
(until a later full collection), and the peak memory measured the same with the collector
paused.

    with collector.paused():
        report = build_report(root, year)

Process-wide (the collector has no per-thread switch): the block that paused it switches it
back on, so a nested or concurrent block never leaves it off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Context manager or decorator: no cycle collection inside."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():
                # Everything allocated meanwhile is still in the youngest generation, and the
                # next young pass would walk it all (0.3 s at county scale). freeze + unfreeze
                # moves it to the oldest generation without a pass; a full collection later
                # still finds any cycle in it. Skipped if someone froze objects on purpose.
                gc.freeze()
                gc.unfreeze()
            gc.enable()

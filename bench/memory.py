"""Peak resident memory per step, in this process.

Linux lets a process reset its own high-water mark (write "5" to /proc/self/clear_refs), so
each step's peak is measured on its own; elsewhere we fall back to getrusage (a running max).
"""

from __future__ import annotations

import contextlib
import resource
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        _CLEAR.write_text("5")


def peak_mb() -> float:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

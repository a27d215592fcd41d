"""The read contract of 诚信信号 for other apps (dashboard, report)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SignalSummary:
    open: int  # awaiting a person (待核实 / 核实中)
    total: int
    by_kind: dict[str, int]  # open signals by kind label

"""What one recorded 发展 step carries; each stage's handler reads it and may fill in the
default decision text and the responsible people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dangjian.members.models import Member


@dataclass
class StepInput:
    on: date
    decision: str = ""
    responsible: str = ""
    contacts: str = ""
    introducers: tuple[Member | None, Member | None] = (None, None)
    training_days: Decimal | None = None
    training_hours: Decimal | None = None
    vote_agree: int | None = None
    vote_entitled: int | None = None
    vote_present: int | None = None
    approval_special: bool = False

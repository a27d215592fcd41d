"""Django choices built from an enumeration of dangjian.rules, so each list is defined once
(in rules/) and the models, forms and pages all take it from there."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


def text_choices(name: str, enum: type[StrEnum], module: str) -> type[models.TextChoices]:
    """A TextChoices with the enum's member names and values (the value is the Chinese label)."""
    return models.TextChoices(name, [(m.name, (m.value, m.value)) for m in enum], module=module)

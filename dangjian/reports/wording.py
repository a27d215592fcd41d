"""Small wording helpers for reports: numbers as the genre writes them, lists of names."""

from __future__ import annotations

from decimal import Decimal

PERIODS = {"month": "每月", "quarter": "每季度", "half": "每半年", "half_year": "每半年", "year": "每年"}


def num(value) -> str:
    """5.08 → "5.08", Decimal("7590.00") → "7590", 26987 → "26987" (no separators, as the genre)."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(str(round(value, 2)))
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def money(value) -> str:
    if value is None:
        return ""
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{d:.2f}".rstrip("0").rstrip(".") if d == d.to_integral_value() else f"{d:.2f}"


def pct(rate) -> str:
    if rate is None:
        return ""
    p = round(float(rate) * 100, 1)
    if p >= 100 and float(rate) < 1:
        p = 99.9  # never round a shortfall up to 100%
    return f"{int(p)}%" if p == int(p) else f"{p}%"


def names(items, limit: int | None = None) -> str:
    items = [str(i) for i in items if i]
    if limit and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}个"
    return "、".join(items)


def period(code) -> str:
    return PERIODS.get(str(code), str(code or ""))


def sentence(parts: list[str], lead: str = "", sep: str = "，") -> str:
    parts = [p for p in parts if p]
    if not parts:
        return ""
    return lead + sep.join(parts) + "。"


ORG_ENDINGS = ("支部", "总支", "党委", "党组", "小组", "区委", "县委")


def org_label(name) -> str:
    """A branch named by its short name ("东街") reads "东街党支部"; full names stay."""
    name = str(name or "")
    return name if name.endswith(ORG_ENDINGS) else f"{name}党支部"


def branch_list(items, limit: int | None = 10) -> str:
    """ "A党支部、B党支部" or, beyond `limit`, "A党支部、…等40个党支部"."""
    labels = [org_label(i) for i in items if i]
    if limit and len(labels) > limit:
        return "、".join(labels[:limit]) + f"等{len(labels)}个党支部"
    return "、".join(labels)

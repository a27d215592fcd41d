"""Typed readers for the local settings of rules. Every key is declared once, with its type and
its default taken from dangjian.rules, in core.settings_registry; these helpers only convert.
docs/RULES.md lists every key, its default and its source.
"""

from __future__ import annotations

from decimal import Decimal

from dangjian.core.settings_registry import setting
from dangjian.rules import membership


def get(key: str):
    """The declared setting (core.settings_registry, the one declaration of every local setting)."""
    return setting(key)


def art9_warning_months() -> int:
    return int(get("ART9_WARNING_MONTHS"))


def art9_level(gap_months: int) -> membership.Art9Level | None:
    """党章第九条提醒等级，组织生活与党费共用（同一阈值、同一预警设置）。"""
    return membership.art9_status(gap_months, warning=art9_warning_months())


def study_hours_per_year() -> Decimal:
    return Decimal(str(get("STUDY_HOURS_PER_YEAR")))


def backpay_months() -> int:
    return int(get("DUES_BACKPAY_MONTHS"))


def prepay_months() -> int:
    return int(get("DUES_PREPAY_MONTHS"))


def farmer_amount_default() -> Decimal:
    return Decimal(str(get("DUES_FARMER_AMOUNT")))


def mobile_contact_months() -> int:
    return int(get("MOBILE_CONTACT_MONTHS"))


def founded_mid_period_owes() -> bool:
    return bool(get("FOUNDED_MID_PERIOD_OWES"))


def base_midyear_change() -> bool:
    return bool(get("DUES_BASE_MIDYEAR_CHANGE"))

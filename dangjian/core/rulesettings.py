"""The one place where the local settings of rules are read (settings.DANGJIAN), each with its
default taken from dangjian.rules (issue 20: "each once in rules/ (or one declared setting)").

Nothing else reads these DANGJIAN keys or repeats their defaults: apps call the functions below.
docs/RULES.md lists every key, its default and its source.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from dangjian.rules import dues, membership, mobile, orglife, study

# key -> default (from rules/). A key missing from settings.DANGJIAN takes this value.
DEFAULTS: dict[str, object] = {
    # 党章第九条预警：党章没有规定预警月数（本地设置）。
    "ART9_WARNING_MONTHS": membership.ART9_WARNING_MONTHS,
    # 2019《党员教育管理工作条例》32 学时（集中学习培训）。
    "STUDY_HOURS_PER_YEAR": study.STUDY_HOURS_PER_YEAR,
    # 中组发〔2008〕3号：补交一般不超过6个月；预交为本地做法。
    "DUES_BACKPAY_MONTHS": dues.BACKPAY_MAX_MONTHS,
    "DUES_PREPAY_MONTHS": dues.PREPAY_MAX_MONTHS,
    # 农民党员每月 0.2–1 元由支部确定；支部未确定时的默认金额（本地设置）。
    "DUES_FARMER_AMOUNT": str(dues.FARMER_DEFAULT),
    # 与流动党员联系的间隔：条例对境内流动党员未规定间隔（本地设置）。
    "MOBILE_CONTACT_MONTHS": mobile.CONTACT_INTERVAL_MONTHS,
    # 年中成立的支部是否要补足成立当期（季度、年度）的要求（本地设置）。
    "FOUNDED_MID_PERIOD_OWES": orglife.FOUNDED_MID_PERIOD_OWES,
}


def get(key: str):
    if key not in DEFAULTS:
        raise KeyError(f"未声明的规则设置：{key}")
    return getattr(settings, "DANGJIAN", {}).get(key, DEFAULTS[key])


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

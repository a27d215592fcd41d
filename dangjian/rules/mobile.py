"""流动党员、失联党员 —— 2019 《党员教育管理工作条例》（RULES.md §8）；
《中国共产党不合格党员组织处置办法》(2024)（RULES.md §3）。"""

from __future__ import annotations

from datetime import date

from .dates import add_months

# 流出地党组织与流动党员的联系间隔：2019 《党员教育管理工作条例》只要求流出地“经常保持联系”，
# “至少每6个月联系一次”是对出国（境）党员的要求（RULES.md §8），不适用于境内流动党员（issue 20）。
# 因此这是本地设置 MOBILE_CONTACT_MONTHS，默认6个月（比照出国（境）党员的半年）。
CONTACT_INTERVAL_MONTHS = 6
CONTACT_INTERVAL_SOURCE = "本地设置：流出地党组织与流动党员的联系间隔，默认6个月（条例仅要求经常保持联系）"
# 外出6个月以上未转组织关系即为流动党员 —— 同上 (H)。
AWAY_MIN_MONTHS = 6
# 失联超过6个月、不满2年的，可作为限期改正的情形 —— 《不合格党员组织处置办法》(2024) (H)。
LOST_CONTACT_MIN_MONTHS = 6
LOST_CONTACT_MAX_YEARS = 2


def contact_overdue(
    last_contact: date | None,
    today: date,
    interval_months: int = CONTACT_INTERVAL_MONTHS,
) -> bool:
    """距上次联系已超过 interval_months 个月（从未联系也算超期）。interval_months 为本地设置。"""
    if last_contact is None:
        return True
    return today > add_months(last_contact, interval_months)


def lost_contact_status(lost_since: date, today: date) -> str | None:
    """失联时长提醒：None（不满6个月）、"超过六个月"、"超过两年"。只提醒，不处置。"""
    if today > add_months(lost_since, 12 * LOST_CONTACT_MAX_YEARS):
        return "超过两年"
    if today > add_months(lost_since, LOST_CONTACT_MIN_MONTHS):
        return "超过六个月"
    return None

"""流动党员、失联党员 —— 2019 《党员教育管理工作条例》（RULES.md §8）；
《中国共产党不合格党员组织处置办法》(2024)（RULES.md §3）。"""

from __future__ import annotations

from dataclasses import dataclass
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


DISPOSAL_SOURCE = "《中国共产党不合格党员组织处置办法》(2024)"


@dataclass(frozen=True)
class LostStatus:
    """失联党员的时长提醒。失联由支部登记（是否失联党员、失联日期，RULES.md §10）；系统只提醒，
    限期改正等处置由支委会提出、党员大会讨论、党委批准（RULES.md §3），从不自动处置。"""

    band: str  # "under_six_months" | "over_six_months" | "over_two_years"
    months: int  # 已失联的整月数
    label: str
    advice: str

    @property
    def alert(self) -> bool:
        return self.band != "under_six_months"


def lost_contact(lost_since: date, today: date) -> LostStatus:
    """失联满多久：超过6个月、不超过2年的，可作为限期改正的情形（《不合格党员组织处置办法》，
    RULES.md §3, H）；恰好满6个月当天还不算“超过”。超过2年的已不在该情形所列期限内，只提示研究处置。"""
    months = (today.year - lost_since.year) * 12 + today.month - lost_since.month
    if months > 0 and add_months(lost_since, months) > today:
        months -= 1  # full months only
    months = max(0, months)
    if today > add_months(lost_since, 12 * LOST_CONTACT_MAX_YEARS):
        return LostStatus(
            "over_two_years",
            months,
            "失联超过两年",
            f"已超出“失联超过6个月、不满2年”可限期改正的期限，请支部按{DISPOSAL_SOURCE}研究处置",
        )
    if today > add_months(lost_since, LOST_CONTACT_MIN_MONTHS):
        return LostStatus(
            "over_six_months",
            months,
            "失联超过六个月",
            f"可作为限期改正的情形（{DISPOSAL_SOURCE}）：由支委会提出意见并事先报基层党委，调查核实后提交党员大会讨论、党委批准",
        )
    return LostStatus("under_six_months", months, "失联未超过六个月", "继续多方查找、联系")


def lost_contact_status(lost_since: date, today: date) -> str | None:
    """失联时长提醒：None（不满6个月）、"超过六个月"、"超过两年"。只提醒，不处置。"""
    status = lost_contact(lost_since, today)
    return status.label[2:] if status.alert else None

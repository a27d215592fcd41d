"""组织生活（“三会一课”等）—— 《中国共产党支部工作条例（试行）》2018 Arts. 11–19。

最低频次见 RULES.md §1。置信度低于 H 的（党课频次，Art. 16, M）为设置项。
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from .dates import month_end
from .errors import RuleError

Period = Literal["month", "quarter", "year"]
PeriodTuple = tuple[str, date, date]

SOURCE = "《中国共产党支部工作条例（试行）》"


class ActivityKind(StrEnum):
    """组织生活类型（代码，label 为中文全称，short 为简称）。"""

    MEMBER_MEETING = "member_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    PARTY_LECTURE = "party_lecture"
    THEME_DAY = "theme_day"
    LIFE_MEETING = "life_meeting"
    APPRAISAL = "appraisal"
    HEART_TALK = "heart_talk"

    @property
    def short(self) -> str:
        return _SHORT[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_SHORT: dict[ActivityKind, str] = {
    ActivityKind.MEMBER_MEETING: "党员大会",
    ActivityKind.COMMITTEE_MEETING: "支委会",
    ActivityKind.GROUP_MEETING: "党小组会",
    ActivityKind.PARTY_LECTURE: "党课",
    ActivityKind.THEME_DAY: "主题党日",
    ActivityKind.LIFE_MEETING: "组织生活会",
    ActivityKind.APPRAISAL: "民主评议",
    ActivityKind.HEART_TALK: "谈心谈话",
}
_LABELS: dict[ActivityKind, str] = {
    ActivityKind.MEMBER_MEETING: "支部党员大会",
    ActivityKind.COMMITTEE_MEETING: "支部委员会会议",
    ActivityKind.GROUP_MEETING: "党小组会",
    ActivityKind.PARTY_LECTURE: "党课",
    ActivityKind.THEME_DAY: "主题党日",
    ActivityKind.LIFE_MEETING: "组织生活会",
    ActivityKind.APPRAISAL: "民主评议党员",
    ActivityKind.HEART_TALK: "谈心谈话",
}
# 供 Django choices 使用：代码 → 中文名称。
ACTIVITY_CHOICES: dict[str, str] = {k.value: k.label for k in ActivityKind}


def activity_kind(s: str) -> ActivityKind:
    """按代码、简称或全称查找活动类型。"""
    key = "".join(str(s or "").split())
    for kind in ActivityKind:
        if key in (kind.value, kind.short, kind.label):
            return kind
    raise RuleError(f"未知的组织生活类型：{s}")


@dataclass(frozen=True)
class Requirement:
    """某类组织生活的最低频次：每个 period 至少 minimum 次。"""

    kind: ActivityKind
    period: Period
    minimum: int
    article: str
    note: str = ""
    per_member: bool = False  # 按每名党员计（谈心谈话）
    only_with_groups: bool = False  # 仅设有党小组的支部
    is_setting: bool = False  # 置信度低于 H，属于可调整的设置


DEFAULT_REQUIREMENTS: list[Requirement] = [
    # 《中国共产党支部工作条例（试行）》2018 Art. 11 (H)：支部党员大会一般每季度1次。
    Requirement(
        ActivityKind.MEMBER_MEETING,
        "quarter",
        1,
        f"{SOURCE}第十一条",
        "一般每季度召开1次",
    ),
    # Art. 12 (H)：支委会一般每月1次，应有半数以上委员到会。
    Requirement(
        ActivityKind.COMMITTEE_MEETING,
        "month",
        1,
        f"{SOURCE}第十二条",
        "一般每月召开1次",
    ),
    # Art. 13 (H)：党小组会一般每月1次（设有党小组的支部）。
    Requirement(
        ActivityKind.GROUP_MEETING,
        "month",
        1,
        f"{SOURCE}第十三条",
        "一般每月召开1次，仅适用于设有党小组的支部",
        only_with_groups=True,
    ),
    # Art. 16 (M)：条例未规定支部党课频次，每季度1次为常见做法 → 设置项。
    Requirement(
        ActivityKind.PARTY_LECTURE,
        "quarter",
        1,
        f"{SOURCE}第十六条",
        "条例未规定支部党课频次，默认每季度1次（可调整）",
        is_setting=True,
    ),
    # Art. 16 (H)：每月相对固定1天开展主题党日。
    Requirement(ActivityKind.THEME_DAY, "month", 1, f"{SOURCE}第十六条", "每月相对固定1天"),
    # Art. 17 (H)：组织生活会一般每年至少1次，多在第四季度。
    Requirement(
        ActivityKind.LIFE_MEETING,
        "year",
        1,
        f"{SOURCE}第十七条",
        "每年至少1次，一般在第四季度",
    ),
    # Art. 18 (H)：民主评议党员一般每年1次，可与组织生活会结合。
    Requirement(
        ActivityKind.APPRAISAL,
        "year",
        1,
        f"{SOURCE}第十八条",
        "每年1次，可与组织生活会结合",
    ),
    # Art. 19 (H)：谈心谈话一般每年至少1次，组织生活会前也应开展。
    Requirement(
        ActivityKind.HEART_TALK,
        "year",
        1,
        f"{SOURCE}第十九条",
        "每名党员每年至少1次，召开组织生活会前应开展",
        per_member=True,
    ),
]


# 应到人员为全体党员的会议类型（党员大会、主题党日、党课、组织生活会、民主评议：Arts. 11、16–18）；
# 支委会只要求支委，党小组会只要求本组。唯一定义：meetings 的模型、表单页面和脚本都取这里。
WHOLE_BRANCH_KINDS: frozenset[ActivityKind] = frozenset(
    {
        ActivityKind.MEMBER_MEETING,
        ActivityKind.THEME_DAY,
        ActivityKind.PARTY_LECTURE,
        ActivityKind.LIFE_MEETING,
        ActivityKind.APPRAISAL,
    }
)


# 年中成立的支部是否“欠”成立当期（季度、年度：党员大会、组织生活会、民主评议等）：条例没有规定，
# 本地设置 FOUNDED_MID_PERIOD_OWES。默认 False：成立日期所在的周期不计为应开展（该周期内开了照样计入），
# 从成立后第一个完整周期起计。True 时成立当期也要求。
FOUNDED_MID_PERIOD_OWES = False


def period_owed(period_start: date, period_end: date, founded_on: date | None, *, mid_period_owes: bool) -> bool:
    """成立日期为 founded_on 的支部是否应在 [period_start, period_end] 这一周期开展。

    成立于周期第一天的，该周期完整，应开展；成立于周期最后一天或之前其他日子的，看设置。
    """
    if founded_on is None or founded_on <= period_start:
        return True
    if founded_on > period_end:
        return False
    return mid_period_owes


def committee_talk_pairs_missing(
    committee: Iterable[int], talked: dict[frozenset[int], int], minimum: int = 1
) -> list[tuple[int, int]]:
    """谈心谈话（第十九条）：党支部委员之间每年一般不少于1次（RULES.md §1, H）。committee 是支委的
    党员编号，talked 是 {frozenset({甲, 乙}): 该周期谈话次数}（谁找谁谈都算这一对）。返回未谈够的各对。"""
    ids = sorted(set(committee))
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if talked.get(frozenset((a, b)), 0) < minimum]


def committee_meeting_required(full_members: int, committee_members_besides_secretaries: int = 0) -> bool:
    """支委会会议（第十二条，每月）只要求设有支部委员会的支部。

    有正式党员7人以上的应设支委会（structure.committee_required，《支部工作条例》第二十条）；不足7人的
    支部只设书记（必要时设副书记），没有支委会，也就不要求每月支委会。不足7人却实际设有委员
    （组织委员、宣传委员等，书记、副书记之外）的，按其实际设立的支委会要求。
    """
    from .structure import committee_required

    return committee_required(full_members) or committee_members_besides_secretaries > 0


def _check_period(period: str) -> None:
    if period not in ("month", "quarter", "year"):
        raise RuleError(f"未知的周期：{period}，应为 month、quarter 或 year")


def periods_in_year(year: int, period: Period) -> list[PeriodTuple]:
    """某年的所有周期：(标签, 起始日, 结束日)，标签如“2023年1月”“2023年第1季度”“2023年”。"""
    _check_period(period)
    if period == "year":
        return [(f"{year}年", date(year, 1, 1), date(year, 12, 31))]
    if period == "quarter":
        return [(f"{year}年第{q}季度", date(year, 3 * q - 2, 1), month_end(year, 3 * q)) for q in range(1, 5)]
    return [(f"{year}年{m}月", date(year, m, 1), month_end(year, m)) for m in range(1, 13)]


def period_of(d: date, period: Period) -> PeriodTuple:
    """日期所在的周期。"""
    if isinstance(d, datetime):
        d = d.date()
    for item in periods_in_year(d.year, period):
        if item[1] <= d <= item[2]:
            return item
    raise AssertionError("unreachable")  # pragma: no cover


def periods_between(start: date, end: date, period: Period) -> list[PeriodTuple]:
    """与 [start, end] 有交集（全部或部分在内）的所有周期。"""
    if start > end:
        raise RuleError("起始日期不能晚于结束日期")
    result: list[PeriodTuple] = []
    current = period_of(start, period)
    while current[1] <= end:
        result.append(current)
        current = period_of(current[2] + timedelta(days=1), period)
    return result


def required_count(req: Requirement, start: date, end: date) -> int:
    """区间 [start, end] 内应开展的最少次数 = 涉及周期数 × 每周期最低次数。

    （按每名党员计的要求，如谈心谈话，还需乘以党员人数。）
    """
    return len(periods_between(start, end, req.period)) * req.minimum


def due_periods(year: int, period: Period, today: date) -> tuple[list[PeriodTuple], PeriodTuple | None]:
    """(已结束的周期, 当前周期)：已结束的周期计为“应开展”，当前周期为“进行中”。"""
    if isinstance(today, datetime):
        today = today.date()
    all_periods = periods_in_year(year, period)
    ended = [p for p in all_periods if p[2] < today]
    current = next((p for p in all_periods if p[1] <= today <= p[2]), None)
    return ended, current


def committee_quorum_ok(present: int, committee_size: int) -> bool:
    """支委会须有半数以上委员到会 —— 《中国共产党支部工作条例（试行）》2018 Art. 12 (H)。"""
    if committee_size <= 0 or present < 0 or present > committee_size:
        raise RuleError("到会人数或支委会人数不正确")
    return present * 2 > committee_size


def vote_quorum_ok(present_full_members: int, full_members: int) -> bool:
    """到会的有表决权党员须超过应到的有表决权党员（表决之日党籍正常的正式党员）的半数；
    恰好一半不够。预备党员没有表决权（党章第七条），停止党籍的党员不参加表决，均不计入。

    这是会议能否进行表决的检查：接收预备党员的表决见《中国共产党发展党员工作细则》
    （development.check_vote_present）；其他党员大会只在进行表决时适用，故只作提醒。
    """
    if full_members <= 0 or present_full_members < 0 or present_full_members > full_members:
        raise RuleError("到会正式党员人数或应到正式党员人数不正确")
    return present_full_members * 2 > full_members


# 补录阈值（天）：无法规依据，纯属本地设置，默认7天（RULES.md 未规定）。
LATE_ENTRY_DAYS = 7


def is_late_entry(meeting_date: date, entered_at_date: date | datetime, days: int = LATE_ENTRY_DAYS) -> bool:
    """会后超过 days 天才录入的视为“补录”（设置项，默认7天）。"""
    if isinstance(entered_at_date, datetime):
        entered_at_date = entered_at_date.date()
    if isinstance(meeting_date, datetime):
        meeting_date = meeting_date.date()
    return (entered_at_date - meeting_date).days > days

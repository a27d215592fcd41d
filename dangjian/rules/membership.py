"""党员身份与统计 —— 党章 Arts. 7 and 9；统计口径见 RULES.md §10。"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from .dates import YearMonth, add_months, months_range
from .errors import RuleError

# 预备期一年 —— 党章 Art. 7 (H)。
PROBATION_MONTHS = 12
# 延长预备期不少于半年、最长不超过一年 —— 党章 Art. 7 (H)。
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
# 年满十八岁 —— 党章 Art. 1（RULES.md 未收录该条；另见 RULES.md §6：Applicant ≥ 18 years old, H）。
MIN_JOIN_AGE = 18

MEMBER_CATEGORIES: tuple[str, ...] = ("正式党员", "预备党员")

# 年龄段 —— RULES.md §10 Annual statistics breakdowns (H)。
AGE_BANDS: list[str] = [
    "30岁及以下",
    "31-35岁",
    "36-40岁",
    "41-45岁",
    "46-50岁",
    "51-55岁",
    "56-60岁",
    "61岁及以上",
]
# 学历（由高到低）—— RULES.md §10 (education 大专及以上)。
EDUCATION_LEVELS: list[str] = [
    "研究生",
    "大学本科",
    "大学专科",
    "中专",
    "高中",
    "初中及以下",
]
_EDU_ALIASES: dict[str, str] = {
    "博士": "研究生",
    "博士研究生": "研究生",
    "硕士": "研究生",
    "硕士研究生": "研究生",
    "本科": "大学本科",
    "大专": "大学专科",
    "专科": "大学专科",
    "中技": "中专",
    "技校": "中专",
    "职高": "中专",
    "初中": "初中及以下",
    "小学": "初中及以下",
    "文盲": "初中及以下",
}
# 职业 —— RULES.md §10 occupation (H)。
OCCUPATIONS: list[str] = [
    "工人",
    "农牧渔民",
    "专业技术人员",
    "管理人员",
    "党政机关工作人员",
    "学生",
    "其他职业",
    "离退休人员",
]

# 连续六个月不参加组织生活、不交党费或不做所分配的工作 → 视为自行脱党 —— 党章 Art. 9 (H)。
# 组织生活与党费共用这一个阈值和下面这一个等级枚举（meetings、dues 都从这里导入）。
ART9_MONTHS = 6
# 提前预警的月数：党章没有规定，属本地设置 DANGJIAN["ART9_WARNING_MONTHS"]
# （dangjian.core.rulesettings 读取），此处为默认值。
ART9_WARNING_MONTHS = 4

# 停止党籍 —— 对与党组织失去联系、查找不到的党员，党组织可以停止其党籍（2019《中国共产党党员
# 教育管理工作条例》关于失联党员的规定；RULES.md §10 党籍状态 正常/停止党籍；置信度 M）。
# 停止党籍期间党员不参加组织生活、不交纳党费、不参加表决（规则见 rules.orglife /
# rules.lifecycle 的应到人数），所以各项年度数字（党员人数、组织生活应到和落实率、学习人数、
# 应缴党费、积分）都不把这期间的他们算作党员。名册里仍保留，恢复党籍后重新计入。
SUSPENDED_COUNTED_IN_FIGURES = False


class Art9Level(StrEnum):
    """党章 Art. 9 提醒等级（只提醒，不作任何处置）。"""

    WARNING = "预警"
    OVER = "达到六个月"

    @property
    def is_over(self) -> bool:
        return self is Art9Level.OVER

    @property
    def is_warning(self) -> bool:
        return self is Art9Level.WARNING


# 历次党章的预备期（候补期）—— 用于核对老党员档案的转正日期（issue 20）。RULES.md 只收录现行党章，
# 以下分段依据历次《中国共产党章程》文本本身（置信度 M），不引条款序号：
# - 1956年9月（八大党章）以前入党：1945年党章的“候补期”按社会成分为半年至两年不等，无法由入党日期推算；
# - 1969年4月（九大党章）至1977年8月（十一大党章）之间入党：1969、1973年党章没有预备期，
#   入党即为正式党员，转正日期可与入党日期相同；
# - 其余时期：预备期一年（现行党章第七条）。
CANDIDATE_ERA_END = date(1956, 9, 26)  # 八大通过新党章之日
NO_PROBATION_START = date(1969, 4, 14)  # 九大通过新党章之日
NO_PROBATION_END = date(1977, 8, 18)  # 十一大通过新党章之日（恢复一年预备期）


class ProbationEra(StrEnum):
    CANDIDATE = "候补期"  # 1945年党章
    NONE = "无预备期"  # 1969、1973年党章
    ONE_YEAR = "预备期一年"


def probation_era(joined: date) -> ProbationEra:
    """入党日期所适用的党章对预备期（候补期）的规定。"""
    if joined < CANDIDATE_ERA_END:
        return ProbationEra.CANDIDATE
    if NO_PROBATION_START <= joined < NO_PROBATION_END:
        return ProbationEra.NONE
    return ProbationEra.ONE_YEAR


def probation_end(accepted: date, extension_months: int = 0) -> date:
    """预备期满之日：支部大会通过之日起一年；可延长 6–12 个月 —— 党章 Art. 7 (H)。"""
    if extension_months != 0 and not (EXTENSION_MIN_MONTHS <= extension_months <= EXTENSION_MAX_MONTHS):
        raise RuleError("延长预备期不能少于半年，最长不超过一年（党章第七条）")
    return add_months(accepted, PROBATION_MONTHS + extension_months)


def age_on(birth: date, d: date) -> int:
    """到 d 日的周岁。"""
    years = d.year - birth.year
    if (d.month, d.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_band(age: int) -> str:
    """年龄所属的统计年龄段（AGE_BANDS 之一）。"""
    if age <= 30:
        return AGE_BANDS[0]
    if age >= 61:
        return AGE_BANDS[-1]
    return AGE_BANDS[(age - 31) // 5 + 1]


def normalize_education(edu: str) -> str:
    """把学历名称或常见写法统一为 EDUCATION_LEVELS 之一。"""
    key = "".join(str(edu or "").split())
    if key in EDUCATION_LEVELS:
        return key
    if key in _EDU_ALIASES:
        return _EDU_ALIASES[key]
    raise RuleError(f"未知的学历：{edu}，应为 {'、'.join(EDUCATION_LEVELS)} 之一")


def is_college_or_above(edu: str) -> bool:
    """大学专科及以上（统计“大专及以上”）。"""
    return EDUCATION_LEVELS.index(normalize_education(edu)) <= EDUCATION_LEVELS.index("大学专科")


def _streaks(
    months_attended: Iterable[YearMonth],
    start: YearMonth,
    end: YearMonth,
    excused_months: Iterable[YearMonth],
) -> list[int]:
    """逐月计算截至该月的连续未参加月数。

    有正当理由（请假等）的月份不计为“无正当理由”，视同中断连续计数 —— 党章 Art. 9
    要求的是“没有正当理由，连续六个月”。
    """
    ok = set(months_attended) | set(excused_months)
    streaks: list[int] = []
    run = 0
    for ym in months_range(start, end):
        run = 0 if ym in ok else run + 1
        streaks.append(run)
    return streaks


def longest_gap_months(
    months_attended: set[YearMonth],
    start: YearMonth,
    end: YearMonth,
    excused_months: set[YearMonth] | frozenset[YearMonth] = frozenset(),
) -> int:
    """[start, end] 内最长的连续无正当理由未参加（或未交纳）月数。"""
    return max(_streaks(months_attended, start, end, excused_months), default=0)


def current_gap_months(
    months_attended: set[YearMonth],
    start: YearMonth,
    end: YearMonth,
    excused_months: set[YearMonth] | frozenset[YearMonth] = frozenset(),
) -> int:
    """截至 end（含）的连续无正当理由未参加月数。"""
    streaks = _streaks(months_attended, start, end, excused_months)
    return streaks[-1] if streaks else 0


def art9_status(
    gap_months: int,
    *,
    threshold: int = ART9_MONTHS,
    warning: int = ART9_WARNING_MONTHS,
) -> Art9Level | None:
    """党章 Art. 9 (H) 提醒：None、Art9Level.WARNING 或 Art9Level.OVER。只提醒，不作任何处置。"""
    if not 1 <= warning <= threshold:
        raise RuleError(f"预警月数应在1至{threshold}之间")
    if gap_months >= threshold:
        return Art9Level.OVER
    if gap_months >= warning:
        return Art9Level.WARNING
    return None


def validate_member_dates(
    birth: date | None,
    joined: date | None,
    full_on: date | None,
    category: str,
    extension_months: int = 0,
) -> list[str]:
    """检查党员档案中日期之间的一致性，返回中文问题列表（空列表表示无问题）。

    - 出生日期 < 入党日期 < 转正日期；
    - 入党时年满十八岁（党章第一条）；
    - 转正日期为入党一年后（党章第七条）；延长预备期的，在延长期内；按入党时的党章分时期处理：
      1969年4月至1977年8月入党的没有预备期（转正日期可与入党日期相同），1956年9月以前入党的
      候补期长短不一（只检查转正晚于入党）—— 见 probation_era；
    - 预备党员没有转正日期，正式党员必须有转正日期。
    """
    problems: list[str] = []
    if category not in MEMBER_CATEGORIES:
        problems.append(f"人员类别应为正式党员或预备党员，当前为“{category}”")
    if birth and joined:
        if birth >= joined:
            problems.append("出生日期应早于入党日期")
        elif age_on(birth, joined) < MIN_JOIN_AGE:
            problems.append("入党时未满十八岁（党章第一条）")
    era = probation_era(joined) if joined else ProbationEra.ONE_YEAR
    if joined and full_on and (full_on < joined if era == ProbationEra.NONE else full_on <= joined):
        problems.append("转正日期应晚于入党日期" if era != ProbationEra.NONE else "转正日期不应早于入党日期")
    if category == "预备党员" and full_on:
        problems.append("预备党员不应有转正日期")
    if category == "正式党员" and not full_on:
        problems.append("正式党员应填写转正日期")
    if joined and full_on and full_on > joined and category != "预备党员" and era == ProbationEra.ONE_YEAR:
        if extension_months and not (EXTENSION_MIN_MONTHS <= extension_months <= EXTENSION_MAX_MONTHS):
            problems.append("延长预备期不能少于半年，最长不超过一年（党章第七条）")
        else:
            earliest = probation_end(joined)
            latest = probation_end(joined, extension_months)
            if extension_months == 0 and full_on != earliest:
                problems.append(
                    f"转正日期应为入党一年后（{earliest:%Y-%m-%d}），如延长了预备期请填写延长月数（党章第七条）"
                )
            elif not earliest <= full_on <= latest:
                problems.append(
                    f"转正日期应在{earliest:%Y-%m-%d}至{latest:%Y-%m-%d}之间（预备期一年，延长不超过一年，党章第七条）"
                )
    return problems


def attendance_gap_runs(
    ok_months: set[YearMonth],
    missed_months: set[YearMonth],
    start: YearMonth,
    end: YearMonth,
) -> tuple[int, int]:
    """(最长, 当前) 连续“无正当理由未参加组织生活”的月数 —— 党章 Art. 9 (H)。

    ok_months：本人参加（含流动党员参加流入地组织生活）或请假（有正当理由）的月份，
    中断连续计数；missed_months：组织了组织生活而本人无故缺席的月份，延长连续计数；
    两者都不在的月份（当月没有安排本人参加的组织生活），既不中断也不延长——
    未开会不是党员本人的原因。ok 优先于 missed（同月既有出席又有缺席的，算参加）。
    """
    longest = run = 0
    for ym in months_range(start, end):
        if ym in ok_months:
            run = 0
        elif ym in missed_months:
            run += 1
            longest = max(longest, run)
    return longest, run

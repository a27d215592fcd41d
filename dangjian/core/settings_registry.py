"""Every local setting declared once: its type, its default and the rule it changes.

Localities differ (RULES.md): a value set in ``settings.DANGJIAN`` overrides the default
here. Read a setting only through `setting(name)`; an unknown name is a programming error
(KeyError), a value of the wrong type is converted or refused at the first read.

    from dangjian.core.settings_registry import setting
    setting("STUDY_HOURS_PER_YEAR")      # 32, or the local value

The table is printed by ``manage.py shell -c "from dangjian.core.settings_registry import
describe; print(describe())"`` and documented in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dangjian.rules import dues, membership, mobile, orglife, study


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: object
    rule: str  # what it changes, and where the rule comes from


_ALL = [
    # 组织生活
    Setting("LATE_ENTRY_DAYS", int, 7, "会议记录在会后超过此天数录入即标为“补录”，须写明原因"),
    Setting("MINUTES_MIN_CHARS", int, 60, "会议记录少于此字数时提示（诚信信号“记录过短”同用）"),
    # 换届
    Setting(
        "TERM_WARNING_MONTHS", int, 6, "任期届满前此月数起提示换届（《中国共产党支部工作条例（试行）》第二十一条）"
    ),
    Setting("TERM_YEARS_BY_TYPE", dict, None, "按组织类型覆盖任期年数（默认：基层党委5年、总支/支部3年）"),
    Setting("TERM_YEARS_BY_CATEGORY", dict, None, "按组织类别覆盖任期年数（默认：村、社区5年）"),
    # 学习
    Setting(
        "STUDY_HOURS_PER_YEAR",
        int,
        study.STUDY_HOURS_PER_YEAR,
        "党员每年学习培训学时要求（2019年《党员教育管理工作条例》）",
    ),
    # 党费
    Setting("DUES_BASE_MIDYEAR_CHANGE", bool, dues.BASE_MIDYEAR_CHANGE, dues.BASE_CHANGE_SOURCE),
    Setting("DUES_ROUNDING", str, "ROUND_HALF_UP", "党费计算的舍入方式（Decimal 舍入常量名）"),
    Setting("DUES_FARMER_AMOUNT", Decimal, dues.FARMER_DEFAULT, "农民党员每月党费默认金额（元，可按支部设置）"),
    Setting("DUES_BACKPAY_MONTHS", int, dues.BACKPAY_MAX_MONTHS, "补交党费最多可补的月数"),
    Setting("DUES_PREPAY_MONTHS", int, dues.PREPAY_MAX_MONTHS, "预交党费最多可预交的月数"),
    # 积分、任务
    Setting("POINTS_RANKING", bool, False, "是否启用党员积分排名（默认不排名，避免形式主义）"),
    Setting("STALLED_TASK_DAYS", int, 30, "“三抓三促”任务超过此天数没有进展报告即为“停滞”"),
    # 发展与流动
    Setting("PROBATION_REMIND_DAYS", int, 60, "预备期满前此天数起提醒办理转正"),
    Setting("TRANSFER_LETTER_VALID_DAYS", int, 30, "组织关系介绍信默认有效天数（本地做法）"),
    # 诚信信号（integrity.detectors 的阈值）
    Setting("NEAR_DUP_THRESHOLD", float, 0.5, "会议记录、心得雷同的相似度阈值（MinHash 估计的 Jaccard 相似度）"),
    Setting("SAME_ATTENDANCE_MIN_EXPECTED", int, 8, "“出席名单雷同”只看应到人数不少于此数的会议"),
    Setting("SAME_ATTENDANCE_MIN_REPEATS", int, 3, "“出席名单雷同”：同一名单至少重复出现的次数"),
    Setting("SAME_ATTENDANCE_MAX_CHANCE", float, 0.01, "“出席名单雷同”：偶然出现的概率低于此值才提示"),
    Setting("LATE_BATCH_MIN", int, 5, "“集中补录”：一次补录的会议至少此数"),
    Setting("LATE_BATCH_DAYS", int, 30, "“集中补录”：在此天数内集中录入"),
    Setting("YEAR_END_SHARE", float, 0.7, "“年底突击”：全年会议中在年底集中召开的比例达到此值"),
    Setting("MOBILE_FULL_MIN_MEETINGS", int, 8, "“流动党员全勤”：至少此数的会议"),
    Setting("MOBILE_FULL_MIN_MEMBERS", int, 3, "“流动党员全勤”：至少此数的流动党员"),
    Setting("PHOTO_MAX_DISTANCE", int, 6, "“照片重复使用”：感知哈希距离不大于此值视为同一张照片"),
    Setting(
        "NEAR_DUP_CONTAINMENT",
        float,
        0.6,
        "雷同文本：较短一篇的内容有此比例出现在另一篇中即提示（见 docs/INTEGRITY.md）",
    ),
    Setting("PUBLISHED_CONTAINMENT", float, 0.5, "“照抄已发布材料”：记录中有此比例来自同一份已发布材料即提示"),
    Setting("QUARTER_SITTING_HOURS", int, 3, "“一次录完一个季度”：在此小时数内录入"),
    Setting("QUARTER_SITTING_MIN", int, 3, "“一次录完一个季度”：至少此数的会议"),
    Setting("SIGNIN_BURST_SECONDS", int, 20, "集中签到：在此秒数内的扫码签到算作一批"),
    Setting("SIGNIN_DEVICE_MIN", int, 3, "同一部手机为此数以上的党员签到即提示"),
    Setting("SIGNIN_ADDRESS_MIN", int, 6, "同一地址在短时间内有此数以上的签到即提示"),
    # 规则的本地设置（默认值取自 dangjian.rules，见 docs/RULES.md；类型化读取见 core/rulesettings.py）
    Setting(
        "ART9_WARNING_MONTHS",
        int,
        membership.ART9_WARNING_MONTHS,
        "党章第九条提前预警的月数（党章未规定，本地设置）",
    ),
    Setting(
        "MOBILE_CONTACT_MONTHS",
        int,
        mobile.CONTACT_INTERVAL_MONTHS,
        "与流动党员联系的间隔月数（条例对境内流动党员未规定间隔，本地设置）",
    ),
    Setting(
        "FOUNDED_MID_PERIOD_OWES",
        bool,
        orglife.FOUNDED_MID_PERIOD_OWES,
        "年中成立的支部是否要补足成立当期（季度、年度）的要求（本地设置）",
    ),
]
SETTINGS: dict[str, Setting] = {s.name: s for s in _ALL}


def _convert(s: Setting, value):
    if value is None or isinstance(value, s.type) and not (s.type is int and isinstance(value, bool)):
        return value
    try:
        if s.type is bool:
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if s.type is Decimal:
            return Decimal(str(value))
        return s.type(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValueError(f"设置 {s.name} 的值 {value!r} 不是{s.type.__name__}") from exc


def setting(name: str):
    """The value of a declared setting: settings.DANGJIAN[name] if set there, else the default."""
    from django.conf import settings

    s = SETTINGS[name]
    local = getattr(settings, "DANGJIAN", {})
    return _convert(s, local[name]) if name in local else s.default


def describe() -> str:
    return "\n".join(f"{s.name}\t{s.type.__name__}\t{s.default!r}\t{s.rule}" for s in _ALL)

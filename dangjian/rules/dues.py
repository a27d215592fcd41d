"""党费计算 —— 中组发〔2008〕3号 《关于中国共产党党费收缴、使用和管理的规定》。

出处见 RULES.md §5：One flat rate applies to the whole monthly base (not
progressive). (H)
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from .errors import RuleError

CENT = Decimal("0.01")


class DuesCategory(StrEnum):
    """党费类别（顺序即展示顺序）—— 中组发〔2008〕3号（RULES.md §5）。唯一定义：党员名册
    （members.DuesCategory）和党费基数（dues.Category）都由此生成。"""

    EMPLOYED = "在职"
    RETIRED = "离退休"
    FARMER = "农民"
    STUDENT = "学生"
    UNEMPLOYED = "下岗失业"
    WELFARE = "低保"
    RELIEF = "救济/抚恤"


DUES_CATEGORIES: list[str] = [c.value for c in DuesCategory]

_ALIASES: dict[str, str] = {
    "在职": "在职",
    "在职党员": "在职",
    "离退休": "离退休",
    "退休": "离退休",
    "离休": "离退休",
    "离退休党员": "离退休",
    "农民": "农民",
    "农民党员": "农民",
    "学生": "学生",
    "学生党员": "学生",
    "下岗失业": "下岗失业",
    "下岗": "下岗失业",
    "失业": "下岗失业",
    "低保": "低保",
    "低保/救济": "低保",  # 旧名册把两类合为一项（金额相同，0.2元）；迁移 members 0004 已改为“低保”
    "救济/抚恤": "救济/抚恤",
    "救济": "救济/抚恤",
    "抚恤": "救济/抚恤",
    "救济抚恤": "救济/抚恤",
}

# 补交一般不超过6个月 —— 中组发〔2008〕3号（RULES.md §5, H/M）。设置项 DUES_BACKPAY_MONTHS 的默认值，
# 由 dues.services 的补交检查使用（唯一定义）。
BACKPAY_MAX_MONTHS = 6
# 预交：各地做法不一，常见不超过6个月（RULES.md §5, M）—— 本地设置 DUES_PREPAY_MONTHS 的默认值。
PREPAY_MAX_MONTHS = 6
# 一次性自愿交纳党费 1000 元以上全额上缴中央 —— 中组发〔2008〕3号（RULES.md §5, H）。
LARGE_VOLUNTARY_THRESHOLD = Decimal(1000)

# 年内调整基数：中组发〔2008〕3号未作规定；常见做法是每年核定一次、年内不变，也有从工资变动当月
# 起调整的（RULES.md §5, M）—— 本地设置 DUES_BASE_MIDYEAR_CHANGE 的默认值：不调整（按年核定）。
BASE_MIDYEAR_CHANGE = False
BASE_CHANGE_SOURCE = "本地设置：年内是否按变动月份调整党费基数（中组发〔2008〕3号未规定；默认每年核定一次）"

# 农民党员每月 0.2 至 1 元 —— 中组发〔2008〕3号（RULES.md §5, H）。
FARMER_MIN = Decimal("0.20")
FARMER_MAX = Decimal("1.00")
# 支部尚未确定农民党员金额时的默认值（本地设置 DUES_FARMER_AMOUNT，唯一定义）。
FARMER_DEFAULT = Decimal("0.50")
# 在职、离退休党员按基数比例交纳：基数须大于0（基数为0即永不交纳，issue 20）。
BASE_REQUIRED_CATEGORIES: tuple[str, ...] = (DuesCategory.EMPLOYED, DuesCategory.RETIRED)
# 学生、下岗失业、依靠抚恤或救济、领取低保的党员每月 0.2 元 —— 同上。
FIXED_LOW_AMOUNT = Decimal("0.20")

# (上限(含), 比例)；上限 None 表示以上。在职 —— 中组发〔2008〕3号（RULES.md §5, H）。
SALARIED_BRACKETS: list[tuple[Decimal | None, Decimal]] = [
    (Decimal(3000), Decimal("0.005")),
    (Decimal(5000), Decimal("0.01")),
    (Decimal(10000), Decimal("0.015")),
    (None, Decimal("0.02")),
]
# 离退休（以实际领取的离退休费为基数） —— 中组发〔2008〕3号（RULES.md §5, H）。
RETIRED_BRACKETS: list[tuple[Decimal | None, Decimal]] = [
    (Decimal(5000), Decimal("0.005")),
    (None, Decimal("0.01")),
]


def normalize_category(s: str) -> str:
    """把类别名称或别名统一为 DUES_CATEGORIES 中的规范名称。"""
    key = "".join(str(s or "").split())
    if key in _ALIASES:
        return _ALIASES[key]
    raise RuleError(f"未知的党费类别：{s}，应为 {'、'.join(DUES_CATEGORIES)} 之一")


def _to_decimal(value: Decimal | str | float, what: str) -> Decimal:
    try:
        if isinstance(value, float):
            value = str(value)
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("，", "")
        result = Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise RuleError(f"{what}不是有效的金额：{value}") from None
    if not result.is_finite():
        raise RuleError(f"{what}不是有效的金额：{value}")
    return result


def check_base(category: str, base: Decimal | int | str | None) -> None:
    """在职、离退休党员须有大于0的月交纳基数（中组发〔2008〕3号按基数比例交纳；基数为0即永不交纳）。"""
    cat = normalize_category(category)
    if cat not in BASE_REQUIRED_CATEGORIES:
        return
    if base is None or base == "":
        raise RuleError(f"{cat}党员计算党费需要月交纳基数")
    if _to_decimal(base, "党费基数") <= 0:
        raise RuleError(
            f"{cat}党员的月交纳基数应大于0（中组发〔2008〕3号：按基数比例交纳）；确有困难的请办理少交或免交"
        )


def dues_rate(category: str, base: Decimal | int | str | None) -> Decimal:
    """在职或离退休党员适用的比例（整个基数适用同一比例，不分段累进）。"""
    cat = normalize_category(category)
    if cat == DuesCategory.EMPLOYED:
        brackets = SALARIED_BRACKETS
    elif cat == DuesCategory.RETIRED:
        brackets = RETIRED_BRACKETS
    else:
        raise RuleError(f"{cat}党员按固定金额交纳党费，不按比例")
    if base is None or base == "":
        raise RuleError(f"{cat}党员计算党费需要月交纳基数")
    amount = _to_decimal(base, "党费基数")
    if amount < 0:
        raise RuleError("党费基数不能为负数")
    for upper, rate in brackets:
        if upper is None or amount <= upper:
            return rate
    raise AssertionError("unreachable")  # pragma: no cover


def monthly_dues(
    category: str,
    base: Decimal | int | str | None = None,
    *,
    farmer_amount: Decimal = FARMER_DEFAULT,
    rounding: str = ROUND_HALF_UP,
) -> Decimal:
    """每月应交党费（元，保留到分）—— 中组发〔2008〕3号。

    - 在职：≤3000 元 0.5%；3000–5000 元 1%；5000–10000 元 1.5%；>10000 元 2%。
    - 离退休：≤5000 元 0.5%；>5000 元 1%。
    - 农民：farmer_amount（支部确定，须在 0.2–1 元之间）。
    - 学生、下岗失业、低保、救济/抚恤：0.2 元。
    舍入方式无中央规定，默认四舍五入到分（设置项）。
    """
    cat = normalize_category(category)
    if base is not None and base != "" and _to_decimal(base, "党费基数") < 0:
        raise RuleError("党费基数不能为负数")
    if cat in BASE_REQUIRED_CATEGORIES:
        rate = dues_rate(cat, base)
        assert base is not None
        return (_to_decimal(base, "党费基数") * rate).quantize(CENT, rounding=rounding)
    if cat == DuesCategory.FARMER:
        amount = _to_decimal(farmer_amount, "农民党员党费标准")
        if not FARMER_MIN <= amount <= FARMER_MAX:
            raise RuleError("农民党员每月交纳党费应在0.2元至1元之间")
        return amount.quantize(CENT, rounding=rounding)
    return FIXED_LOW_AMOUNT


# 冲红（作废一笔交纳）：党内法规没有专门条文；这是财务的红字冲销做法 —— 原收据保留、注明作废原因，
# 收据号不重用，另行登记（参照财政部《会计基础工作规范》的红字更正做法：已入账的错误凭证以红字冲销
# 后重新填制；本地做法，非党内法规）。
VOID_REASON_MIN_CHARS = 2


def void_refusal(*, reason: str, already_voided: bool) -> str | None:
    """冲红的前提：写明原因；同一笔交纳只冲红一次。返回拒绝理由（中文），可以冲红时返回 None。"""
    if already_voided:
        return "这笔交纳已经冲红，不能重复冲红。"
    if len("".join(str(reason or "").split())) < VOID_REASON_MIN_CHARS:
        return f"请写明冲红原因（至少{VOID_REASON_MIN_CHARS}个字），例如“金额录错”“重复登记”。"
    return None


def amount_in_month(month: int, year_amount: Decimal, changes: list[tuple[int, Decimal]]) -> Decimal:
    """一个月的应交金额：年度金额，或该月及以前最近一次年内调整后的金额（自调整月份起生效，
    此前各月仍按原基数，不追溯重算）。changes 为 (自哪月起, 调整后金额)。"""
    amount = year_amount
    for from_month, changed in sorted(changes):
        if from_month <= month:
            amount = changed
    return amount

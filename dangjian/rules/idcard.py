"""公民身份号码（GB 11643-1999）：规范化、校验、脱敏与生成。

出处：RULES.md §10 —— 公民身份号码: 18 characters, GB 11643-1999: 6-digit area
code, 8-digit birth date, 3-digit sequence (odd = male, even = female),
ISO 7064 MOD 11-2 check character (0–9 or X).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from operator import mul

from .dates import to_halfwidth
from .errors import RuleError

# ISO 7064 MOD 11-2：第 i 位（从左起 0）权重为 2^(17-i) mod 11。
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"


_SPACE = re.compile(r"\s+")


def normalize_id(s: str) -> str:
    """去掉所有空白（含全角空格），全角转半角，小写 x 转为 X。"""
    if s and len(s) == 18 and s.isascii() and s.isalnum():  # 已是规范写法（导入时绝大多数）：无空白、无全角
        return s.upper()
    return _SPACE.sub("", to_halfwidth(s or "")).upper()


def checksum_char(first17: str) -> str:
    """按 ISO 7064 MOD 11-2 计算第18位校验码（GB 11643-1999）。"""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise RuleError("计算校验位需要前17位数字")
    total = sum(map(mul, map(int, first17), _WEIGHTS))  # len(first17) == 17 == len(_WEIGHTS)
    return _CHECK_CHARS[total % 11]


def _birth(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RuleError(f"公民身份号码中的出生日期无效：{number[6:14]}") from None


def validate_id(s: str, *, today: date | None = None) -> None:
    """校验公民身份号码（GB 11643-1999），不合格时抛出 RuleError。"""
    problem = _id_problem(normalize_id(s), today or date.today())
    if problem:
        raise RuleError(problem)


@lru_cache(maxsize=65536)
def _id_problem(number: str, today: date) -> str:
    """validate_id 的检查本身，返回问题说明（合格时为空）。导入一行会从几处校验同一号码（解析、
    出生日期、性别），结果按号码和日期缓存，每个号码只算一次。"""
    if len(number) != 18:
        return f"公民身份号码应为18位，当前为{len(number)}位"
    if not (number[:17].isdigit() and number[:17].isascii()) or not (number[17] == "X" or number[17] in "0123456789"):
        return "公民身份号码只能包含数字，最后一位可以是数字或X"
    try:
        birth = _birth(number)
    except RuleError as exc:
        return exc.message
    if birth > today or birth.year < 1900:
        return f"公民身份号码中的出生日期无效：{number[6:14]}"
    if number[17] != checksum_char(number[:17]):
        return "公民身份号码校验位不对，请核对身份证原件"
    return ""


def is_valid_id(s: str) -> bool:
    """validate_id 的布尔版本。"""
    try:
        validate_id(s)
    except RuleError:
        return False
    return True


def birth_date_from_id(s: str) -> date:
    """从身份号码第7–14位取出生日期（先做完整校验）。"""
    validate_id(s)
    return _birth(normalize_id(s))


def sex_from_id(s: str) -> str:
    """第17位（顺序码末位）奇数为男、偶数为女（GB 11643-1999）。"""
    validate_id(s)
    return _sex(normalize_id(s))


def _sex(number: str) -> str:
    """已校验的规范号码中的性别（不再校验）。"""
    return "男" if int(number[16]) % 2 == 1 else "女"


def mask_id(s: str, *, keep_check: bool = True) -> str:
    """脱敏：只保留前6位行政区划码（和第18位校验码），如 620102***********X。

    出生日期（第7-14位）和顺序码（第15-17位）一律遮住：出生日期常与号码并列显示，
    旧的"前6后4"遮法遮住的恰好就是出生日期，两者一拼就是完整号码。
    """
    number = normalize_id(s)
    n = len(number)
    if n == 18:
        return number[:6] + "*" * 11 + (number[-1] if keep_check else "*")
    if n >= 11:  # 15位旧号码没有校验码
        return number[:6] + "*" * (n - 6)
    return "*" * n


def mask_phone(s: str) -> str:
    """脱敏：保留前3位和后4位，如 138****5678；过短的号码只保留后2位。"""
    phone = re.sub(r"[\s\-()（）]+", "", to_halfwidth(s or ""))
    n = len(phone)
    if n >= 8:
        return phone[:3] + "*" * (n - 7) + phone[-4:]
    if n > 2:
        return "*" * (n - 2) + phone[-2:]
    return "*" * n


def make_id(area6: str, birth: date, seq3: int) -> str:
    """生成一个校验正确的（虚构）身份号码：顺序码奇数为男、偶数为女。"""
    if len(area6) != 6 or not area6.isdigit() or not area6.isascii():
        raise RuleError("地区码应为6位数字")
    if not 0 <= seq3 <= 999:
        raise RuleError("顺序码应在0至999之间")
    first17 = f"{area6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + checksum_char(first17)

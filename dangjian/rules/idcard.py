"""公民身份号码（GB 11643-1999）：规范化、校验、脱敏与生成。

出处：RULES.md §10 —— 公民身份号码: 18 characters, GB 11643-1999: 6-digit area
code, 8-digit birth date, 3-digit sequence (odd = male, even = female),
ISO 7064 MOD 11-2 check character (0–9 or X).
"""

from __future__ import annotations

import re
from datetime import date

from .dates import to_halfwidth
from .errors import RuleError

# ISO 7064 MOD 11-2：第 i 位（从左起 0）权重为 2^(17-i) mod 11。
_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_CHECK_CHARS = "10X98765432"


def normalize_id(s: str) -> str:
    """去掉所有空白（含全角空格），全角转半角，小写 x 转为 X。"""
    return re.sub(r"\s+", "", to_halfwidth(s or "")).upper()


def checksum_char(first17: str) -> str:
    """按 ISO 7064 MOD 11-2 计算第18位校验码（GB 11643-1999）。"""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise RuleError("计算校验位需要前17位数字")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _birth(number: str) -> date:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise RuleError(f"公民身份号码中的出生日期无效：{number[6:14]}") from None


def validate_id(s: str, *, today: date | None = None) -> None:
    """校验公民身份号码（GB 11643-1999），不合格时抛出 RuleError。"""
    number = normalize_id(s)
    if len(number) != 18:
        raise RuleError(f"公民身份号码应为18位，当前为{len(number)}位")
    if not (number[:17].isdigit() and number[:17].isascii()) or not (number[17] == "X" or number[17] in "0123456789"):
        raise RuleError("公民身份号码只能包含数字，最后一位可以是数字或X")
    birth = _birth(number)
    if birth > (today or date.today()) or birth.year < 1900:
        raise RuleError(f"公民身份号码中的出生日期无效：{number[6:14]}")
    expected = checksum_char(number[:17])
    if number[17] != expected:
        raise RuleError("公民身份号码校验位不对，请核对身份证原件")


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
    return "男" if int(normalize_id(s)[16]) % 2 == 1 else "女"


def mask_id(s: str) -> str:
    """脱敏：保留前6位和后4位，如 620102********123X。"""
    number = normalize_id(s)
    n = len(number)
    if n >= 11:
        return number[:6] + "*" * (n - 10) + number[-4:]
    if n > 4:
        return "*" * (n - 4) + number[-4:]
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

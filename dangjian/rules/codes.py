"""National code values for the member record (issue 15): the one table used by the roster
import (a code is accepted) and by `export_roster --layout national` (the code is written).

Sources, as named in the issue that asked for them. None of these standards is in
/work/shared/domain/ (RULES.md §10 lists the fields, not their codes), so the tables below
are NOT checked against a copy of the standard; docs/RULES.md says the same.

- 性别: GB/T 2261.1《个人基本信息分类与代码 第1部分：人的性别代码》— 1 男, 2 女.
- 民族: GB/T 3304《中国各民族名称的罗马字母拼写法和代码》— 01 汉族 … 56 基诺族 in the
  standard's order, 97 其他未识别民族, 98 外国血统中国籍人士.
- 学历: GB/T 4658-2006《学历代码》— two digits, the first is the level (10 研究生, 11 博士研究生,
  14 硕士研究生, 20 大学本科, 30 大学专科, 40 中等专业学校, 60 普通高级中学, 70 初级中学, 80 小学,
  90 其他). A code inside a level (21 大学本科毕业, 31 大学专科毕业 …) is read by its first digit,
  as the national statistics count 结业/肄业 at their level.
- 人员类别: no code book in this repository defines a code for 正式党员/预备党员, so the
  export writes the text. The import keeps accepting 1/2 (正式/预备) as it did before; that
  reading is NOT verified against the national system.

The project keeps 学历 at six levels (members.models.Education), so the export writes the
level code: 研究生 → 10, 大学本科 → 20, 大学专科 → 30, 中专 → 40, 高中 → 60, 初中及以下 → 70
(初中及以下 also holds 小学 and 其他, which the roster does not tell apart).
"""

from __future__ import annotations

import re

SEX_CODES: dict[str, str] = {"1": "男", "2": "女"}

_ETHNICITIES = [
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
]
ETHNICITY_CODES: dict[str, str] = {f"{i:02d}": f"{n}族" for i, n in enumerate(_ETHNICITIES, start=1)}
ETHNICITY_CODES |= {"97": "其他未识别民族", "98": "外国血统中国籍人士"}

# Level codes of GB/T 4658-2006 (the first digit) and the project's level each falls in.
EDUCATION_LEVEL_CODES: dict[str, str] = {
    "10": "研究生",
    "20": "大学本科",
    "30": "大学专科",
    "40": "中等专业学校",
    "60": "普通高级中学",
    "70": "初级中学",
    "80": "小学",
    "90": "其他",
}
EDUCATION_BY_FIRST_DIGIT: dict[str, str] = {
    "1": "研究生",
    "2": "大学本科",
    "3": "大学专科",
    "4": "中专",
    "6": "高中",
    "7": "初中及以下",
    "8": "初中及以下",
    "9": "初中及以下",
}
# The code written for each of the project's levels (members.models.Education).
EDUCATION_EXPORT_CODES: dict[str, str] = {
    "研究生": "10",
    "大学本科": "20",
    "大学专科": "30",
    "中专": "40",
    "高中": "60",
    "初中及以下": "70",
}

KIND_CODES: dict[str, str] = {"1": "正式党员", "2": "预备党员"}  # accepted on import only (see above)

_CODE = re.compile(r"^(\d{1,2})(?:[\s:：.、\-]*(.*))?$")


def decode(field: str, text: str) -> str:
    """A code value (01, 21, “01汉族”, “21 大学本科毕业”, 性别 1/2) → the text the importer
    knows; anything else comes back as it was (the importer then checks it as text)."""
    s = "".join(str(text or "").split())
    m = _CODE.match(s)
    if not m:
        return text
    code, rest = m.group(1), m.group(2) or ""
    if field == "ethnicity":
        name = ETHNICITY_CODES.get(code.zfill(2))
        return name if name and (not rest or rest.rstrip("族") == name.rstrip("族")) else text
    if field == "education" and len(code) == 2:
        return EDUCATION_BY_FIRST_DIGIT.get(code[0], text)
    if field == "sex" and not rest:
        return SEX_CODES.get(code, text)
    if field == "kind" and not rest:
        return KIND_CODES.get(code, text)
    return text


def encode(field: str, value: str) -> str | None:
    """The national code for a stored value, or None when there is none (the caller writes
    the text and says so: a value is never changed silently)."""
    value = str(value or "")
    if field == "sex":
        return {v: k for k, v in SEX_CODES.items()}.get(value)
    if field == "ethnicity":
        for code, name in ETHNICITY_CODES.items():
            if name == value:
                return code
        return None
    if field == "education":
        return EDUCATION_EXPORT_CODES.get(value)
    return None


CODED_FIELDS = ("sex", "ethnicity", "education")  # written as codes by the national export

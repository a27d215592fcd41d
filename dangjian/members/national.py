"""The column layout of the 全国党员管理信息系统 member record (RULES.md §10, the national
information collection) and the code values a national export may carry, so a roster moves
between the two systems without typing anything twice (issue 15).

Codes: 民族 by GB/T 3304 (中国各民族名称的罗马字母拼写法和代码), 学历 by GB/T 4658 (学历代码;
the first digit is the level; 结业/肄业 are counted at the level of the code as the national
statistics do). 人员类别 1/2 (正式党员/预备党员): NOT verified against the national system's
code book; the text values 正式党员/预备党员 are always accepted.
"""

from __future__ import annotations

import re

# (field, header) in the order of the national member record (RULES.md §10).
NATIONAL_LAYOUT: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("sex", "性别"),
    ("id_number", "公民身份号码"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("education", "学历"),
    ("kind", "人员类别"),
    ("branch", "所在党支部"),
    ("joined_on", "入党日期"),
    ("full_on", "转为正式党员日期"),
    ("job", "工作岗位"),
    ("phone", "联系电话"),
    ("address", "家庭住址"),
    ("standing", "党籍状态"),
    ("is_lost", "是否失联党员"),
    ("lost_on", "失联日期"),
    ("is_mobile", "是否流动党员"),
    ("mobile_destination", "外出流向"),
]

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
ETHNICITY_CODES |= {"97": "其他", "98": "外国血统中国籍人士"}

# GB/T 4658 first digit → the project's levels (members.models.Education).
EDUCATION_BY_FIRST_DIGIT = {"1": "研究生", "2": "大学本科", "3": "大学专科", "4": "中专", "6": "高中", "7": "初中及以下",
                            "8": "初中及以下", "9": "初中及以下"}  # fmt: skip
KIND_CODES = {"1": "正式党员", "2": "预备党员"}

_CODE = re.compile(r"^(\d{1,2})(?:[\s:：.、\-]*(.*))?$")


def decode(field: str, text: str) -> str:
    """A code value (01, 21, “01汉族”, “21 大学本科毕业”) → the text the importer knows; other text as is."""
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
    if field == "kind" and not rest:
        return KIND_CODES.get(code, text)
    return text


def encode_ethnicity(name: str) -> str:
    """汉族 → 01 (for systems that want the code)."""
    for code, n in ETHNICITY_CODES.items():
        if n == name:
            return code
    return ""

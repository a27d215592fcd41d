"""The column layout of the 全国党员管理信息系统 member record (RULES.md §10, the national
information collection) and the code values a national export may carry, so a roster moves
between the two systems without typing anything twice (issue 15).

The code values (性别, 民族, 学历; 人员类别 on import only) and their sources: rules.codes.
"""

from __future__ import annotations

# The code tables live once in rules.codes (used by the import and by the national export).
from dangjian.rules.codes import (
    EDUCATION_BY_FIRST_DIGIT,
    ETHNICITY_CODES,
    KIND_CODES,
    SEX_CODES,
    decode,
    encode,
)

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

__all__ = [
    "EDUCATION_BY_FIRST_DIGIT",
    "ETHNICITY_CODES",
    "KIND_CODES",
    "NATIONAL_LAYOUT",
    "SEX_CODES",
    "decode",
    "encode",
    "encode_ethnicity",
]


def encode_ethnicity(name: str) -> str:
    """汉族 → 01 (for systems that want the code)."""
    return encode("ethnicity", name) or ""

"""组织设置 —— RULES.md §7：Arts. 4–5 与 Art. 20（§7 未注明文件名，按上下文为
《中国共产党支部工作条例（试行）》2018）。
"""

from __future__ import annotations

from enum import StrEnum

from .errors import RuleError

# 有正式党员3人以上的单位应成立支部；不足3人的可组成联合支部（不超过5个单位）—— Arts. 4–5 (H)。
BRANCH_MIN_FULL_MEMBERS = 3
JOINT_BRANCH_MAX_UNITS = 5
# 支部党员一般不超过50人 —— Arts. 4–5 (H)。
BRANCH_MAX_MEMBERS = 50
# 党员超过50人可设总支；100人以上经批准可设基层党委 —— RULES.md §7 (H)。
GENERAL_BRANCH_OVER_MEMBERS = 50
PRIMARY_COMMITTEE_MIN_MEMBERS = 100
# 正式党员7人以上设支委会，委员3–5人，一般不超过7人 —— Art. 20 (H)。
COMMITTEE_MIN_FULL_MEMBERS = 7
COMMITTEE_MIN_SIZE = 3
COMMITTEE_MAX_SIZE = 5
COMMITTEE_ABSOLUTE_MAX_SIZE = 7


class PostKind(StrEnum):
    """职务 —— Art. 20 (H)；党小组组长见 Art. 13。唯一定义：orgs.Post.Kind 由此生成。"""

    SECRETARY = "书记"
    DEPUTY = "副书记"
    ORGANIZATION = "组织委员"
    PROPAGANDA = "宣传委员"
    DISCIPLINE = "纪检委员"
    GROUP_LEADER = "党小组组长"
    MEMBER = "委员"


# 支委会成员的职务（党小组组长不是支委）：quorum, 支委会 attendees, talks among 支委.
COMMITTEE_POSTS: tuple[str, ...] = tuple(k.value for k in PostKind if k is not PostKind.GROUP_LEADER)
# 书记、副书记之外的委员（决定是否设有支委会，orglife.committee_meeting_required）。
COMMITTEE_OTHER_POSTS: tuple[str, ...] = tuple(
    k for k in COMMITTEE_POSTS if k not in (PostKind.SECRETARY, PostKind.DEPUTY)
)
# Codes accepted on import (english code → label).
POSTS: dict[str, str] = {k.name.lower(): k.value for k in PostKind}
ORG_TYPES: dict[str, str] = {
    "county_committee": "区县委",
    "primary_committee": "基层党委",
    "general_branch": "党总支",
    "branch": "党支部",
    "joint_branch": "联合党支部",
    "group": "党小组",
}
ORG_CATEGORIES: dict[str, str] = {
    "organ": "机关",
    "community": "社区",
    "village": "村",
    "private_enterprise": "非公企业",
    "social_org": "社会组织",
    "other": "其他",
}


def _code(mapping: dict[str, str], value: str, what: str) -> str:
    key = "".join(str(value or "").split())
    if key in mapping:
        return key
    for code, label in mapping.items():
        if key == label:
            return code
    raise RuleError(f"未知的{what}：{value}，应为 {'、'.join(mapping.values())} 之一")


def org_type_code(value: str) -> str:
    """组织类型代码（接受代码或中文名称）。"""
    return _code(ORG_TYPES, value, "组织类型")


def org_category_code(value: str) -> str:
    """组织类别代码（接受代码或中文名称）。"""
    return _code(ORG_CATEGORIES, value, "组织类别")


def post_code(value: str) -> str:
    """职务代码（接受代码或中文名称）。"""
    return _code(POSTS, value, "职务")


def committee_required(full_members: int) -> bool:
    """有正式党员7人以上的党支部，应当设立党支部委员会；不足7人的只设书记（必要时设副书记）
    —— 《中国共产党支部工作条例（试行）》第二十条（RULES.md §7, H；原文在第六章）。

    用于组织生活合规：没有支委会的支部不要求每月支委会（orglife.committee_meeting_required）。
    """
    return full_members >= COMMITTEE_MIN_FULL_MEMBERS


COMMITTEE_SOURCE = "《中国共产党支部工作条例（试行）》第二十条"

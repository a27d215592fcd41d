"""党员量化积分（默认规则，可由各支部调整）。

依据 RULES.md §11：2023-12 《关于防治"指尖上的形式主义"的若干意见》—— no forced
check-ins, no points or rankings for logins or time online；积分只奖励实质性行为
（参加组织生活、学习、服务、交纳党费）。分值本身为本地做法（L），均为设置项。
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from .errors import RuleError

Source = Literal["derived", "manual"]

FORMALISM_MESSAGE = "积分规则不得以登录、在线时长、点赞等为依据（《关于防治“指尖上的形式主义”的若干意见》2023）"
# 禁止作为积分依据的行为（英文标识按词匹配，中文按子串匹配）。
FORBIDDEN_BASES: frozenset[str] = frozenset(
    {
        "login",
        "logins",
        "logon",
        "signin",
        "online",
        "online_time",
        "time_online",
        "screen_time",
        "duration",
        "click",
        "clicks",
        "like",
        "likes",
        "checkin",
        "check_in",
        "browse",
        "browsing",
        "pageview",
        "pageviews",
        "visit",
        "visits",
    }
)
FORBIDDEN_WORDS: tuple[str, ...] = (
    "登录",
    "登陆",
    "在线",
    "时长",
    "点赞",
    "打卡",
    "浏览",
    "点击",
)


@dataclass(frozen=True)
class PointItem:
    """一条积分规则：每 per 个单位计 points 分，全年合计不超过 cap_per_year（绝对值）。"""

    code: str
    label: str
    points: int
    cap_per_year: int | None = None
    source: Source = "derived"  # derived = 由台账自动得出；manual = 支部手工录入
    per: int = 1
    basis: str = ""
    is_base: bool = False  # 基础分，每年计一次


DEFAULT_RULESET: list[PointItem] = [
    PointItem("base", "基础分", 60, None, "derived", basis="每年基础分", is_base=True),
    PointItem("attend", "参加组织生活", 2, 24, "derived", basis="会议签到记录（每次）"),
    PointItem("leave", "请假", 0, None, "derived", basis="请假记录（每次）"),
    PointItem("absent", "无故缺席", -3, None, "derived", basis="无故缺席记录（每次）"),
    PointItem("dues_on_time", "按时交纳党费", 1, 12, "derived", basis="党费台账（每月）"),
    PointItem("dues_arrears", "欠缴党费", -2, None, "derived", basis="党费台账（每月）"),
    PointItem("study", "学习", 1, 10, "derived", per=4, basis="学习学时（每4学时）"),
    PointItem("volunteer", "志愿服务", 2, 10, "manual", basis="志愿服务（每次）"),
    PointItem("honor", "荣誉表彰", 5, 10, "manual", basis="获得表彰（每项）"),
    PointItem("pioneer", "先锋作用", 3, 9, "manual", basis="支部认定（每次）"),
    PointItem("violation", "违纪违规", -10, None, "manual", basis="支部认定（每次）"),
]


def validate_rule(item: PointItem) -> None:
    """积分规则不得以登录、在线时长、点赞、打卡、浏览等为依据，否则抛出 RuleError。"""
    tokens: set[str] = set()
    for text in (item.code, item.label, item.basis):
        lowered = text.lower()
        tokens.add(lowered)
        tokens.update(t for t in re.split(r"[^a-z0-9]+", lowered) if t)
        tokens.update(re.findall(r"[a-z]+_[a-z]+", lowered))
        if any(word in text for word in FORBIDDEN_WORDS):
            raise RuleError(FORMALISM_MESSAGE)
    if tokens & FORBIDDEN_BASES:
        raise RuleError(FORMALISM_MESSAGE)
    if item.per <= 0:
        raise RuleError(f"积分规则“{item.label}”的计分单位必须为正数")
    if item.cap_per_year is not None and item.cap_per_year < 0:
        raise RuleError(f"积分规则“{item.label}”的年度上限不能为负数")


@dataclass(frozen=True)
class PointLine:
    item: PointItem
    count: int | Decimal
    points: int


@lru_cache(maxsize=4096)
def _validated(item: PointItem) -> bool:
    """validate_rule once per rule, not once per member (a county has tens of thousands)."""
    validate_rule(item)
    return True


def compute_points(ruleset: Iterable[PointItem], facts: Mapping[str, int | Decimal]) -> tuple[list[PointLine], int]:
    """按规则计算积分：返回 (每条规则的 (item, count, points) 明细, 总分)。

    facts 为 {规则代码: 次数/月数/学时}；基础分不需要提供。封顶按年度绝对值处理。
    """
    items = list(ruleset)
    codes = {item.code for item in items}
    unknown = set(facts) - codes
    if unknown:
        raise RuleError(f"未知的积分项目：{'、'.join(sorted(unknown))}")
    lines: list[PointLine] = []
    for item in items:
        _validated(item)
        count = 1 if item.is_base else facts.get(item.code, 0)
        if count < 0:
            raise RuleError(f"“{item.label}”的数量不能为负数")
        points = int(count // item.per) * item.points
        if item.cap_per_year is not None:
            points = max(-item.cap_per_year, min(item.cap_per_year, points))
        lines.append(PointLine(item, count, points))
    return lines, sum(line.points for line in lines)

from dataclasses import replace

import pytest

from dangjian.rules.errors import RuleError
from dangjian.rules.points import DEFAULT_RULESET, FORBIDDEN_BASES, PointItem, compute_points, validate_rule


def by_code(code):
    return next(i for i in DEFAULT_RULESET if i.code == code)


def test_default_ruleset_values():
    table = {i.code: (i.points, i.cap_per_year, i.source) for i in DEFAULT_RULESET}
    assert table["base"] == (60, None, "derived")
    assert table["attend"] == (2, 24, "derived")
    assert table["leave"] == (0, None, "derived")
    assert table["absent"] == (-3, None, "derived")
    assert table["dues_on_time"] == (1, 12, "derived")
    assert table["dues_arrears"] == (-2, None, "derived")
    assert table["study"] == (1, 10, "derived") and by_code("study").per == 4
    assert table["volunteer"] == (2, 10, "manual")
    assert table["honor"] == (5, 10, "manual")
    assert table["pioneer"] == (3, 9, "manual")
    assert table["violation"] == (-10, None, "manual")
    for item in DEFAULT_RULESET:
        validate_rule(item)


def test_compute_base_only():
    lines, total = compute_points(DEFAULT_RULESET, {})
    assert total == 60
    assert len(lines) == len(DEFAULT_RULESET)


def test_compute_with_caps():
    facts = {
        "attend": 15,  # 30 → cap 24
        "leave": 2,
        "absent": 1,  # -3
        "dues_on_time": 11,  # 11
        "dues_arrears": 1,  # -2
        "study": 41,  # 10 → cap 10
        "volunteer": 3,  # 6
        "honor": 3,  # 15 → 10
        "pioneer": 4,  # 12 → 9
        "violation": 0,
    }
    lines, total = compute_points(DEFAULT_RULESET, facts)
    got = {line.item.code: line.points for line in lines}
    assert got == {
        "base": 60,
        "attend": 24,
        "leave": 0,
        "absent": -3,
        "dues_on_time": 11,
        "dues_arrears": -2,
        "study": 10,
        "volunteer": 6,
        "honor": 10,
        "pioneer": 9,
        "violation": 0,
    }
    assert total == sum(got.values()) == 125


def test_study_per_four_hours():
    _, total = compute_points([by_code("study")], {"study": 7})
    assert total == 1
    _, total = compute_points([by_code("study")], {"study": 8})
    assert total == 2


def test_compute_errors():
    with pytest.raises(RuleError, match="未知的积分项目"):
        compute_points(DEFAULT_RULESET, {"logins": 3})
    with pytest.raises(RuleError, match="不能为负数"):
        compute_points(DEFAULT_RULESET, {"attend": -1})


@pytest.mark.parametrize(
    "item",
    [
        PointItem("login", "登录", 1),
        PointItem("daily_login", "每日", 1),
        PointItem("online_time", "学习", 1),
        PointItem("x", "在线学习", 1),
        PointItem("x", "学习时长", 1),
        PointItem("x", "点赞", 1),
        PointItem("x", "每日打卡", 1),
        PointItem("x", "浏览文章", 1),
        PointItem("x", "文章", 1, basis="likes"),
        PointItem("Clicks", "文章", 1),
        PointItem("checkin", "签到", 1),
    ],
)
def test_forbidden_bases(item):
    with pytest.raises(RuleError) as exc:
        validate_rule(item)
    assert "指尖上的形式主义" in str(exc.value)
    with pytest.raises(RuleError):
        compute_points([item], {})


def test_allowed_words_not_caught():
    validate_rule(PointItem("review_meeting", "参加评议", 1))
    validate_rule(replace(by_code("attend"), label="参加组织生活（含线上会议）"))
    assert {"login", "online_time", "click", "like"} <= FORBIDDEN_BASES


def test_invalid_per():
    with pytest.raises(RuleError):
        validate_rule(PointItem("x", "学习", 1, per=0))

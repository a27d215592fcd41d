"""The one date parser (dangjian.core.dates): dates as people type them."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.dates import parse_date
from dangjian.rules.dates import format_cn_date
from dangjian.rules.errors import RuleError

TODAY = date(2026, 12, 1)


def p(v, **kw):
    return parse_date(v, today=TODAY, **kw)


@pytest.mark.parametrize(
    "text",
    [
        "2019年7月1日",
        "2019年07月01日",
        "2019年7月1号",
        "2019.07.01",
        "2019.7.1",
        "2019-7-1",
        "2019/07/01",
        "2019/7/1",
        "20190701",
        " 2019 年 7 月 1 日 ",
        "２０１９年７月１日",
        "２０１９－０７－０１",
        "2019-07-01 00:00:00",
        "2019-07-01T08:30",
        "\u30002019.07.01\u3000",
        20190701,
        20190701.0,
        date(2019, 7, 1),
        datetime(2019, 7, 1, 12, 30),
        43647,
        43647.75,
        Decimal("43647"),
    ],
)
def test_full_dates(text):
    d = p(text)
    assert d.date == date(2019, 7, 1) and d.precision == "day" and type(d.date) is date


@pytest.mark.parametrize(
    "value", ["2019年7月", "2019-07", "2019.07", "2019/7", "201907", "２０１９年７月", 2019.07, 201907, "2019.7"]
)
def test_month_only_is_kept_as_a_month(value):
    d = p(value)
    assert d.date == date(2019, 7, 1) and d.month_only and d.text == "2019年7月"


def test_number_like_1968_03_is_year_month_never_a_serial():
    assert p(1968.03).date == date(1968, 3, 1)
    assert p(2019.05).date == date(2019, 5, 1)
    assert p(1968.12).date == date(1968, 12, 1)
    assert p(19680305).date == date(1968, 3, 5)  # the template's own 填写说明 allows it


def test_ambiguous_october():
    with pytest.raises(RuleError, match="1月还是10月"):
        p(1968.1)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2027-01-01", "晚于今天"),
        (2027.01, "晚于今天"),
        ("1920-05-01", "早于1921年"),
        (100, "早于1921年"),  # a serial that lands in 1900
        (7000, "早于1921年"),
        (1968, "只有年份"),
        ("1968", "只有年份"),
        ("2019年13月1日", "月份13不存在"),
        ("2019-02-30", "这一天不存在"),
        ("abc", "无法识别"),
        ("7/1/2019", "无法识别"),
        ("", "不能为空"),
        (None, "不能为空"),
        (True, "无法识别"),
        (-5, "无法识别"),
        (float("nan"), "无法识别"),
    ],
)
def test_refusals_say_why(value, reason):
    with pytest.raises(RuleError, match=reason):
        p(value)


def test_future_allowed_when_asked():
    assert parse_date("2027-01-01", today=TODAY, allow_future=True).date == date(2027, 1, 1)


@given(st.dates(min_value=date(1921, 1, 1), max_value=TODAY))
def test_roundtrip(d):
    assert p(format_cn_date(d)).date == d
    assert p(d.strftime("%Y%m%d")).date == d
    assert p(int(d.strftime("%Y%m%d"))).date == d
    assert p(d.isoformat()).date == d
    assert p((d - date(1899, 12, 30)).days).date == d


@given(st.one_of(st.text(max_size=30), st.floats(allow_nan=True), st.integers(), st.none()))
def test_anything_is_a_date_or_a_chinese_reason(v):
    try:
        d = p(v)
    except RuleError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
        # no Python value leaks into the message (unless the cell itself said so)
        typed = str(v) if isinstance(v, str) else ""
        assert ("None" not in exc.message or "None" in typed) and ("True" not in exc.message or "True" in typed)
    else:
        assert date(1921, 1, 1) <= d.date <= TODAY

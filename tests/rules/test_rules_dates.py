from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.dates import add_months, format_cn_date, months_range, parse_cn_date, ym_add
from dangjian.rules.errors import RuleError


@pytest.mark.parametrize(
    "text",
    [
        "2019年7月1日",
        "2019年07月01日",
        "2019年7月1号",
        "2019年7月1",
        "2019.07.01",
        "2019.7.1",
        "2019-7-1",
        "2019-07-01",
        "2019/07/01",
        "2019/7/1",
        "20190701",
        " 2019 年 7 月 1 日 ",
        "２０１９年７月１日",
        "２０１９－０７－０１",
        "2019-07-01 00:00:00",
        "2019-07-01T08:30",
        "\u30002019.07.01\u3000",
    ],
)
def test_full_dates(text):
    assert parse_cn_date(text) == date(2019, 7, 1)


@pytest.mark.parametrize("text", ["2019年7月", "2019-07", "2019-7", "2019.07", "2019/7", "201907", "２０１９年７月"])
def test_month_only_gives_first(text):
    assert parse_cn_date(text) == date(2019, 7, 1)


def test_objects():
    assert parse_cn_date(date(2019, 7, 1)) == date(2019, 7, 1)
    assert parse_cn_date(datetime(2019, 7, 1, 12, 30)) == date(2019, 7, 1)
    assert type(parse_cn_date(datetime(2019, 7, 1))) is date


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (43647, date(2019, 7, 1)),
        (43647.75, date(2019, 7, 1)),
        (Decimal("43647"), date(2019, 7, 1)),
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (36526, date(2000, 1, 1)),
        (45292, date(2024, 1, 1)),
    ],
)
def test_excel_serials(serial, expected):
    assert parse_cn_date(serial) == expected


def test_int_yyyymmdd():
    assert parse_cn_date(20190701) == date(2019, 7, 1)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "2019年13月1日",
        "2019-02-30",
        "2019-07-01-02",
        "2019-07/01",
        "7/1/2019",
        0,
        60,
        -5,
        None,
        True,
        [],
        "2019",
    ],
)
def test_invalid(value):
    with pytest.raises(RuleError, match="无法识别的日期"):
        parse_cn_date(value)


def test_format():
    assert format_cn_date(date(2023, 7, 1)) == "2023年7月1日"
    assert format_cn_date(date(2023, 12, 31)) == "2023年12月31日"


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_roundtrip(d):
    assert parse_cn_date(format_cn_date(d)) == d
    assert parse_cn_date(d.strftime("%Y%m%d")) == d
    assert parse_cn_date(d.isoformat()) == d
    assert parse_cn_date((d - date(1899, 12, 30)).days) == d


def test_add_months():
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 15), 3) == date(2024, 2, 15)
    assert add_months(date(2023, 3, 31), -1) == date(2023, 2, 28)


def test_month_helpers():
    assert ym_add((2023, 12), 1) == (2024, 1)
    assert ym_add((2023, 1), -1) == (2022, 12)
    assert months_range((2023, 11), (2024, 2)) == [(2023, 11), (2023, 12), (2024, 1), (2024, 2)]
    with pytest.raises(RuleError):
        months_range((2024, 2), (2023, 11))
    with pytest.raises(RuleError):
        months_range((2024, 13), (2025, 1))

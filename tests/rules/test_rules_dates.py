from datetime import date

import pytest

from dangjian.rules.dates import add_months, format_cn_date, months_range, ym_add
from dangjian.rules.errors import RuleError


def test_format():
    assert format_cn_date(date(2023, 7, 1)) == "2023年7月1日"
    assert format_cn_date(date(2023, 12, 31)) == "2023年12月31日"


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

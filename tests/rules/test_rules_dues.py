from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.dues import (
    BACKPAY_MAX_MONTHS,
    DUES_CATEGORIES,
    LARGE_VOLUNTARY_THRESHOLD,
    dues_rate,
    monthly_dues,
    normalize_category,
)
from dangjian.rules.errors import RuleError


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("1000", "5.00"),
        ("3000", "15.00"),
        ("3000.01", "30.00"),
        ("4000", "40.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("8000", "120.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
        ("20000", "400.00"),
    ],
)
def test_salaried_brackets(base, expected):
    assert monthly_dues("在职", base) == Decimal(expected)
    assert monthly_dues("在职", Decimal(base)) == Decimal(expected)


def test_salaried_int_and_float_base():
    assert monthly_dues("在职", 3000) == Decimal("15.00")
    assert monthly_dues("在职", 3000.01) == Decimal("30.00")
    assert monthly_dues("在职", "3,500") == Decimal("35.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [("0", "0.00"), ("4000", "20.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")],
)
def test_retired_brackets(base, expected):
    assert monthly_dues("离退休", base) == Decimal(expected)


def test_rounding_half_up_default_and_override():
    # 1234.50 × 0.5% = 6.1725
    assert monthly_dues("在职", "1234.50") == Decimal("6.17")
    # 1235 × 0.5% = 6.175 → 6.18 half up, 6.17 down
    assert monthly_dues("在职", "1235") == Decimal("6.18")
    assert monthly_dues("在职", "1235", rounding=ROUND_DOWN) == Decimal("6.17")


def test_farmer_amount_bounds():
    assert monthly_dues("农民") == Decimal("0.50")
    assert monthly_dues("农民党员", farmer_amount=Decimal("0.2")) == Decimal("0.20")
    assert monthly_dues("农民", farmer_amount=Decimal("1")) == Decimal("1.00")
    for bad in ("0.19", "1.01", "0", "-1"):
        with pytest.raises(RuleError, match="0.2元至1元"):
            monthly_dues("农民", farmer_amount=Decimal(bad))


@pytest.mark.parametrize("cat", ["学生", "下岗失业", "下岗", "失业", "低保", "救济", "抚恤", "救济抚恤", "救济/抚恤"])
def test_fixed_low_amount(cat):
    assert monthly_dues(cat) == Decimal("0.20")
    assert monthly_dues(cat, "99999") == Decimal("0.20")


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("在职", "在职"),
        ("离退休", "离退休"),
        ("退休", "离退休"),
        ("离休", "离退休"),
        ("农民", "农民"),
        ("农民党员", "农民"),
        ("学生", "学生"),
        ("下岗失业", "下岗失业"),
        ("下岗", "下岗失业"),
        ("失业", "下岗失业"),
        ("低保", "低保"),
        ("救济/抚恤", "救济/抚恤"),
        ("救济", "救济/抚恤"),
        ("抚恤", "救济/抚恤"),
        ("救济抚恤", "救济/抚恤"),
        (" 退 休 ", "离退休"),
    ],
)
def test_aliases(alias, canonical):
    assert normalize_category(alias) == canonical
    assert canonical in DUES_CATEGORIES


def test_retired_aliases_compute():
    assert monthly_dues("退休", 5000) == monthly_dues("离休", 5000) == Decimal("25.00")


def test_unknown_category():
    with pytest.raises(RuleError) as exc:
        monthly_dues("个体户", 1000)
    assert str(exc.value).startswith("未知的党费类别：个体户，应为 在职、离退休、")


def test_negative_base():
    with pytest.raises(RuleError, match="负数"):
        monthly_dues("在职", -1)
    with pytest.raises(RuleError, match="负数"):
        monthly_dues("学生", "-0.01")


@pytest.mark.parametrize("cat", ["在职", "离退休"])
def test_missing_base(cat):
    with pytest.raises(RuleError, match="基数"):
        monthly_dues(cat)
    with pytest.raises(RuleError, match="基数"):
        monthly_dues(cat, "")


def test_invalid_base_text():
    with pytest.raises(RuleError, match="不是有效的金额"):
        monthly_dues("在职", "三千")
    with pytest.raises(RuleError, match="不是有效的金额"):
        monthly_dues("在职", "NaN")


def test_rate_only_for_proportional():
    assert dues_rate("在职", 3000) == Decimal("0.005")
    with pytest.raises(RuleError):
        dues_rate("学生", 100)


def test_constants():
    assert BACKPAY_MAX_MONTHS == 6
    assert LARGE_VOLUNTARY_THRESHOLD == Decimal("1000")
    assert DUES_CATEGORIES == ["在职", "离退休", "农民", "学生", "下岗失业", "低保", "救济/抚恤"]


@given(st.decimals(min_value=0, max_value=100000, places=2))
def test_salaried_flat_rate_property(base):
    result = monthly_dues("在职", base)
    assert result == result.quantize(Decimal("0.01"))
    assert Decimal("0.005") * base - Decimal("0.005") <= result <= Decimal("0.02") * base + Decimal("0.005")
    # flat, not progressive: amount equals base × the single bracket rate
    assert result == (base * dues_rate("在职", base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

"""monthly_dues at every bracket edge for every category (中组发〔2008〕3号, RULES.md §5)."""

from decimal import Decimal

import pytest

from dangjian.dues.models import Category
from dangjian.members.models import DuesCategory
from dangjian.rules.dues import DUES_CATEGORIES, monthly_dues
from dangjian.rules.errors import RuleError

D = Decimal
EDGES = {
    "在职": [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),
        ("3000.01", "30.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
    ],
    "离退休": [("0", "0.00"), ("4999.99", "25.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("12000", "120.00")],
}


@pytest.mark.parametrize(("category", "base", "expected"), [(c, b, e) for c, rows in EDGES.items() for b, e in rows])
def test_rate_categories_at_every_edge(category, base, expected):
    assert monthly_dues(category, base) == D(expected)
    assert monthly_dues(category, D(base)) == D(expected)


@pytest.mark.parametrize("amount", ["0.20", "0.50", "1.00"])
def test_farmer_amount_is_the_branch_figure_at_its_bounds(amount):
    assert monthly_dues("农民", None, farmer_amount=D(amount)) == D(amount)
    for bad in ("0.19", "1.01"):
        with pytest.raises(RuleError):
            monthly_dues("农民", None, farmer_amount=D(bad))


@pytest.mark.parametrize("category", ["学生", "下岗失业", "低保", "救济/抚恤", "低保/救济"])
def test_fixed_categories_pay_twenty_fen_whatever_the_base(category):
    for base in (None, "0", "3000", "99999"):
        assert monthly_dues(category, base) == D("0.20")


def test_every_category_of_the_app_and_of_the_roster_is_understood():
    assert list(Category.values) == DUES_CATEGORIES
    for c in list(Category.values) + list(DuesCategory.values):
        base = "1000" if c in ("在职", "离退休") else None
        assert monthly_dues(c, base) >= D("0")


def test_bad_category_and_negative_base_raise_clear_errors():
    with pytest.raises(RuleError, match="未知的党费类别"):
        monthly_dues("公务员", "3000")
    with pytest.raises(RuleError, match="负数"):
        monthly_dues("在职", "-0.01")
    with pytest.raises(RuleError, match="负数"):
        monthly_dues("农民", "-5")
    with pytest.raises(RuleError, match="基数"):
        monthly_dues("在职", None)

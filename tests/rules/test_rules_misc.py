from datetime import date
from decimal import Decimal

import pytest

from dangjian.rules.appraisal import (
    DISPOSAL_MEASURES,
    GRADES,
    REJOIN_BAN_YEARS,
    correction_deadline,
    excellent_cap_exceeded,
    rejoin_allowed_from,
)
from dangjian.rules.errors import RuleError
from dangjian.rules.mobile import (
    CONTACT_INTERVAL_MONTHS,
    LOST_CONTACT_MAX_YEARS,
    LOST_CONTACT_MIN_MONTHS,
    contact_overdue,
    lost_contact_status,
)
from dangjian.rules.structure import (
    BRANCH_MAX_MEMBERS,
    ORG_CATEGORIES,
    ORG_TYPES,
    POSTS,
    committee_required,
    org_category_code,
    org_type_code,
    post_code,
)
from dangjian.rules.study import STUDY_HOURS_PER_YEAR, STUDY_KINDS, study_shortfall
from dangjian.rules.terms import renewal_status, term_end, term_years


def test_rule_error_is_value_error():
    err = RuleError("测试")
    assert isinstance(err, ValueError) and str(err) == "测试" and err.message == "测试"


def test_structure():
    assert not committee_required(6) and committee_required(7)
    assert BRANCH_MAX_MEMBERS == 50
    assert list(POSTS.values()) == ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "党小组组长", "委员"]
    assert list(ORG_TYPES.values()) == ["区县委", "基层党委", "党总支", "党支部", "联合党支部", "党小组"]
    assert list(ORG_CATEGORIES.values()) == ["机关", "社区", "村", "非公企业", "社会组织", "其他"]
    assert org_type_code("党支部") == "branch" == org_type_code("branch")
    assert org_category_code("村") == "village"
    assert post_code("纪检委员") == "discipline"
    with pytest.raises(RuleError, match="未知的组织类型"):
        org_type_code("党组")


@pytest.mark.parametrize(
    ("org_type", "category", "years"),
    [
        ("基层党委", None, 5),
        ("primary_committee", "机关", 5),
        ("党总支", "机关", 3),
        ("党支部", None, 3),
        ("联合党支部", "非公企业", 3),
        ("党支部", "村", 5),
        ("党支部", "社区", 5),
        ("general_branch", "community", 5),
    ],
)
def test_term_years(org_type, category, years):
    assert term_years(org_type, category) == years


def test_term_years_override_and_errors():
    assert term_years("党支部", "村", by_category={}) == 3
    assert term_years("党支部", by_type={"branch": 4}) == 4
    with pytest.raises(RuleError):
        term_years("党小组")
    assert term_years("区县委", by_type={"county_committee": 5}) == 5


def test_term_end_and_renewal():
    end = term_end(date(2021, 3, 15), 3)
    assert end == date(2024, 3, 15)
    assert renewal_status(end, date(2023, 9, 14)) is None
    assert renewal_status(end, date(2023, 9, 15)) == "即将到期"
    assert renewal_status(end, date(2024, 3, 15)) == "即将到期"
    assert renewal_status(end, date(2024, 3, 16)) == "已超期"
    assert renewal_status(end, date(2024, 1, 1), warn_months=1) is None
    with pytest.raises(RuleError):
        term_end(date(2021, 1, 1), 0)


def test_appraisal():
    assert GRADES == ["优秀", "合格", "基本合格", "不合格"]
    assert DISPOSAL_MEASURES == ["限期改正", "劝其退党", "除名"]
    assert not excellent_cap_exceeded(3, 9) and excellent_cap_exceeded(4, 9)
    assert not excellent_cap_exceeded(3, 10) and excellent_cap_exceeded(4, 10)
    assert excellent_cap_exceeded(1, 0) and not excellent_cap_exceeded(0, 0)
    assert correction_deadline(date(2024, 1, 31)) == date(2024, 7, 31)
    assert correction_deadline(date(2024, 1, 31), 12) == date(2025, 1, 31)
    for bad in (0, 13):
        with pytest.raises(RuleError, match="最长不超过1年"):
            correction_deadline(date(2024, 1, 1), bad)
    assert REJOIN_BAN_YEARS == 5
    assert rejoin_allowed_from(date(2024, 2, 29)) == date(2029, 2, 28)


def test_study():
    assert STUDY_HOURS_PER_YEAR == 32
    assert STUDY_KINDS == ["集中学习", "党课", "主题教育", "警示教育", "专题培训", "自学"]
    assert study_shortfall(20) == Decimal(12)
    assert study_shortfall(Decimal("40.5")) == Decimal(0)


def test_mobile():
    assert CONTACT_INTERVAL_MONTHS == 6 and LOST_CONTACT_MIN_MONTHS == 6 and LOST_CONTACT_MAX_YEARS == 2
    assert contact_overdue(None, date(2024, 1, 1))
    assert not contact_overdue(date(2023, 7, 1), date(2024, 1, 1))
    assert contact_overdue(date(2023, 7, 1), date(2024, 1, 2))
    assert lost_contact_status(date(2023, 1, 1), date(2023, 7, 1)) is None
    assert lost_contact_status(date(2023, 1, 1), date(2023, 7, 2)) == "超过六个月"
    assert lost_contact_status(date(2023, 1, 1), date(2025, 1, 2)) == "超过两年"

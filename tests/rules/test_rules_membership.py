from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.errors import RuleError
from dangjian.rules.membership import (
    AGE_BANDS,
    ART9_MONTHS,
    ART9_WARNING_MONTHS,
    EDUCATION_LEVELS,
    OCCUPATIONS,
    age_band,
    age_on,
    art9_status,
    current_gap_months,
    is_college_or_above,
    longest_gap_months,
    normalize_education,
    probation_end,
    validate_member_dates,
)


def test_probation_end():
    assert probation_end(date(2023, 7, 1)) == date(2024, 7, 1)
    assert probation_end(date(2023, 7, 1), 6) == date(2025, 1, 1)
    assert probation_end(date(2023, 7, 1), 12) == date(2025, 7, 1)
    assert probation_end(date(2024, 2, 29)) == date(2025, 2, 28)
    for bad in (1, 5, 13, -6):
        with pytest.raises(RuleError, match="延长预备期"):
            probation_end(date(2023, 7, 1), bad)


def test_age_on():
    assert age_on(date(2000, 7, 1), date(2018, 6, 30)) == 17
    assert age_on(date(2000, 7, 1), date(2018, 7, 1)) == 18
    assert age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (18, "30岁及以下"),
        (30, "30岁及以下"),
        (31, "31-35岁"),
        (35, "31-35岁"),
        (36, "36-40岁"),
        (45, "41-45岁"),
        (46, "46-50岁"),
        (55, "51-55岁"),
        (56, "56-60岁"),
        (60, "56-60岁"),
        (61, "61岁及以上"),
        (99, "61岁及以上"),
    ],
)
def test_age_band(age, band):
    assert age_band(age) == band


@given(st.integers(min_value=0, max_value=120))
def test_age_band_total(age):
    assert age_band(age) in AGE_BANDS


def test_education():
    assert EDUCATION_LEVELS == ["研究生", "大学本科", "大学专科", "中专", "高中", "初中及以下"]
    assert [is_college_or_above(e) for e in EDUCATION_LEVELS] == [True, True, True, False, False, False]
    assert is_college_or_above("大专") and is_college_or_above("硕士") and is_college_or_above("本科")
    assert not is_college_or_above("小学")
    assert normalize_education(" 博士 ") == "研究生"
    with pytest.raises(RuleError, match="未知的学历"):
        is_college_or_above("幼儿园")


def test_occupations():
    assert len(OCCUPATIONS) == 8 and "离退休人员" in OCCUPATIONS


def test_gaps_simple():
    attended = {(2023, 1), (2023, 2), (2023, 9)}
    assert longest_gap_months(attended, (2023, 1), (2023, 12)) == 6  # Mar–Aug
    assert current_gap_months(attended, (2023, 1), (2023, 12)) == 3  # Oct–Dec
    assert current_gap_months(attended, (2023, 1), (2023, 9)) == 0


def test_gaps_across_year_and_empty():
    assert longest_gap_months(set(), (2023, 10), (2024, 3)) == 6
    assert current_gap_months(set(), (2023, 10), (2024, 3)) == 6
    assert current_gap_months({(2024, 3)}, (2023, 10), (2024, 3)) == 0


def test_excused_months_break_the_streak():
    attended = {(2023, 1)}
    excused = {(2023, 4)}
    assert longest_gap_months(attended, (2023, 1), (2023, 8), excused) == 4  # May–Aug
    assert current_gap_months(attended, (2023, 1), (2023, 8), excused) == 4
    assert current_gap_months(attended, (2023, 1), (2023, 8)) == 7


def test_gap_invalid_range():
    with pytest.raises(RuleError):
        longest_gap_months(set(), (2024, 1), (2023, 1))


@given(st.sets(st.integers(min_value=0, max_value=23)))
def test_gap_properties(idx):
    attended = {(2023 + i // 12, i % 12 + 1) for i in idx}
    longest = longest_gap_months(attended, (2023, 1), (2024, 12))
    current = current_gap_months(attended, (2023, 1), (2024, 12))
    assert 0 <= current <= longest <= 24
    assert (longest == 0) == (len(idx) == 24)


def test_art9_status():
    assert ART9_MONTHS == 6 and ART9_WARNING_MONTHS == 4
    assert art9_status(0) is None
    assert art9_status(3) is None
    assert art9_status(4) == "预警"
    assert art9_status(5) == "预警"
    assert art9_status(6) == "达到六个月"
    assert art9_status(12) == "达到六个月"
    assert art9_status(2, warning=2) == "预警"


def test_member_dates_ok():
    assert validate_member_dates(date(1990, 1, 1), date(2015, 7, 1), date(2016, 7, 1), "正式党员") == []
    assert validate_member_dates(date(1990, 1, 1), date(2023, 7, 1), None, "预备党员") == []
    assert validate_member_dates(date(1990, 1, 1), date(2015, 7, 1), date(2017, 1, 1), "正式党员", 6) == []
    assert validate_member_dates(date(1990, 1, 1), date(2015, 7, 1), date(2016, 9, 1), "正式党员", 6) == []
    assert validate_member_dates(None, None, None, "预备党员") == []


def test_member_dates_problems():
    def msgs(*args, **kw):
        return " ".join(validate_member_dates(*args, **kw))

    assert "出生日期应早于入党日期" in msgs(date(2020, 1, 1), date(2015, 7, 1), None, "预备党员")
    assert "未满十八岁" in msgs(date(2000, 7, 2), date(2018, 7, 1), None, "预备党员")
    assert msgs(date(2000, 7, 1), date(2018, 7, 1), None, "预备党员") == ""
    assert "转正日期应晚于入党日期" in msgs(date(1990, 1, 1), date(2015, 7, 1), date(2015, 1, 1), "正式党员")
    assert "预备党员不应有转正日期" in msgs(date(1990, 1, 1), date(2015, 7, 1), date(2016, 7, 1), "预备党员")
    assert "正式党员应填写转正日期" in msgs(date(1990, 1, 1), date(2015, 7, 1), None, "正式党员")
    assert "入党一年后" in msgs(date(1990, 1, 1), date(2015, 7, 1), date(2016, 8, 1), "正式党员")
    assert "之间" in msgs(date(1990, 1, 1), date(2015, 7, 1), date(2017, 2, 1), "正式党员", 6)
    assert "延长预备期" in msgs(date(1990, 1, 1), date(2015, 7, 1), date(2016, 8, 1), "正式党员", 3)
    assert "人员类别" in msgs(date(1990, 1, 1), date(2015, 7, 1), None, "群众")

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.errors import RuleError
from dangjian.rules.idcard import (
    birth_date_from_id,
    checksum_char,
    is_valid_id,
    make_id,
    mask_id,
    mask_phone,
    normalize_id,
    sex_from_id,
    validate_id,
)

VALID = "11010519491231002X"  # public example from GB 11643-1999


def test_known_valid_example():
    assert checksum_char(VALID[:17]) == "X"
    validate_id(VALID)
    assert birth_date_from_id(VALID) == date(1949, 12, 31)
    assert sex_from_id(VALID) == "女"


def test_other_known_checksums():
    # computed by hand with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    # 7+9+0+5+0+4+4+0+0+0+0+9+0+5+0+0+2 = 45; 45 % 11 = 1 → "0"
    assert checksum_char("11010120000101001") == "0"
    validate_id("110101200001010010")
    assert sex_from_id("110101200001010010") == "男"
    # all-zero body: sum 0 → "1"
    assert checksum_char("0" * 17) == "1"


def test_normalize():
    assert normalize_id(" 11010519491231002x ") == VALID
    assert normalize_id("１１０１０５　１９４９１２３１００２ｘ") == VALID
    assert normalize_id("110105 1949 1231 002X") == VALID
    validate_id("１１０１０５１９４９１２３１００２ｘ")


@pytest.mark.parametrize("value,n", [("1101051949123100", 16), ("11010519491231002X1", 19), ("", 0)])
def test_wrong_length(value, n):
    with pytest.raises(RuleError) as exc:
        validate_id(value)
    assert str(exc.value) == f"公民身份号码应为18位，当前为{n}位"


@pytest.mark.parametrize("value", ["1101051949123100XX", "11010519491231002Y", "A1010519491231002X"])
def test_bad_characters(value):
    with pytest.raises(RuleError, match="只能包含数字"):
        validate_id(value)


@pytest.mark.parametrize("birth", ["19491301", "19490230", "20230229", "18991231"])
def test_bad_birth_date(birth):
    first17 = "110105" + birth + "002"
    with pytest.raises(RuleError, match="出生日期无效"):
        validate_id(first17 + checksum_char(first17))


def test_future_birth_date():
    number = make_id("110105", date(2030, 1, 1), 1)
    with pytest.raises(RuleError, match="出生日期无效"):
        validate_id(number, today=date(2024, 1, 1))


def test_bad_checksum():
    with pytest.raises(RuleError) as exc:
        validate_id("110105194912310021")
    assert str(exc.value) == "公民身份号码校验位不对，请核对身份证原件"
    assert not is_valid_id("110105194912310021")
    assert is_valid_id(VALID)


def test_checksum_char_rejects_bad_input():
    with pytest.raises(RuleError):
        checksum_char("123")
    with pytest.raises(RuleError):
        checksum_char("1101051949123100X")


def test_mask_id():
    assert mask_id("62010219900101123X") == "620102********123X"
    assert mask_id(VALID) == "110105********002X"
    assert mask_id("620102900101123") == "620102*****1123"  # 15-digit legacy
    assert mask_id("12345") == "*2345"
    assert mask_id("123") == "***"
    assert mask_id("") == ""


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("１３８１２３４５６７８") == "138****5678"
    assert mask_phone("0931-8123456") == "093****3456"
    assert mask_phone("8123456") == "*****56"
    assert mask_phone("12") == "**"
    assert mask_phone("") == ""


def test_make_id_sex_and_birth():
    male = make_id("620102", date(1990, 1, 1), 123)
    female = make_id("620102", date(1990, 1, 1), 124)
    assert male.startswith("62010219900101123")
    validate_id(male)
    validate_id(female)
    assert sex_from_id(male) == "男"
    assert sex_from_id(female) == "女"
    assert birth_date_from_id(male) == date(1990, 1, 1)


def test_make_id_errors():
    with pytest.raises(RuleError):
        make_id("6201", date(1990, 1, 1), 1)
    with pytest.raises(RuleError):
        make_id("620102", date(1990, 1, 1), 1000)


@given(
    area=st.integers(min_value=110000, max_value=659999).map(str),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_make_id_roundtrip(area, birth, seq):
    number = make_id(area, birth, seq)
    validate_id(number)
    assert birth_date_from_id(number) == birth
    assert sex_from_id(number) == ("男" if seq % 2 else "女")
    assert mask_id(number) == number[:6] + "*" * 8 + number[-4:]


@given(number=st.text(alphabet="0123456789", min_size=17, max_size=17), wrong=st.sampled_from("0123456789X"))
def test_any_single_wrong_checksum_rejected(number, wrong):
    if wrong == checksum_char(number):
        return
    with pytest.raises(RuleError):
        validate_id(number + wrong)

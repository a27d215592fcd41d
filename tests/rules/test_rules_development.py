from datetime import date

import pytest

from dangjian.rules.development import (
    STAGES,
    check_activist_year,
    check_applicant_age,
    check_approval_within,
    check_branch_vote,
    check_introducers,
    check_reviews_every_six_months,
    check_talk_within_month,
    check_training,
)
from dangjian.rules.errors import RuleError


def test_stages():
    assert STAGES == ["入党申请人", "入党积极分子", "发展对象", "预备党员", "正式党员"]


def test_applicant_age():
    c = check_applicant_age(date(2005, 3, 1), date(2023, 3, 1))
    assert c.ok and c.hard
    c = check_applicant_age(date(2005, 3, 2), date(2023, 3, 1))
    assert not c.ok and c.hard and "未满18周岁" in c.message


def test_talk_within_month():
    assert check_talk_within_month(date(2023, 1, 31), date(2023, 2, 28)).ok
    c = check_talk_within_month(date(2023, 1, 31), date(2023, 3, 1))
    assert not c.ok and not c.hard
    assert not check_talk_within_month(date(2023, 1, 10), None).ok
    assert check_talk_within_month(date(2023, 1, 10), None, today=date(2023, 1, 20)).ok
    assert not check_talk_within_month(date(2023, 1, 10), None, today=date(2023, 2, 11)).ok
    assert not check_talk_within_month(date(2023, 1, 10), date(2023, 1, 9)).ok


def test_activist_year():
    assert check_activist_year(date(2022, 3, 1), date(2023, 3, 1)).ok
    c = check_activist_year(date(2022, 3, 1), date(2023, 2, 28))
    assert not c.ok and c.hard and "2023-03-01" in c.message


def test_reviews_every_six_months():
    start = date(2022, 1, 1)
    assert check_reviews_every_six_months(start, [date(2022, 7, 1), date(2023, 1, 1)], date(2023, 3, 1)).ok
    c = check_reviews_every_six_months(start, [date(2022, 7, 1)], date(2023, 3, 1))
    assert not c.ok and not c.hard and "2023-01-01" in c.message
    assert not check_reviews_every_six_months(start, [date(2022, 8, 1)], date(2022, 9, 1)).ok
    assert check_reviews_every_six_months(start, [], date(2022, 7, 1)).ok
    # order does not matter; reviews after `until` are ignored
    assert check_reviews_every_six_months(
        start, [date(2023, 1, 1), date(2022, 7, 1), date(2030, 1, 1)], date(2023, 1, 1)
    ).ok


def test_introducers():
    assert check_introducers(["正式党员", "正式党员"]).ok
    c = check_introducers(["正式党员", "预备党员"])
    assert not c.ok and c.hard
    assert not check_introducers(["正式党员"]).ok
    assert not check_introducers(["正式党员"] * 3).ok


def test_training():
    assert check_training(3, None).ok
    assert check_training(None, 24).ok
    assert check_training(2, 24).ok
    c = check_training(2, 23)
    assert not c.ok and c.hard
    assert not check_training(None, None).ok
    with pytest.raises(RuleError):
        check_training(-1, 0)


def test_branch_vote():
    assert check_branch_vote(6, 10).ok
    c = check_branch_vote(5, 10)
    assert not c.ok and c.hard
    assert check_branch_vote(4, 7).ok and not check_branch_vote(3, 7).ok
    with pytest.raises(RuleError):
        check_branch_vote(11, 10)


def test_approval_within():
    assert check_approval_within(date(2023, 1, 15), date(2023, 4, 15)).ok
    c = check_approval_within(date(2023, 1, 15), date(2023, 4, 16))
    assert not c.ok and not c.hard
    assert check_approval_within(date(2023, 1, 15), date(2023, 7, 15), special=True).ok
    assert not check_approval_within(date(2023, 1, 15), date(2023, 7, 16), special=True).ok
    assert check_approval_within(date(2023, 1, 15), None, today=date(2023, 2, 1)).ok
    assert not check_approval_within(date(2023, 1, 15), None, today=date(2023, 5, 1)).ok
    assert not check_approval_within(date(2023, 1, 15), date(2023, 1, 14)).ok

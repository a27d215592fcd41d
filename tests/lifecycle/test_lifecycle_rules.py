"""dangjian/rules/lifecycle.py: the checks added for political review, voters, extension, 转正 timing."""

from datetime import date

from dangjian.rules import lifecycle as r


def test_political_review():
    c = r.check_political_review(None, date(2024, 6, 1))
    assert not c.ok and c.hard and "《中国共产党发展党员工作细则》" in c.message and "第十七条" not in c.message
    assert not r.check_political_review(date(2024, 6, 2), date(2024, 6, 1)).ok
    assert r.check_political_review(date(2024, 5, 1), date(2024, 6, 1)).ok


def test_voters_are_full_members_only():
    c = r.check_voters_full_members(5, 4)
    assert not c.ok and c.hard and "预备党员没有表决权" in c.message and "《中国共产党章程》第七条" in c.message
    assert r.check_voters_full_members(4, 4).ok
    # Understated (issue 20): typing fewer voters makes "more than half" easier — refused too.
    low = r.check_voters_full_members(3, 4)
    assert not low.ok and low.hard and "少于" in low.message


def test_extension_months():
    assert r.check_extension_months(6, 0).ok and r.check_extension_months(12, 0).ok
    assert not r.check_extension_months(5, 0).ok and not r.check_extension_months(13, 0).ok
    c = r.check_extension_months(6, 6)
    assert not c.ok and c.hard and "不能超过一年" in c.message


def test_full_vote_timing_and_approval():
    c = r.check_full_vote_after_due(date(2024, 2, 20), date(2024, 3, 1))
    assert not c.ok and c.hard and "《中国共产党章程》第七条" in c.message  # a hard stop (issue 20)
    assert not r.check_full_vote_after_due(date(2024, 2, 29), date(2024, 3, 1)).ok  # the day before
    assert r.check_full_vote_after_due(date(2024, 3, 1), date(2024, 3, 1)).ok
    assert r.check_full_approval_within(date(2024, 3, 5), date(2024, 6, 5)).ok
    late = r.check_full_approval_within(date(2024, 3, 5), date(2024, 6, 6))
    assert not late.ok and not late.hard and "三个月" in late.message and "第三十四条" not in late.message
    before = r.check_full_approval_within(date(2024, 3, 5), date(2024, 3, 4))
    assert not before.ok and before.hard

"""Issue 20: rule boundaries (pure rules, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.rules import development as dev
from dangjian.rules import lifecycle as lrules
from dangjian.rules import membership, orglife, structure, study
from dangjian.rules.dues import check_base
from dangjian.rules.errors import RuleError


def test_art9_one_enum_one_threshold_exactly_six_months():
    assert membership.art9_status(5) is membership.Art9Level.WARNING
    assert membership.art9_status(6) is membership.Art9Level.OVER  # exactly six months
    assert membership.art9_status(3) is None
    assert membership.art9_status(3, warning=3) is membership.Art9Level.WARNING
    assert membership.Art9Level.OVER.is_over and not membership.Art9Level.WARNING.is_over
    with pytest.raises(RuleError):
        membership.art9_status(2, warning=7)


def test_committee_required_boundary_and_meeting_requirement():
    assert not structure.committee_required(6) and structure.committee_required(7)
    assert not orglife.committee_meeting_required(6)
    assert orglife.committee_meeting_required(7)
    assert orglife.committee_meeting_required(5, 2)  # a committee actually set up


def test_founded_mid_period_setting_first_and_last_day():
    q_start, q_end = date(2024, 4, 1), date(2024, 6, 30)
    assert orglife.period_owed(q_start, q_end, date(2024, 4, 1), mid_period_owes=False)  # first day: whole
    assert not orglife.period_owed(q_start, q_end, date(2024, 6, 30), mid_period_owes=False)  # last day
    assert orglife.period_owed(q_start, q_end, date(2024, 6, 30), mid_period_owes=True)
    assert not orglife.period_owed(q_start, q_end, date(2024, 7, 1), mid_period_owes=True)
    assert orglife.period_owed(q_start, q_end, None, mid_period_owes=False)
    assert orglife.FOUNDED_MID_PERIOD_OWES is False  # stated default


def test_vote_quorum_exactly_half_is_not_enough():
    assert not orglife.vote_quorum_ok(5, 10)
    assert orglife.vote_quorum_ok(6, 10)
    assert not dev.check_vote_present(5, 10).ok and dev.check_vote_present(5, 10).hard
    assert dev.check_vote_present(6, 10).ok
    assert not dev.check_vote_present(11, 10).ok


def test_entitled_voters_must_match_exactly():
    assert lrules.check_voters_full_members(8, 8).ok
    assert not lrules.check_voters_full_members(7, 8).ok  # understated
    assert not lrules.check_voters_full_members(9, 8).ok


def test_full_vote_before_due_is_a_hard_stop_leap_day():
    due = membership.probation_end(date(2023, 2, 28))
    assert due == date(2024, 2, 28)
    before = lrules.check_full_vote_after_due(date(2024, 2, 27), due)
    assert not before.ok and before.hard and "党章" in before.message
    assert lrules.check_full_vote_after_due(date(2024, 2, 28), due).ok  # the due day itself
    assert membership.probation_end(date(2024, 2, 29)) == date(2025, 2, 28)  # leap day


def test_eras_1972_member_and_pre_1956_candidate():
    # 1972: the 1969/1973 党章 had no 预备期 — 转正 on the day of joining is right.
    assert membership.probation_era(date(1972, 5, 1)) is membership.ProbationEra.NONE
    assert membership.validate_member_dates(date(1950, 1, 1), date(1972, 5, 1), date(1972, 5, 1), "正式党员") == []
    # before 1956: 候补期 of varying length — not refused for not being exactly one year.
    assert membership.probation_era(date(1950, 3, 1)) is membership.ProbationEra.CANDIDATE
    assert membership.validate_member_dates(date(1925, 1, 1), date(1950, 3, 1), date(1950, 9, 1), "正式党员") == []
    # boundaries of the no-probation era
    assert membership.probation_era(date(1969, 4, 14)) is membership.ProbationEra.NONE
    assert membership.probation_era(date(1977, 8, 18)) is membership.ProbationEra.ONE_YEAR
    # today's members still need exactly one year
    problems = membership.validate_member_dates(date(1990, 1, 1), date(2020, 7, 1), date(2020, 7, 1), "正式党员")
    assert problems


def test_base_zero_refused_for_salaried_and_retired_only():
    with pytest.raises(RuleError, match="大于0"):
        check_base("在职", Decimal("0"))
    with pytest.raises(RuleError, match="大于0"):
        check_base("离退休", "0.00")
    check_base("在职", Decimal("0.01"))
    check_base("农民", None)
    check_base("学生", Decimal("0"))


def test_self_study_counted_apart():
    assert not study.counts_toward_required("自学")
    assert all(study.counts_toward_required(k) for k in study.CONCENTRATED_KINDS)
    assert set(study.CONCENTRATED_KINDS) | {study.SELF_STUDY} == set(study.STUDY_KINDS)


def test_citations_name_no_unverified_article():
    checks = [
        dev.check_applicant_age(date(2000, 1, 1), date(2017, 1, 1)),
        dev.check_talk_within_month(date(2023, 1, 1), date(2023, 3, 1)),
        dev.check_activist_year(date(2023, 1, 1), date(2023, 6, 1)),
        dev.check_introducers(["正式党员"]),
        dev.check_training(1, 1),
        dev.check_branch_vote(1, 10),
        dev.check_approval_within(date(2023, 1, 1), date(2023, 9, 1)),
        lrules.check_political_review(None, date(2023, 1, 1)),
        lrules.check_full_approval_within(date(2023, 1, 1), date(2023, 9, 1)),
    ]
    for c in checks:
        assert "《中国共产党发展党员工作细则》" in c.message and "条" not in c.article.replace("条例", "")
    assert dev.MIN_AGE is membership.MIN_JOIN_AGE
    assert lrules.FULL_APPROVAL_MONTHS is dev.APPROVAL_MONTHS

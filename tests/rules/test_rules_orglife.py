from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dangjian.rules.errors import RuleError
from dangjian.rules.orglife import (
    ACTIVITY_CHOICES,
    DEFAULT_REQUIREMENTS,
    ActivityKind,
    activity_kind,
    committee_quorum_ok,
    due_periods,
    is_late_entry,
    period_of,
    periods_between,
    periods_in_year,
    required_count,
    vote_quorum_ok,
)


def req(kind):
    return next(r for r in DEFAULT_REQUIREMENTS if r.kind == kind)


def test_kinds_and_labels():
    assert ActivityKind.MEMBER_MEETING.short == "党员大会"
    assert ActivityKind.MEMBER_MEETING.label == "支部党员大会"
    assert ActivityKind.COMMITTEE_MEETING.label == "支部委员会会议"
    assert activity_kind("支委会") is ActivityKind.COMMITTEE_MEETING
    assert activity_kind("theme_day") is ActivityKind.THEME_DAY
    assert activity_kind("民主评议党员") is ActivityKind.APPRAISAL
    assert len(ACTIVITY_CHOICES) == 8
    with pytest.raises(RuleError):
        activity_kind("茶话会")


def test_default_requirements():
    table = {r.kind: (r.period, r.minimum) for r in DEFAULT_REQUIREMENTS}
    assert table == {
        ActivityKind.MEMBER_MEETING: ("quarter", 1),
        ActivityKind.COMMITTEE_MEETING: ("month", 1),
        ActivityKind.GROUP_MEETING: ("month", 1),
        ActivityKind.PARTY_LECTURE: ("quarter", 1),
        ActivityKind.THEME_DAY: ("month", 1),
        ActivityKind.LIFE_MEETING: ("year", 1),
        ActivityKind.APPRAISAL: ("year", 1),
        ActivityKind.HEART_TALK: ("year", 1),
    }
    assert req(ActivityKind.GROUP_MEETING).only_with_groups
    assert req(ActivityKind.PARTY_LECTURE).is_setting
    assert req(ActivityKind.HEART_TALK).per_member
    assert all("支部工作条例" in r.article for r in DEFAULT_REQUIREMENTS)


def test_periods_in_year():
    months = periods_in_year(2023, "month")
    assert len(months) == 12
    assert months[0] == ("2023年1月", date(2023, 1, 1), date(2023, 1, 31))
    assert months[1][2] == date(2023, 2, 28)
    assert periods_in_year(2024, "month")[1][2] == date(2024, 2, 29)
    quarters = periods_in_year(2023, "quarter")
    assert quarters[0] == ("2023年第1季度", date(2023, 1, 1), date(2023, 3, 31))
    assert quarters[3] == ("2023年第4季度", date(2023, 10, 1), date(2023, 12, 31))
    assert periods_in_year(2023, "year") == [("2023年", date(2023, 1, 1), date(2023, 12, 31))]
    with pytest.raises(RuleError):
        periods_in_year(2023, "week")


def test_period_of():
    assert period_of(date(2023, 5, 17), "quarter")[0] == "2023年第2季度"
    assert period_of(date(2023, 5, 17), "month")[0] == "2023年5月"
    assert period_of(datetime(2023, 12, 31, 23, 59), "year")[0] == "2023年"


def test_required_count():
    committee = req(ActivityKind.COMMITTEE_MEETING)
    congress = req(ActivityKind.MEMBER_MEETING)
    assert required_count(committee, date(2023, 1, 1), date(2023, 12, 31)) == 12
    assert required_count(congress, date(2023, 1, 1), date(2023, 12, 31)) == 4
    # partial periods at both ends count
    assert required_count(committee, date(2023, 1, 31), date(2023, 3, 1)) == 3
    assert required_count(congress, date(2023, 3, 31), date(2023, 4, 1)) == 2
    assert required_count(req(ActivityKind.LIFE_MEETING), date(2022, 12, 1), date(2023, 1, 1)) == 2
    assert len(periods_between(date(2023, 11, 5), date(2024, 2, 1), "month")) == 4
    with pytest.raises(RuleError):
        required_count(committee, date(2023, 2, 1), date(2023, 1, 1))


def test_due_periods_current_year():
    ended, current = due_periods(2023, "month", date(2023, 5, 17))
    assert [p[0] for p in ended] == ["2023年1月", "2023年2月", "2023年3月", "2023年4月"]
    assert current[0] == "2023年5月"
    ended, current = due_periods(2023, "quarter", date(2023, 3, 31))
    assert ended == []
    assert current[0] == "2023年第1季度"
    ended, current = due_periods(2023, "quarter", date(2023, 4, 1))
    assert len(ended) == 1 and current[0] == "2023年第2季度"


def test_due_periods_past_and_future_year():
    ended, current = due_periods(2022, "month", date(2023, 5, 17))
    assert len(ended) == 12 and current is None
    ended, current = due_periods(2024, "month", date(2023, 5, 17))
    assert ended == [] and current is None


@pytest.mark.parametrize(
    ("present", "size", "ok"),
    [(2, 3, True), (1, 3, False), (3, 5, True), (2, 5, False), (3, 4, True), (2, 4, False), (1, 1, True)],
)
def test_committee_quorum(present, size, ok):
    assert committee_quorum_ok(present, size) is ok


@pytest.mark.parametrize(("present", "size"), [(4, 3), (-1, 3), (0, 0)])
def test_committee_quorum_invalid(present, size):
    with pytest.raises(RuleError):
        committee_quorum_ok(present, size)


@pytest.mark.parametrize(("present", "full", "ok"), [(6, 10, True), (5, 10, False), (6, 11, True), (5, 11, False)])
def test_vote_quorum(present, full, ok):
    assert vote_quorum_ok(present, full) is ok


def test_vote_quorum_invalid():
    with pytest.raises(RuleError):
        vote_quorum_ok(11, 10)


@given(st.integers(min_value=1, max_value=200), st.data())
def test_quorum_is_strict_majority(size, data):
    present = data.draw(st.integers(min_value=0, max_value=size))
    assert committee_quorum_ok(present, size) == (present > size / 2)


def test_late_entry():
    assert not is_late_entry(date(2023, 5, 1), date(2023, 5, 8))
    assert is_late_entry(date(2023, 5, 1), date(2023, 5, 9))
    assert is_late_entry(date(2023, 5, 1), datetime(2023, 5, 9, 0, 1))
    assert not is_late_entry(date(2023, 5, 1), date(2023, 5, 15), days=14)

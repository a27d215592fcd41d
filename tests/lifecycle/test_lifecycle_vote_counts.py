"""应到 / 实到 / 赞成 at the 支部大会 that accepts a 发展对象 or decides a 转正 (issue 20).

Branch A of the test world has 4 正式党员 and 1 预备党员 (孙七) on the vote dates, so 应到 is 4.
"""

from datetime import date
from decimal import Decimal

import pytest

from dangjian.lifecycle import services
from dangjian.lifecycle.models import DevelopmentStep, ProbationDecision
from dangjian.rules import development as dev
from dangjian.rules.errors import RuleError

K = DevelopmentStep.Kind
TODAY = date(2026, 11, 29)
VOTE_DAY = date(2024, 6, 1)


def _step(case, kind, on, user, **kw):
    case.refresh_from_db()
    return services.record_step(
        case=case, kind=kind, on=on, expected_version=case.version, user=user, today=TODAY, **kw
    )


@pytest.fixture
def ready(world, make_case):
    """A 发展对象 with 政审 and training done: only the vote is left."""
    user = world.user("secretary_a")
    case = make_case(upto="candidate")
    _step(case, K.POLITICAL_REVIEW, date(2024, 4, 1), user, decision="政审合格")
    _step(case, K.TRAINING, date(2024, 4, 20), user, training_days=Decimal("3"))
    return case, user


def test_vote_counts_rule_boundaries():
    # 4 应到, 3 实到, 3 赞成: both over half.
    assert all(c.ok and c.hard for c in dev.check_vote_counts(4, 3, 3))
    # exactly half present (2 of 4) cannot vote at all
    present, _ = dev.check_vote_counts(4, 2, 2)
    assert not present.ok and present.hard and "未超过应到4名的半数" in present.message
    # a majority of those present is not enough: 赞成 must be over half of 应到 (2 of 4 is not)
    present, agree = dev.check_vote_counts(4, 3, 2)
    assert present.ok and not agree.ok and agree.hard
    # 9 应到 (odd): 5 is over half, 4 is not
    assert all(c.ok for c in dev.check_vote_counts(9, 5, 5))
    assert not dev.check_vote_counts(9, 4, 4)[0].ok
    with pytest.raises(RuleError, match="多于应到"):
        dev.check_vote_counts(4, 5, 3)
    with pytest.raises(RuleError, match="多于实到"):
        dev.check_vote_counts(4, 3, 4)


@pytest.mark.django_db
def test_accept_vote_records_present_and_shows_it(world, ready, client_for):
    case, user = ready
    _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_present=3, vote_agree=3)
    case.refresh_from_db()
    assert (case.vote_entitled, case.vote_present, case.vote_agree) == (4, 3, 3)
    step = case.steps.get(kind=K.VOTE)
    assert "应到4名、实到3名、赞成3票" in step.decision
    page = client_for("secretary_a").get(f"/lifecycle/cases/{case.pk}/").content.decode()
    assert "应到 4，实到 3，赞成 3" in page


@pytest.mark.django_db
def test_accept_vote_needs_present_over_half_and_agree_within_present(world, ready):
    case, user = ready
    with pytest.raises(services.LifecycleError, match="实到"):
        _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_agree=3)  # 实到 not given
    with pytest.raises(services.StepBlocked, match="未超过应到4名的半数"):
        _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_present=2, vote_agree=2)
    with pytest.raises(services.LifecycleError, match="多于实到"):
        _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_present=3, vote_agree=4)
    with pytest.raises(services.LifecycleError, match="多于应到"):
        _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_present=5, vote_agree=3)
    # 2 of 3 present agree, but 2 is not more than half of the 4 entitled
    with pytest.raises(services.StepBlocked, match="未超过有表决权党员"):
        _step(case, K.VOTE, VOTE_DAY, user, vote_entitled=4, vote_present=3, vote_agree=2)
    case.refresh_from_db()
    assert case.vote_on is None and not case.steps.filter(kind=K.VOTE).exists()


@pytest.mark.django_db
def test_vote_form_asks_for_present(world, ready, client_for):
    case, _ = ready
    c = client_for("secretary_a")
    page = c.get(f"/lifecycle/cases/{case.pk}/step/?step=vote").content.decode()
    assert 'name="vote_present"' in page and "实到" in page
    r = c.post(
        f"/lifecycle/cases/{case.pk}/step/",
        {"step": "vote", "version": case.version, "on": "2024-06-01", "vote_entitled": 4, "vote_agree": 3},
    )
    assert r.status_code == 200 and "实到" in r.content.decode()
    r = c.post(
        f"/lifecycle/cases/{case.pk}/step/",
        {
            "step": "vote",
            "version": case.version,
            "on": "2024-06-01",
            "vote_entitled": 4,
            "vote_present": 4,
            "vote_agree": 4,
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.vote_present == 4


@pytest.mark.django_db
def test_probation_vote_records_present(world):
    m = world.members_a[4]  # 孙七, joined 2023-03-01
    args = {"vote_on": date(2024, 3, 5), "vote_entitled": 4, "vote_agree": 3, "approved_on": date(2024, 3, 20)}

    def decide(outcome, **kw):
        m.refresh_from_db()
        return services.record_probation_decision(
            member=m, outcome=outcome, expected_version=m.version, today=TODAY, **{**args, **kw}
        )

    Outcome = ProbationDecision.Outcome
    with pytest.raises(services.LifecycleError, match="实到"):
        decide(Outcome.FULL, vote_present=None)
    # 取消资格 too is decided by a valid 支部大会: half present is not enough
    with pytest.raises(services.StepBlocked, match="未超过应到4名的半数"):
        decide(Outcome.CANCEL, vote_present=2, vote_agree=2)
    decision = decide(Outcome.FULL, vote_present=3).obj
    assert decision.vote_present == 3
    assert "应到4、实到3、赞成3" in m.events.get(kind="转正").note

from datetime import date

import pytest

from dangjian.demo.context import DemoContext
from dangjian.lifecycle import demo
from dangjian.lifecycle.models import (
    DevelopmentCase,
    DevelopmentStep,
    MobileContact,
    ProbationDecision,
    Stage,
    Transfer,
)
from dangjian.lifecycle.selectors import lifecycle_summary
from dangjian.members.models import Member


def _load_township(today):
    from dangjian.demo import township

    ctx = DemoContext(scale="tiny", today=today, password="Test-pass-2023")
    township.load(ctx)
    return ctx


@pytest.mark.django_db
def test_demo_after_township_covers_every_model_and_is_deterministic(django_db_blocker):
    today = date(2026, 11, 29)
    ctx = _load_township(today)
    current_before = Member.objects.filter(is_current=True).count()
    demo.load(ctx)
    for model in (DevelopmentCase, DevelopmentStep, ProbationDecision, Transfer, MobileContact):
        assert model.objects.exists(), model
    stages = set(DevelopmentCase.objects.values_list("stage", flat=True))
    assert {Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.CLOSED} <= stages
    # every 预备党员 has their case; transfers out carry letters; the in-transfers are new records
    probationers = Member.objects.filter(is_current=True, kind="预备党员")
    assert probationers.exists()
    assert DevelopmentCase.objects.filter(member__in=probationers).count() == probationers.count()
    assert not Transfer.objects.filter(direction="转出", letter_no__isnull=True).exists()
    assert Transfer.objects.filter(direction="转入").exists()
    # 2 out, 1 death leave; 3 come in: the township keeps the report's member count
    assert Member.objects.filter(is_current=True).count() == current_before
    assert Member.objects.filter(left_reason="死亡").exists()
    # ctx stays truthful for later steps
    listed = {m.pk for m in ctx.all_members()}
    assert listed == set(Member.objects.filter(is_current=True).values_list("pk", flat=True))
    s = lifecycle_summary(ctx.township, 2026, today=today)
    assert s.applicants and s.activists and s.candidates and s.mobile
    assert s.mobile_contact_overdue >= 1 and s.transfers_out >= 2 and s.transfers_in >= 2
    # every current 预备党员 joined within the last year, so all are due by the end of next year
    assert lifecycle_summary(ctx.township, 2027, today=today).probation_due == probationers.count()
    first = sorted(DevelopmentCase.objects.values_list("name", "applied_on"))
    # deterministic: the same seed makes the same cases
    from dangjian.demo.reset import wipe_all

    wipe_all()
    demo.load(_load_township(today))
    assert sorted(DevelopmentCase.objects.values_list("name", "applied_on")) == first

"""Helpers for the lifecycle tests: a 发展党员 case walked through its steps."""

from datetime import date

import pytest

from dangjian.lifecycle import services
from dangjian.lifecycle.models import DevelopmentStep
from dangjian.rules.idcard import make_id

K = DevelopmentStep.Kind


@pytest.fixture
def make_case(world):
    """make_case(applied_on, activist_on=…, …) → a case in branch A advanced through the steps given."""

    def make(
        applied_on=date(2023, 1, 10),
        *,
        birth=date(1995, 4, 2),
        upto="applicant",
        today=date(2026, 11, 29),
        activist_on=None,
        candidate_on=None,
        introducers=None,
    ):
        user = world.user("secretary_a")
        case = services.create_case(
            branch=world.branch_a,
            name="申请人甲",
            sex="男",
            birth_date=birth,
            applied_on=applied_on,
            id_number=make_id("620102", birth, 11),
            education="高中",
            user=user,
        ).obj

        def step(kind, on, **kw):
            case.refresh_from_db()
            return services.record_step(
                case=case, kind=kind, on=on, expected_version=case.version, user=user, today=today, **kw
            )

        if upto == "applicant":
            return case
        step(K.TALK, applied_on.replace(day=20))
        activist_on = activist_on or date(applied_on.year, applied_on.month + 1, 1)
        step(K.ACTIVIST, activist_on, contacts="张三、李四")
        step(K.REVIEW, date(activist_on.year, activist_on.month + 5, 1))
        step(K.REVIEW, date(activist_on.year + 1, activist_on.month, 1))
        if upto == "activist":
            case.refresh_from_db()
            return case
        candidate_on = candidate_on or date(activist_on.year + 1, activist_on.month + 1, 1)
        step(K.CANDIDATE, candidate_on, introducers=introducers or (world.members_a[0], world.members_a[1]))
        case.refresh_from_db()
        return case

    return make

"""List pages and the summary keep a fixed number of queries (no N+1), at two data sizes."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.lifecycle import selectors, services
from dangjian.lifecycle.models import MobileContact
from dangjian.members.models import MemberKind
from dangjian.testsupport.world import make_member

TODAY = date(2026, 11, 29)


def _grow(world, n):
    """n more cases, probationers, transfers and 流动党员 with contacts in branch A."""
    for i in range(n):
        services.create_case(
            branch=world.branch_a, name=f"申请{i}", sex="男", birth_date=date(1999, 1, 1), applied_on=date(2026, 1, 1)
        )
        p = make_member(
            world.branch_a, kind=MemberKind.PROBATIONARY, joined_on=date(2026, 2, 1), birth=date(1999, 1, 1)
        )
        m = make_member(world.branch_a, birth=date(1985, 1, 1))
        services.register_mobile(
            member=m,
            since=date(2025, 1, 1),
            destination="上海",
            host_org="",
            contact="",
            expected_version=m.version,
            today=TODAY,
        )
        MobileContact.objects.create(member=m, date=date(2026, 3, 1))
        services.transfer_out(
            member=p, on=date(2026, 5, 1), reach="县外", other_org="某党委", expected_version=p.version, today=TODAY
        )


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/lifecycle/", "/lifecycle/probation/", "/lifecycle/transfers/", "/lifecycle/mobile/", "/"]
)
def test_list_pages_fixed_queries(world, client_for, url):
    c = client_for("secretary_a")
    _grow(world, 2)
    from django.core.cache import cache

    c.get(url)  # warm caches (session, content types)
    cache.clear()  # measure the computing path both times (figures are cached per data version)
    small = _count(lambda: c.get(url))
    _grow(world, 8)
    cache.clear()
    large = _count(lambda: c.get(url))
    assert small == large, f"{url}: {small} → {large} queries"


@pytest.mark.django_db
def test_summary_shape_and_fixed_queries(world):
    _grow(world, 2)
    s = selectors.lifecycle_summary(world.township, 2026, today=TODAY)
    assert set(vars(s)) == {
        "applicants",
        "activists",
        "candidates",
        "developed",
        "probation_due",
        "transfers_in",
        "transfers_out",
        "mobile",
        "mobile_contact_overdue",
        "lost",
        "lost_over_six_months",
        "lost_over_two_years",
    }
    assert s.applicants == 2 and s.transfers_out == 2 and s.mobile == 2 and s.mobile_contact_overdue == 2
    compute = selectors.lifecycle_summary.uncached  # the computation itself, not the figures cache
    small = _count(lambda: compute(world.township, 2026, today=TODAY))
    _grow(world, 6)
    assert _count(lambda: compute(world.township, 2026, today=TODAY)) == small == 4
    s = selectors.lifecycle_summary(world.township, 2026, today=TODAY)
    assert s.applicants == 8 and s.transfers_out == 8 and s.probation_due == 2  # 孙七 and 吴九, overdue
    # a within-township move is neither in nor out for the township, but both for the branches
    services.transfer_out(
        member=world.members_a[3],
        on=date(2026, 6, 1),
        reach="本镇内",
        to_branch=world.branch_b,
        expected_version=world.members_a[3].version,
        today=TODAY,
    )
    assert selectors.lifecycle_summary(world.township, 2026, today=TODAY).transfers_out == 8
    assert selectors.lifecycle_summary(world.branch_a, 2026, today=TODAY).transfers_out == 9
    assert selectors.lifecycle_summary(world.branch_b, 2026, today=TODAY).transfers_in == 1

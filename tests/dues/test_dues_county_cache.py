"""A county's dues summary and grid are its townships', each cached under its own tokens
(dues.selectors, orgs.selectors.parts_of): after a committed write in one township only that
township's part is read again. Committed for real (transactional_db): the cache tokens move on
commit."""

from decimal import Decimal

import pytest
from django.db.models import Q

from dangjian.core import clock
from dangjian.testsupport.world import add_township


@pytest.fixture
def world(committed_world):
    return committed_world


def test_a_write_in_one_township_recomputes_only_its_part_of_the_county(world, monkeypatch):
    from dangjian.dues import selectors
    from dangjian.dues.models import DuesBase
    from dangjian.dues.services import BaseRow, set_bases
    from dangjian.testsupport.world import make_member

    other, branch = add_township(world.district, "另一镇党委", "另一镇支部")
    newcomer = make_member(branch, name="新来")
    year = clock.today().year - 1  # every month of it has fallen due
    set_bases(branch=world.branch_a, year=year, rows=[BaseRow(m.pk, "在职", Decimal(4000)) for m in world.members_a])

    grids = []
    real = selectors._grid_of
    monkeypatch.setattr(selectors, "_grid_of", lambda where, y, t: grids.append(where) or real(where, y, t))
    before = selectors.dues_summary(world.district, year)
    # Both townships in one grid (everything under the 区委 but its own), then its own members.
    assert grids == [Q(branch__path__startswith=world.district.path) & ~Q(branch_id=world.district.pk), Q(
        branch_id=world.district.pk
    )]  # fmt: skip
    assert before.due > 0 and before == selectors.dues_summary.uncached(world.district, year, today=clock.today())
    grids.clear()
    assert selectors.dues_summary(world.district, year) == before
    assert grids == []  # the county's summary itself is cached

    # A committed write of one row of the second township (set_bases writes in bulk, whose
    # organisation the cache does not know: it invalidates every figure).
    DuesBase.objects.create(member=newcomer, year=year, category="农民", amount=Decimal("0.20"))
    after = selectors.dues_summary(world.district, year)
    assert len(grids) == 2 and grids[0].children == [("branch__path__startswith", other.path)]
    assert after.due == before.due + selectors.member_dues(newcomer, year=year)["due_year"] > before.due
    with monkeypatch.context() as p:  # the county computed whole
        p.setattr(selectors, "parts_of", lambda root: [])
        assert after == selectors.dues_summary.uncached(world.district, year, today=clock.today())
    row = next(r for r in after.by_branch if r.branch_id == branch.pk)
    assert row.due > 0 and [r for r in after.by_branch if r.branch_id != branch.pk] == [
        r for r in before.by_branch if r.branch_id != branch.pk
    ]
    grids.clear()
    # The county's grid (the points facts read it) takes both townships' from the cache.
    grid = selectors.year_grid(world.district, year)
    assert grids == [Q(branch_id=world.district.pk)]
    assert newcomer.pk in grid and {m.pk for m in world.members_a} <= set(grid)


@pytest.mark.parametrize("write", ["set_bases", "record_payment", "collect_month", "set_farmer_amount"])
def test_the_dues_services_bulk_writes_are_the_township_s_own(world, monkeypatch, write):
    """set_bases, record_payment, collect_month and set_farmer_amount write their rows in bulk
    (no per-row save announcing its organisation): they declare the branch (core.cache.
    writes_in), so the county's other townships stay cached — before, each such write moved
    every token of the installation and the whole county was recomputed."""
    from datetime import date

    from dangjian.dues import selectors, services
    from dangjian.dues.services import BaseRow, set_bases
    from dangjian.testsupport.world import make_member

    other, branch = add_township(world.district, "另一镇党委", "另一镇支部")
    newcomer = make_member(branch, name="新来", joined_on=date(2010, 7, 1))
    today = clock.today()
    year = today.year - 1
    set_bases(branch=world.branch_a, year=year, rows=[BaseRow(m.pk, "在职", Decimal(4000)) for m in world.members_a])
    set_bases(branch=branch, year=year, rows=[BaseRow(newcomer.pk, "农民", None)])
    before = selectors.dues_summary(world.district, year)
    grids = []
    real = selectors._grid_of
    monkeypatch.setattr(selectors, "_grid_of", lambda where, y, t: grids.append(where) or real(where, y, t))
    newcomer.refresh_from_db()
    if write == "set_bases":
        set_bases(branch=branch, year=year, rows=[BaseRow(newcomer.pk, "在职", Decimal(3000))])
    elif write == "record_payment":
        services.record_payment(member=newcomer, months=[date(year, 12, 1)], paid_on=today, note="支部决定补交")
    elif write == "collect_month":
        services.collect_month(branch=branch, month=date(year, 12, 1), member_ids=[newcomer.pk], paid_on=today)
    else:
        services.set_farmer_amount(
            branch=branch, amount=Decimal("0.80"), decided_on=today, note="支部大会决定", year=year
        )
    after = selectors.dues_summary(world.district, year)
    assert len(grids) == 2 and grids[0].children == [("branch__path__startswith", other.path)]
    assert after != before
    with monkeypatch.context() as p:
        p.setattr(selectors, "parts_of", lambda root: [])
        assert after == selectors.dues_summary.uncached(world.district, year, today=today)

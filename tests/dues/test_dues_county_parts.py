"""A county's dues figures are its townships' (dues.selectors: orgs.selectors.parts_of,
core.figures.parts, issue 16 item 5): the tiny demo up to its dues (arrears, 免交/减交,
冲红 payments, transfers in with their 党费交至) with a SECOND township, members moved into it
mid-year and one attached to the 区委 itself; the county's summary and grid composed of the
townships' equal the ones computed over the whole county at once, on several days and years."""

from datetime import date

import pytest
from django.core.cache import cache

from dangjian.dues import selectors
from dangjian.dues.models import PaidMonth, PaymentVoid, Reduction
from dangjian.lifecycle.models import Transfer
from dangjian.members.models import Member
from dangjian.testsupport.world import add_township, module_data, tiny_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from dangjian.demo.context import DEMO_STEPS

    with module_data(django_db_blocker):
        ctx = tiny_demo(DEMO_STEPS.index("dangjian.dues.demo") + 1)
        second, far_branch = add_township(ctx.district, "第二镇党委", "第二镇甲村党支部")
        # Moved to the second township: one transferred in (their 党费交至 start moves with
        # them), one with a 冲红 payment, one with a reduction or exemption, one with months
        # unpaid; and one whose organisation is now the 区委 itself (in no township).
        chosen: list[int] = []

        def pick(qs):
            m = qs.exclude(pk__in=chosen).order_by("pk").first()
            if m is not None:
                chosen.append(m.pk)
            return m

        transferred = pick(Member.objects.filter(transfers__direction=Transfer.Direction.IN))
        voided = pick(Member.objects.filter(pk__in=PaymentVoid.objects.values("payment__member_id")))
        reduced = pick(Member.objects.filter(pk__in=Reduction.objects.values("member_id")))
        owing = pick(Member.objects.filter(is_current=True, dues_bases__isnull=False, dues_paid_months__isnull=True))
        assert transferred and voided and reduced
        Member.objects.filter(pk__in=chosen).update(branch=far_branch)
        attached = pick(Member.objects.filter(is_current=True, dues_bases__isnull=False))
        Member.objects.filter(pk=attached.pk).update(branch=ctx.district)
        # Arrears out of the demo's full payment: months unpaid from June (a 党章第九条 streak)
        # of a moved member, of the attached one and of one left in the first township.
        stay = Member.objects.filter(is_current=True, dues_paid_months__isnull=False).exclude(pk__in=chosen).first()
        PaidMonth.objects.filter(
            member__in=[voided.pk, attached.pk, stay.pk], month__gte=date(ctx.today.year - 1, 6, 1)
        ).delete()
        ctx.moved, ctx.attached, ctx.owing, ctx.second = chosen, attached, owing, second
        yield ctx


def _days(today: date) -> list[date]:
    return [today, date(today.year, 1, 10), date(today.year, 7, 1), date(today.year - 1, 12, 31)]


@pytest.mark.django_db
def test_the_county_dues_composed_of_its_townships_equal_the_county_computed_whole(demo, monkeypatch):
    from dangjian.orgs.selectors import parts_of

    district = demo.district
    assert len(parts_of(district)) >= 2
    checked, arrears, art9 = 0, 0, 0
    for today in _days(demo.today):
        for year in (today.year - 1, today.year):
            cache.clear()
            composed = selectors.dues_summary.uncached(district, year, today=today)
            grid = selectors.year_grid(district, year, today=today)
            with monkeypatch.context() as p:
                p.setattr(selectors, "parts_of", lambda root: [])
                whole = selectors.dues_summary.uncached(district, year, today=today)
                whole_grid = selectors.year_grid(district, year, today=today)
            assert composed == whole, (year, today)
            assert grid == whole_grid, (year, today)
            if whole.through:
                checked += 1
                arrears += whole.members_in_arrears
                art9 += whole.art9_over + whole.art9_warning
                assert whole.due and whole.by_branch
                assert {demo.attached.pk, *demo.moved} <= set(grid)
                # The member of the 区委 itself counts in the county's totals (no row of its own).
                assert grid[demo.attached.pk].branch_id == district.pk
                assert district.pk not in {r.branch_id for r in composed.by_branch}
    assert checked >= 4 and arrears and art9


@pytest.mark.django_db
def test_a_township_summary_is_the_one_the_county_is_made_of(demo):
    """The county's parts are the townships' own dues_summary (one cached value for both)."""
    today = demo.today
    year = today.year - 1
    cache.clear()
    county = selectors.dues_summary(demo.district, year, today=today)
    second = selectors.dues_summary(demo.second, year, today=today)
    assert second == selectors.dues_summary.uncached(demo.second, year, today=today)
    assert second.due and {r.branch_id for r in second.by_branch} <= {r.branch_id for r in county.by_branch}

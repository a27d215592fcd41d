"""Each member's months due and paid, computed from DuesBase, Reduction and PaidMonth in a
fixed number of queries (no N+1). Every dues figure on screens, ledgers and reports comes
from here, so the ledgers show what the screens show.

A month is due when the member has a DuesBase for its year, the month is not before the
member joined (预备党员 pay from acceptance, 中组发〔2008〕3号) and not after they left, and
the amount after any reduction is above zero (免交 months are not due).

A member transferred in owes this branch from the month after the letter's 党费交至 (or from
the transfer month when the letter gives none): earlier months were paid at the old branch,
so they neither count as arrears nor start the 党章第九条 streak (issue 20). A year of the
member's time here with no DuesBase is 基数未核定 (`unassessed_years`), never silence.

A mid-year BaseChange prices its month and the later ones; earlier months keep the year's
amount (rules.dues.amount_in_month). A month a 流动党员 paid at the 流入地 (HostPaidMonth) is
not owed here: it is left out of `due` (so neither arrears nor the 党章第九条 streak) and kept
in `host_paid` to be shown (issue 20). Both ride on the existing queries (a join and a UNION).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from dangjian.dues.months import add_months, month_of

ZERO = Decimal("0.00")


@dataclass
class MemberDues:
    member_id: int
    name: str
    branch_id: int
    phone_mask: str = ""
    is_current: bool = True
    due: dict[date, Decimal] = field(default_factory=dict)  # month -> amount due
    paid: dict[date, Decimal] = field(default_factory=dict)  # month -> amount paid
    on_time: set[date] = field(default_factory=set)
    category: str = ""
    monthly: Decimal | None = None  # the latest year's monthly amount
    start: date | None = None  # first month owed to this branch
    based_years: set[int] = field(default_factory=set)
    host_paid: set[date] = field(default_factory=set)  # months paid at the 流入地

    def unassessed(self, until: date) -> bool:
        """基数未核定: the member is here in `until`'s year but no base is set for that year."""
        return self.is_current and self.start is not None and self.start <= until and until.year not in self.based_years

    def arrears_months(self, until: date, since: date | None = None) -> list[date]:
        return sorted(m for m in self.due if m <= until and (since is None or m >= since) and m not in self.paid)

    def arrears_amount(self, until: date, since: date | None = None) -> Decimal:
        return sum((self.due[m] for m in self.arrears_months(until, since)), ZERO)

    def unpaid_streak(self, until: date) -> int:
        """Consecutive unpaid due months ending at `until` (党章 Art. 9: six months)."""
        n = 0
        m = month_of(until)
        while m in self.due and m not in self.paid:
            n += 1
            m = add_months(m, -1)
        return n

    def due_in(self, first: date, last: date) -> Decimal:
        return sum((a for m, a in self.due.items() if first <= m <= last), ZERO)

    def paid_in(self, first: date, last: date) -> Decimal:
        return sum((a for m, a in self.paid.items() if first <= m <= last and m in self.due), ZERO)


def members_for(root, *, include_suspended: bool = False) -> QuerySet:
    """Members counted for dues under `root`: current members, and those who left (their
    months before leaving still count). A member under 停止党籍 now is left out of the
    screens of today (collection, 催缴, bases); a year's figures pass `include_suspended`,
    since their months before the 党籍 was stopped were due — dues_grid leaves out the months
    it was stopped (rules.membership.SUSPENDED_COUNTED_IN_FIGURES)."""
    from dangjian.members.models import Member, Standing

    qs = Member.objects.filter(branch__path__startswith=root.path)
    return qs if include_suspended else qs.exclude(standing=Standing.SUSPENDED)


def dues_grid(members: QuerySet, *, until: date, since: date | None = None) -> dict[int, MemberDues]:
    """{member_id: MemberDues} for the members of `members` (a queryset), for the months up to
    `until` (inclusive; later prepaid months are kept in `paid`). Five queries, six when a
    member was ever under 停止党籍 (whose months while stopped are not due)."""
    from django.db.models import DecimalField, Value

    from dangjian.dues.models import DuesBase, HostPaidMonth, PaidMonth, Reduction
    from dangjian.members.models import MemberEvent, Standing
    from dangjian.members.selectors import suspended_through, suspension_periods
    from dangjian.rules.dues import amount_in_month
    from dangjian.rules.membership import SUSPENDED_COUNTED_IN_FIGURES

    ever_stopped = Q(standing=Standing.SUSPENDED) | Q(
        Exists(MemberEvent.objects.filter(member=OuterRef("pk"), kind=MemberEvent.Kind.SUSPENDED))
    )
    rows = list(
        members.annotate(stopped=ExpressionWrapper(ever_stopped, output_field=BooleanField()))
        .values_list("id", "name", "branch_id", "phone_mask", "joined_on", "is_current", "left_on", "stopped")
        .order_by("branch_id", "name_pinyin", "id")
    )
    # 停止党籍 months are not due: one more query, only when someone was ever stopped.
    stopped_ids = [r[0] for r in rows if r[-1]]
    stopped = suspension_periods(stopped_ids) if stopped_ids and not SUSPENDED_COUNTED_IN_FIGURES else {}
    grid: dict[int, MemberDues] = {}
    span: dict[int, tuple[date, date | None]] = {}
    ids = members.values("id")
    starts = _transfer_starts(ids)
    for mid, name, branch_id, phone, joined, current, left, _stopped in rows:
        grid[mid] = MemberDues(mid, name, branch_id, phone or "", bool(current))
        start = max(month_of(joined), starts.get(mid, month_of(joined)))
        grid[mid].start = start
        span[mid] = (start, None if current or not left else month_of(left))
    first_year = since.year if since else 1900
    bases = DuesBase.objects.filter(member__in=ids, year__gte=first_year, year__lte=until.year).values_list(
        "member_id", "year", "amount", "category", "changes__from_month", "changes__amount", "changes__category"
    )
    reductions: dict[tuple[int, int], list] = defaultdict(list)
    for mid, year, f, t, amt in Reduction.objects.filter(
        member__in=ids, year__gte=first_year, year__lte=until.year
    ).values_list("member_id", "year", "from_month", "to_month", "monthly_amount"):
        reductions[(mid, year)].append((f, t, amt))
    yearly: dict[tuple[int, int], tuple[Decimal, str, list[tuple[int, Decimal]]]] = {}
    for mid, year, amount, category, from_month, changed, changed_category in bases.order_by(
        "year", "changes__from_month"
    ):
        entry = yearly.setdefault((mid, year), (amount, category, []))
        if from_month is not None:
            entry[2].append((from_month, changed))
            yearly[(mid, year)] = (entry[0], changed_category, entry[2])  # the latest category shows
    # One date object per month and one Decimal per distinct amount, shared by every member's
    # dicts: a county's grid holds 700,000 of each, and the cache pickles a shared object once
    # (the grid pickled in 2 s and took 20 MB before). Amounts come from DecimalFields with two
    # places, so equal amounts are written alike.
    months: dict[int, list[tuple[int, date]]] = {}
    canon: dict[date, date] = {}
    amounts: dict[Decimal, Decimal] = {}
    for (mid, year), (amount, category, changes) in yearly.items():
        md = grid.get(mid)
        if md is None:
            continue
        md.category, md.monthly = category, amount_in_month(12, amount, changes)
        md.based_years.add(year)
        joined, left = span[mid]
        lo = max(joined, since) if since else joined
        hi = min(until, left) if left else until
        year_months = months.get(year)
        if year_months is None:
            year_months = months[year] = [(i, date(year, i, 1)) for i in range(1, 13)]
            canon.update((m, m) for _i, m in year_months)
        amount = amounts.setdefault(amount, amount)
        reds = reductions.get((mid, year), ())
        due = md.due
        for month, m in year_months:
            if m < lo or m > hi:
                continue
            if mid in stopped and suspended_through(stopped[mid], m, add_months(m, 1) - timedelta(days=1)):
                continue
            a = amount_in_month(month, amount, changes) if changes else amount
            for f, t, red in reds:
                if f <= month <= t:
                    a = red
            if a > 0:
                due[m] = a if a is amount else amounts.setdefault(a, a)
    paid = PaidMonth.objects.filter(member__in=ids).annotate(host=Value(False, output_field=BooleanField()))
    host = HostPaidMonth.objects.filter(member__in=ids).annotate(
        amount=Value(ZERO, output_field=DecimalField(max_digits=9, decimal_places=2)),
        on_time=Value(True, output_field=BooleanField()),
        host=Value(True, output_field=BooleanField()),
    )
    if since:
        paid, host = paid.filter(month__gte=since), host.filter(month__gte=since)
    fields = ("member_id", "month", "amount", "on_time", "host")
    for mid, m, amount, on_time, at_host in paid.values_list(*fields).union(host.values_list(*fields), all=True):
        md = grid.get(mid)
        if md is None:
            continue
        m = canon.setdefault(m, m)
        amount = amounts.setdefault(amount, amount)
        if at_host:
            md.host_paid.add(m)
            md.due.pop(m, None)  # paid at the 流入地: not owed to this branch
            continue
        md.paid[m] = amount
        if on_time:
            md.on_time.add(m)
    return grid


def _transfer_starts(ids) -> dict[int, date]:
    """{member_id: first month owed here} from each member's latest 转入: the month after the
    letter's 党费交至, else the transfer month. One query."""
    from dangjian.core.dates import parse_date
    from dangjian.lifecycle.selectors import transfers_in
    from dangjian.rules.errors import RuleError

    out: dict[int, date] = {}
    for mid, on, paid_to in transfers_in(ids):
        try:
            out[mid] = add_months(month_of(parse_date(paid_to, allow_future=True).date), 1) if paid_to else month_of(on)
        except RuleError:
            out[mid] = month_of(on)
    return out

"""Reads for 党费: summaries for the dashboard and the report, the monthly collection screen,
the 催缴 list, the Art. 9 dues alert, ledgers and the member's own page. All figures come from
dangjian.dues.grid (fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from dangjian.core import clock, figures, rulesettings
from dangjian.core.figures import figure
from dangjian.core.settings_registry import setting
from dangjian.dues.grid import ZERO, MemberDues, dues_grid, members_for
from dangjian.dues.months import add_months, last_completed_month, month_of
from dangjian.dues.types import BranchDues, DuesSummary, MonthDues
from dangjian.orgs.selectors import parts_of, under_any


def _today(today: date | None) -> date:
    return clock.or_today(today)


def farmer_amount_default() -> Decimal:
    return rulesettings.farmer_amount_default()


def rounding() -> str:
    return setting("DUES_ROUNDING")


def backpay_months() -> int:
    return rulesettings.backpay_months()


def prepay_months() -> int:
    return rulesettings.prepay_months()


def branches_under(root) -> list[dict]:
    """{"branch_id", "branch" (short name), "name"} of the branches under `root`
    (orgs.selectors.branches_under, the one owner)."""
    from dangjian.orgs.selectors import branches_under as branches

    return [{"branch_id": b.pk, "branch": b.short_name or b.name, "name": b.name} for b in branches(root)]


def farmer_amount_for(branch) -> Decimal:
    from dangjian.dues.models import BranchDuesSetting

    s = BranchDuesSetting.objects.filter(branch=branch).values_list("farmer_amount", flat=True).first()
    return s if s is not None else farmer_amount_default()


def year_window(year: int, today: date) -> tuple[date, date]:
    """(first, last) months of `year` whose dues have fallen due by `today`: months end
    before they count as arrears, so the current month is not yet in arrears."""
    last = min(date(year, 12, 1), last_completed_month(today))
    return date(year, 1, 1), last


def _rate(paid: Decimal, due: Decimal) -> float:
    return float(paid / due) if due else 0.0


def art9_level(streak: int):
    """党章第九条等级（rules.membership.Art9Level，与组织生活共用同一阈值和预警设置）。"""
    return rulesettings.art9_level(streak)


def year_grid(root, year: int, *, today: date | None = None) -> dict[int, MemberDues]:
    """The dues grid of everyone under `root` through the last month of `year` fallen due by
    `today` ({} before any has): the one grid dues_summary, the points facts and the appraisal
    references share within a request.

    A county's is its townships' (orgs.selectors.parts_of), each cached under its own tokens,
    and those of the members of the 区委 itself: every MemberDues is the member's own (their
    bases, reductions, payments and transfer), so the union is the same grid. The county's
    is not kept as a whole (it would be pickled again after a write in any township)."""
    today = _today(today)
    parts = parts_of(root)
    if not parts:
        return _year_grid(root, year, today=today)
    grid = _grid_of(Q(branch_id=root.pk), year, today)
    for part in _part_grids(root, parts, year, today, every=True):
        grid.update(part)
    return grid


@figure
def _year_grid(root, year: int, *, today: date | None = None) -> dict[int, MemberDues]:
    """year_grid of a township or a branch (one dues_grid, kept under root's tokens)."""
    return _grid_of(Q(branch__path__startswith=root.path), year, _today(today))


def _grid_of(where: Q, year: int, today: date) -> dict[int, MemberDues]:
    """The year's grid of the members of `where` (停止党籍 members included: their months
    before the 党籍 was stopped were due; members_for)."""
    from dangjian.members.models import Member

    first, last = year_window(year, today)
    return dues_grid(Member.objects.filter(where), until=last) if first <= last else {}


def _part_grids(root, parts: list, year: int, today: date, *, every: bool) -> list[dict[int, MemberDues]]:
    """_year_grid of each of `parts` (root's, all of them when `every`; figures.parts): the ones
    not cached computed in ONE dues_grid over their members, split by each member's township."""
    from dangjian.orgs.models import Organization

    def missing(indexes: list[int]) -> list[dict[int, MemberDues]]:
        chosen = [parts[i] for i in indexes]
        if every and len(chosen) == len(parts):  # everything under root but its own members
            where = Q(branch__path__startswith=root.path) & ~Q(branch_id=root.pk)
        else:
            where = under_any(chosen, "branch__path")
        grid = _grid_of(where, year, today)
        cut = len(chosen[0].path)  # the parts are siblings: one path length
        township = {
            bid: path[:cut]
            for bid, path in Organization.objects.filter(pk__in={md.branch_id for md in grid.values()}).values_list(
                "id", "path"
            )
        }
        split: dict[str, dict[int, MemberDues]] = defaultdict(dict)
        for mid, md in grid.items():
            split[township[md.branch_id]][mid] = md
        return [split.get(p.path, {}) for p in chosen]

    return figures.parts(_year_grid, [(p, year) for p in parts], missing, kwargs={"today": today})


@figure
def dues_summary(root, year: int, *, today: date | None = None) -> DuesSummary:
    """Dues of everyone under `root` for `year` (months fallen due by today). 5 queries.

    A county's is its townships' summaries added up (orgs.selectors.parts_of, figures.parts:
    each cached under its own tokens, so a write in one township recomputes one; the missing
    ones from one grid) and the members of the 区委 itself: every figure is a sum over
    members or a branch's row, and Decimal sums are exact, so they add up to the county's."""
    today = _today(today)
    parts = parts_of(root)
    if parts:
        return _composed_summary(root, parts, year, today)
    return _summary(year, today, branches_under(root), year_grid(root, year, today=today))


def _composed_summary(root, parts: list, year: int, today: date) -> DuesSummary:
    def missing(indexes: list[int]) -> list[DuesSummary]:
        chosen = [parts[i] for i in indexes]
        grids = _part_grids(root, chosen, year, today, every=len(chosen) == len(parts))
        return [_summary(year, today, _branches_in(root, p), g) for p, g in zip(chosen, grids, strict=True)]

    summaries = figures.parts(dues_summary, [(p, year) for p in parts], missing, kwargs={"today": today})
    own = _summary(year, today, [], _grid_of(Q(branch_id=root.pk), year, today))  # the 区委's own members
    every = [own, *summaries]
    due, paid = sum((s.due for s in every), ZERO), sum((s.paid for s in every), ZERO)
    # The county's branches in tree order, each row its township's (a branch is in exactly one).
    rows = {r.branch_id: r for s in summaries for r in s.by_branch}
    branches = branches_under(root)
    if any(b["branch_id"] not in rows for b in branches):
        # A 党支部 under a 党支部 directly under the 区委 has no row of its own in that part
        # (branches_under of a 党支部 is itself): read the county whole.
        return _summary(year, today, branches, year_grid(root, year, today=today))
    return DuesSummary(
        year=year,
        through=own.through,
        due=due,
        paid=paid,
        rate=_rate(paid, due),
        members_in_arrears=sum(s.members_in_arrears for s in every),
        arrears_amount=sum((s.arrears_amount for s in every), ZERO),
        art9_over=sum(s.art9_over for s in every),
        art9_warning=sum(s.art9_warning for s in every),
        by_branch=[rows[b["branch_id"]] for b in branches],
    )


def _branches_in(root, part) -> list[dict]:
    """branches_under(part), taken from root's tree (read once) instead of one query per part."""
    from dangjian.orgs.models import BRANCH_TYPES
    from dangjian.orgs.selectors import active_orgs_under

    if part.org_type in BRANCH_TYPES:
        orgs = [part]
    else:
        orgs = [o for o in active_orgs_under(root) if o.path.startswith(part.path) and o.org_type in BRANCH_TYPES]
    return [{"branch_id": b.pk, "branch": b.short_name or b.name, "name": b.name} for b in orgs]


def _summary(year: int, today: date, branches: list[dict], grid: dict[int, MemberDues]) -> DuesSummary:
    """The summary of the members of `grid`, with a row for each of `branches`."""
    first, last = year_window(year, today)
    by_branch: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    due_total = paid_total = arrears_amount = ZERO
    in_arrears = over = warning = 0
    levels: dict[int, object] = {}  # streak -> art9_level (a setting read per call)
    for md in grid.values():
        due = md.due_in(first, last)
        paid = md.paid_in(first, last)
        due_total += due
        paid_total += paid
        by_branch[md.branch_id][0] += due
        by_branch[md.branch_id][1] += paid
        if not md.is_current:
            continue
        owed = md.arrears_amount(last, first)
        if owed:
            in_arrears += 1
            arrears_amount += owed
        streak = md.unpaid_streak(last)
        if streak not in levels:
            levels[streak] = art9_level(streak)
        level = levels[streak]
        over += bool(level and level.is_over)
        warning += bool(level and level.is_warning)
    return DuesSummary(
        year=year,
        through=last if first <= last else None,
        due=due_total,
        paid=paid_total,
        rate=_rate(paid_total, due_total),
        members_in_arrears=in_arrears,
        arrears_amount=arrears_amount,
        art9_over=over,
        art9_warning=warning,
        by_branch=[
            BranchDues(
                branch_id=b["branch_id"],
                branch=b["branch"],
                due=by_branch[b["branch_id"]][0],
                paid=by_branch[b["branch_id"]][1],
                rate=_rate(by_branch[b["branch_id"]][1], by_branch[b["branch_id"]][0]),
            )
            for b in branches
        ],
    )


def arrears_list(root, *, today: date | None = None) -> list[dict]:
    """The 催缴 list: current members with unpaid months that have ended, worst first."""
    today = _today(today)
    until = last_completed_month(today)
    grid = dues_grid(members_for(root).filter(is_current=True), until=until)
    names = {b["branch_id"]: b["branch"] for b in branches_under(root)}
    out = []
    for md in grid.values():
        months = md.arrears_months(until)
        unassessed = md.unassessed(until)
        if not months and not unassessed:
            continue
        streak = md.unpaid_streak(until)
        out.append(
            {
                "member_id": md.member_id,
                "name": md.name,
                "branch_id": md.branch_id,
                "branch": names.get(md.branch_id, ""),
                "months": months,
                "count": len(months),
                "amount": sum((md.due[m] for m in months), ZERO),
                "streak": streak,
                "level": art9_level(streak),
                # 基数未核定: no base for the year, so months cannot be counted (not "all paid").
                "unassessed": unassessed,
                "phone_mask": md.phone_mask,
            }
        )
    out.sort(key=lambda r: (-r["streak"], -r["count"], r["branch_id"], r["name"]))
    return out


def art9_dues_alerts(root, *, today: date | None = None) -> list[dict]:
    """党章 Art. 9 dues alert: members with four or more consecutive unpaid months (an alert
    only; the 支部大会 decides)."""
    return [r for r in arrears_list(root, today=today) if r["level"]]


def month_collection(branch, month: date) -> dict:
    """The collection screen of one branch and month: every member due, with the amount
    prefilled and whether (and by which receipt) they have paid. 4 queries."""
    from dangjian.dues.models import PaidMonth

    month = month_of(month)
    grid = dues_grid(members_for(branch).filter(is_current=True), until=month, since=month)
    receipts = dict(
        PaidMonth.objects.filter(member__in=list(grid), month=month).values_list("member_id", "payment__receipt_no")
    )
    rows = []
    for md in grid.values():
        if month not in md.due:
            continue
        rows.append(
            {
                "member_id": md.member_id,
                "name": md.name,
                "amount": md.due[month],
                "category": md.category,
                "paid": month in md.paid,
                "receipt_no": receipts.get(md.member_id),
            }
        )
    due_amount = sum((r["amount"] for r in rows), ZERO)
    paid_amount = sum((r["amount"] for r in rows if r["paid"]), ZERO)
    paid_count = sum(1 for r in rows if r["paid"])
    missing_base = members_for(branch).filter(is_current=True).exclude(dues_bases__year=month.year).count()
    return {
        "month": month,
        "rows": rows,
        "due_count": len(rows),
        "paid_count": paid_count,
        "due_amount": due_amount,
        "paid_amount": paid_amount,
        "rate": _rate(paid_amount, due_amount),
        "missing_base": missing_base,
    }


def this_month(root=None, *, member=None, today: date | None = None) -> MonthDues:
    """本月党费 of the current members under `root`, or of one `member`: how many owe this month,
    how many have paid, and the amounts. The secretary's home panel and the member's 本月党费
    tile both read this (5 queries: the dues grid of one month)."""
    from dangjian.members.models import Member

    month = month_of(_today(today))
    members = Member.objects.filter(pk=member.pk) if member is not None else members_for(root).filter(is_current=True)
    grid = dues_grid(members, until=month, since=month)
    due = [md for md in grid.values() if month in md.due]
    paid = [md for md in due if month in md.paid]
    return MonthDues(
        month=month,
        due_count=len(due),
        paid_count=len(paid),
        due_amount=sum((md.due[month] for md in due), ZERO),
        paid_amount=sum((md.paid[month] for md in paid), ZERO),
    )


def branch_month_rates(root, year: int, *, today: date | None = None) -> list[dict]:
    """Per branch, the collection rate of each month of `year` up to the current month."""
    today = _today(today)
    last = min(date(year, 12, 1), month_of(today))
    months = [date(year, m, 1) for m in range(1, last.month + 1)] if last.year == year else []
    grid = dues_grid(members_for(root, include_suspended=True), until=last, since=date(year, 1, 1)) if months else {}
    acc: dict[int, dict[date, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO]))
    for md in grid.values():
        for m, a in md.due.items():
            cell = acc[md.branch_id][m]
            cell[0] += a
            if m in md.paid:
                cell[1] += md.paid[m]
    out = []
    for b in branches_under(root):
        cells = acc.get(b["branch_id"], {})
        out.append({**b, "months": [(m, _rate(cells[m][1], cells[m][0]) if m in cells else None) for m in months]})
    return out


def member_dues(member, *, today: date | None = None, year: int | None = None) -> dict:
    """One member's dues: what is due, paid and in arrears (我的党费 and the staff view)."""
    from dangjian.dues.models import DuesBase, Payment, Reduction
    from dangjian.members.models import Member

    today = _today(today)
    year = year or today.year
    until = last_completed_month(today)
    grid = dues_grid(Member.objects.filter(pk=member.pk), until=max(until, date(year, 12, 1)))
    md = grid.get(member.pk) or MemberDues(member.pk, member.name, member.branch_id)
    arrears = md.arrears_months(until)
    months = []
    for m in range(1, 13):
        d = date(year, m, 1)
        status = "none"
        if d in md.paid:
            status = "paid" if d in md.on_time else "late"
        elif d in md.host_paid:
            status = "host"  # paid at the 流入地 (issue 20)
        elif d in md.due:
            status = "arrears" if d <= until else "open"
        months.append({"month": d, "due": md.due.get(d), "paid": md.paid.get(d), "status": status})
    return {
        "member": member,
        "year": year,
        "base": DuesBase.objects.filter(member=member, year=year).first(),
        "reductions": list(Reduction.objects.filter(member=member, year=year)),
        "months": months,
        "due_year": md.due_in(date(year, 1, 1), date(year, 12, 1)),
        "paid_year": md.paid_in(date(year, 1, 1), date(year, 12, 1)),
        "arrears_months": arrears,
        "arrears_amount": sum((md.due[m] for m in arrears), ZERO),
        "streak": md.unpaid_streak(until),
        "level": art9_level(md.unpaid_streak(until)),
        "payments": list(
            # 冲红 payments stay in the list, struck through with their reason (dues.voids).
            Payment.objects.filter(member=member)
            .select_related("collector", "void", "void__voided_by")
            .order_by("-paid_on", "-id")[:60]
        ),
        "unpaid_due": sorted(m for m in md.due if m not in md.paid),
        **_adjustments(member, year),
    }


def _adjustments(member, year: int) -> dict:
    """The year's mid-year base changes and the 流入地 payment records (2 queries)."""
    from dangjian.dues.models import BaseChange, HostDuesRecord

    return {
        "midyear_allowed": rulesettings.base_midyear_change(),
        "host_evidence": HostDuesRecord.Evidence.choices,
        "base_changes": list(BaseChange.objects.filter(base__member=member, base__year=year).order_by("from_month")),
        "host_records": list(
            HostDuesRecord.objects.filter(
                member=member, first_month__lte=date(year, 12, 1), last_month__gte=date(year, 1, 1)
            ).order_by("first_month")
        ),
    }


def prefill_bases(branch, year: int) -> list[dict]:
    """The yearly base screen: every current member with this year's base, else last year's,
    else the roster's dues category. 3 queries."""
    from dangjian.dues.models import DuesBase
    from dangjian.rules.dues import DuesCategory, normalize_category
    from dangjian.rules.errors import RuleError

    members = list(
        members_for(branch)
        .filter(is_current=True)
        .order_by("name_pinyin", "id")
        .values_list("id", "name", "dues_category")
    )
    ids = [m[0] for m in members]
    found: dict[tuple[int, int], DuesBase] = {
        (b.member_id, b.year): b for b in DuesBase.objects.filter(member_id__in=ids, year__in=[year, year - 1])
    }
    rows = []
    for mid, name, roster_category in members:
        this, last = found.get((mid, year)), found.get((mid, year - 1))
        src = this or last
        try:
            fallback = normalize_category(roster_category)
        except RuleError:
            fallback = DuesCategory.FARMER
        rows.append(
            {
                "member_id": mid,
                "name": name,
                "category": src.category if src else fallback,
                "base": src.base if src else None,
                "amount": this.amount if this else None,
                "from": "本年" if this else ("上年" if last else "名册"),
                "version": this.version if this else None,
            }
        )
    return rows


def ledger_rows(branch, year: int, *, today: date | None = None) -> tuple[list[str], list[list]]:
    """党费收缴台账: one row per member, the twelve months and the totals."""
    today = _today(today)
    first, last = year_window(year, today)
    grid = dues_grid(members_for(branch, include_suspended=True), until=date(year, 12, 1), since=date(year, 1, 1))
    headers = (
        ["姓名", "党费类别", "每月应交（元）"]
        + [f"{m}月" for m in range(1, 13)]
        + [
            "应交合计（截至上月）",
            "已交合计",
            "欠缴月数",
            "欠缴金额",
        ]
    )
    rows = []
    for md in grid.values():
        if not md.due and not md.paid and not md.host_paid:
            continue
        cells = []
        for m in range(1, 13):
            d = date(year, m, 1)
            if d in md.paid:
                cells.append(float(md.paid[d]))
            elif d in md.host_paid:
                cells.append("流入地")  # paid at the 流入地 (HostDuesRecord), not owed here
            elif d in md.due:
                cells.append("欠" if d <= last else "")
            else:
                cells.append("—")
        owed = md.arrears_months(last, first) if first <= last else []
        rows.append(
            [md.name, md.category, float(md.monthly or 0), *cells]
            + [
                float(md.due_in(first, last)) if first <= last else 0.0,
                float(md.paid_in(first, last)) if first <= last else 0.0,
                len(owed),
                float(sum((md.due[m] for m in owed), ZERO)),
            ]
        )
    return headers, rows


def notice(root, year: int, *, today: date | None = None) -> dict:
    """年度党费收缴和使用情况公示（中组发〔2008〕3号：每年向党员公布一次）。"""
    from dangjian.dues.models import Expenditure, Payment

    today = _today(today)
    summary = dues_summary(root, year, today=today)
    # 冲红 payments do not count (dues.voids.live_payments).
    collected = Payment.objects.filter(
        member__branch__path__startswith=root.path, paid_on__year=year, void__isnull=True
    )
    # Quantized: SQLite sums decimals as floats ("54735.9299999999 元" on the notice).
    regular = _cents(collected.exclude(kind="自愿").aggregate(s=Sum("amount"))["s"])
    voluntary = _cents(collected.filter(kind="自愿").aggregate(s=Sum("amount"))["s"])
    to_centre = _cents(collected.filter(kind="自愿", amount__gte=Decimal(1000)).aggregate(s=Sum("amount"))["s"])
    spending = list(Expenditure.objects.filter(org__path__startswith=root.path, year=year).select_related("org"))
    spent = sum((e.amount for e in spending), ZERO)
    return {
        "root": root,
        "year": year,
        "summary": summary,
        "collected": regular,
        "voluntary": voluntary,
        "to_centre": to_centre,
        "spending": spending,
        "spent": spent,
    }


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def expected_next_month(today: date) -> date:
    return add_months(month_of(today), 1)


def member_year_dues(root, year: int, *, today: date | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """{member_id: (due, paid)} over the months of `year` fallen due by `today` (the 民主评议
    references beside each member). {} before any month of the year has fallen due."""
    first, last = year_window(year, _today(today))
    return {
        mid: (md.due_in(first, last), md.paid_in(first, last)) for mid, md in year_grid(root, year, today=today).items()
    }


def bases_set_under(root, year: int) -> int:
    """How many members of `root`'s subtree have a 党费基数 for `year` (the 从零开始 checklist)."""
    from dangjian.dues.models import DuesBase

    return DuesBase.objects.filter(member__branch__path__startswith=root.path, year=year).count()

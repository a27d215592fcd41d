"""Demo 党费 from ctx.start (January 2023) up to ctx.today, with the survey report's pattern:
most members pay on time (monthly, some by the quarter), some are chased and pay late in
bunches, a few are long in arrears (some past the six-month line of 党章 Art. 9, some in the
early-warning band). Members who rarely attend meetings mostly still pay on time (the
report's "pay but never take part"); those who stopped attending altogether often stopped
paying too. Everything is bulk-inserted; receipts are numbered per branch and year.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q

from dangjian.core.audit import log_bulk
from dangjian.demo.context import DemoContext
from dangjian.dues.models import BranchDuesSetting, DuesBase, Expenditure, PaidMonth, Payment, Reduction
from dangjian.dues.months import add_months, month_end, month_of, months_between
from dangjian.rules.dues import monthly_dues, normalize_category
from dangjian.rules.errors import RuleError

BATCH = 5000
FARMER_CHOICES = [Decimal("0.20"), Decimal("0.50"), Decimal("0.50"), Decimal("1.00")]
SPENDING = [
    ("党员教育培训资料及教材", 2000, 6000),
    ("慰问生活困难党员和老党员", 3000, 9000),
    ("表彰先进基层党组织和优秀党员", 1500, 5000),
    ("党员活动室维修及设施补充", 1000, 4000),
]


def _attendance_rates() -> dict[int, tuple[int, int]]:
    """{member_id: (present, recorded)} from the meetings demo (one query; empty without it)."""
    try:
        from dangjian.meetings.models import Attendance
    except ImportError:  # pragma: no cover
        return {}
    rows = Attendance.objects.values("member_id").annotate(
        present=Count("id", filter=Q(status=Attendance.Status.PRESENT) | Q(attended_elsewhere=True)), n=Count("id")
    )
    return {r["member_id"]: (r["present"], r["n"]) for r in rows}


def _profile(rng, member, rate) -> tuple[str, int]:
    """('ontime'|'quarterly'|'chased'|'arrears', months of current arrears)."""
    present, n = rate or (0, 0)
    if n >= 6 and present / n < 0.4:
        # Rarely attends. Most still pay on time; a third stopped paying as well.
        if rng.random() < 0.33:
            return "arrears", rng.choice([4, 5, 6, 7, 9, 12])
        return "ontime", 0
    x = rng.random()
    if x < 0.02:
        return "arrears", rng.choice([4, 5, 6, 7, 8, 10, 14])
    if x < 0.14:
        return "chased", 0
    if x < 0.55:  # rural members often pay by the quarter (branch consent, 中组发〔2008〕3号)
        return "quarterly", 0
    return "ontime", 0


def _category(member) -> str:
    try:
        return normalize_category(member.dues_category)
    except RuleError:
        return "农民"


def load(ctx: DemoContext) -> None:  # noqa: C901 (one pass over members and months)
    rng = ctx.rng_for("dues")
    today = ctx.today
    start = month_of(ctx.start)
    last_done = add_months(month_of(today), -1)
    years = list(range(start.year, today.year + 1))
    rates = _attendance_rates()

    settings_rows, farmer_of = [], {}
    for b in ctx.branches:
        amount = rng.choice(FARMER_CHOICES)
        farmer_of[b.pk] = amount
        settings_rows.append(
            BranchDuesSetting(
                branch=b, farmer_amount=amount, decided_on=date(start.year, 1, 10), note="支部委员会研究确定"
            )
        )
    BranchDuesSetting.objects.bulk_create(settings_rows, batch_size=BATCH)

    bases: list[DuesBase] = []
    reductions: list[Reduction] = []
    payments: list[Payment] = []
    month_rows: list[tuple[int, list[tuple[date, Decimal, bool]]]] = []  # per payment index
    n_reduced = 0
    for b in ctx.branches:
        for m in ctx.members_by_branch.get(b.pk, []):
            cat = _category(m)
            salary = None
            if cat == "在职":
                salary = Decimal(rng.randrange(2200, 13000, 50))
            elif cat == "离退休":
                salary = Decimal(rng.randrange(2600, 6800, 50))
            amounts: dict[int, Decimal] = {}
            for y in years:
                base = salary * (Decimal("1.03") ** (y - start.year)) if salary is not None else None
                base = base.quantize(Decimal("1")) if base is not None else None
                amount = monthly_dues(cat, base, farmer_amount=farmer_of[b.pk])
                amounts[y] = amount
                bases.append(DuesBase(member=m, year=y, category=cat, base=base, amount=amount))
            reduced: dict[int, Decimal] = {}
            if cat == "在职" and n_reduced < max(2, len(ctx.branches) // 10) and rng.random() < 0.03:
                n_reduced += 1
                y = years[-1]
                reductions.append(
                    Reduction(
                        member=m,
                        year=y,
                        kind=Reduction.Kind.REDUCE,
                        from_month=3,
                        to_month=12,
                        monthly_amount=(amounts[y] / 2).quantize(Decimal("0.01")),
                        reason="家庭遭受重大变故，生活困难",
                        decision_meeting="支部委员会会议",
                        decision_date=date(y, 2, 20),
                        decision_reference=f"{b.short_name or b.name}支委会〔{y}〕2号",
                        approval_body="镇党委",
                        approval_reference=f"镇党委〔{y}〕15号",
                    )
                )
                for mo in range(3, 13):
                    reduced[y * 100 + mo] = (amounts[y] / 2).quantize(Decimal("0.01"))

            first = max(start, month_of(m.joined_on))
            last = month_of(m.left_on) if (not m.is_current and m.left_on) else month_of(today)
            months = months_between(first, last)
            if not months:
                continue
            kind, gap = _profile(rng, m, rates.get(m.pk))
            stop = add_months(last_done, -gap + 1) if kind == "arrears" else None

            def due(mo: date, reduced=reduced, amounts=amounts) -> Decimal:
                return reduced.get(mo.year * 100 + mo.month, amounts[mo.year])

            groups: list[tuple[list[date], date]] = []  # (months, paid_on)
            pending: list[date] = []
            for mo in months:
                if stop and mo >= stop:
                    break
                if kind == "quarterly":
                    if mo.month in (1, 4, 7, 10):
                        q = [x for x in (mo, add_months(mo, 1), add_months(mo, 2)) if x in months]
                        day = date(mo.year, mo.month, rng.randint(3, 25))
                        if day <= today:
                            groups.append((q, day))
                    continue
                if kind == "chased" and rng.random() < 0.3 and mo < last_done:
                    pending.append(mo)
                    continue
                pending.append(mo)
                if mo == month_of(today):
                    if today.day < 5 or rng.random() < 0.35:
                        pending.remove(mo)
                        break
                    day = date(mo.year, mo.month, rng.randint(1, today.day))
                else:
                    late = len(pending) > 1
                    pay_m = mo
                    day = date(pay_m.year, pay_m.month, rng.randint(1, 28))
                    if late:  # chased: paid the owed months together, within the month
                        day = date(pay_m.year, pay_m.month, rng.randint(10, 28))
                groups.append((pending, day))
                pending = []
            for ms, day in groups:
                amount = sum(due(x) for x in ms)
                if amount <= 0:
                    continue
                kind_ = Payment.Kind.MONTHLY
                if len(ms) == 3 and kind == "quarterly":
                    kind_ = Payment.Kind.QUARTERLY
                elif ms[0] < month_of(day):
                    kind_ = Payment.Kind.BACK
                payments.append(
                    Payment(
                        member=m,
                        branch=b,
                        receipt_year=day.year,
                        receipt_no=0,
                        kind=kind_,
                        first_month=ms[0],
                        months=len(ms),
                        amount=amount,
                        paid_on=day,
                        via=Payment.Via.THROUGH if getattr(m, "is_mobile", False) else Payment.Via.SELF,
                        via_name="家属转交" if getattr(m, "is_mobile", False) else "",
                    )
                )
                month_rows.append([(x, due(x), day <= month_end(x)) for x in ms])

    # 一次性自愿交纳（≥1000元全额上缴中央）: one per township.
    for t in ctx.townships:
        pool = [m for b in ctx.branches if b.path.startswith(t.path) for m in ctx.members_by_branch.get(b.pk, [])]
        if pool:
            m = rng.choice(pool)
            branch = next(b for b in ctx.branches if b.pk == m.branch_id)
            day = date(start.year + 1, 7, 1)
            if day <= today:
                payments.append(
                    Payment(
                        member=m,
                        branch=branch,
                        receipt_year=day.year,
                        receipt_no=0,
                        kind=Payment.Kind.VOLUNTARY,
                        months=0,
                        amount=Decimal(1000),
                        paid_on=day,
                        note="庆祝建党节自愿交纳",
                    )
                )
                month_rows.append([])

    # Receipts: consecutive per branch and year, in payment date order.
    order = sorted(
        range(len(payments)), key=lambda i: (payments[i].branch_id, payments[i].paid_on, payments[i].member_id)
    )
    counters: dict[tuple[int, int], int] = defaultdict(int)
    for i in order:
        p = payments[i]
        counters[(p.branch_id, p.receipt_year)] += 1
        p.receipt_no = counters[(p.branch_id, p.receipt_year)]

    DuesBase.objects.bulk_create(bases, batch_size=BATCH)
    Reduction.objects.bulk_create(reductions, batch_size=BATCH)
    planned = _plan_voids(ctx, payments, month_rows, bases)
    Payment.objects.bulk_create(payments, batch_size=BATCH)
    paid = [
        PaidMonth(payment=p, member_id=p.member_id, month=mo, amount=a, on_time=on_time)
        for p, rows in zip(payments, month_rows)
        for mo, a, on_time in rows
    ]
    PaidMonth.objects.bulk_create(paid, batch_size=BATCH)

    spending = []
    for t in ctx.townships:
        for y in years:
            for item, lo, hi in SPENDING:
                d = date(y, rng.randint(3, 11), rng.randint(1, 28))
                if d <= today:
                    spending.append(
                        Expenditure(
                            org=t,
                            year=y,
                            spent_on=d,
                            item=item,
                            amount=Decimal(rng.randrange(lo, hi, 100)),
                            approved_by="镇党委会议研究",
                        )
                    )
    Expenditure.objects.bulk_create(spending, batch_size=BATCH)
    log_bulk(settings_rows, note="演示数据")
    log_bulk(reductions, note="演示数据")
    # Payments are many (like attendance rows in the meetings demo) and not logged one by one.
    log_bulk(bases, note="演示数据")
    n_voids = _void_and_record_again(ctx, planned)
    ctx.say(
        f"党费基数 {len(bases):,} 条、交纳 {len(payments):,} 笔（{len(paid):,} 个月）、"
        f"减免 {len(reductions)} 条、冲红 {n_voids} 笔"
    )


VOID_REASONS = ["金额录错，按新基数重新登记", "交纳日期录错，按收据重新登记", "金额录错，按新基数重新登记"]


def _plan_voids(ctx: DemoContext, payments: list[Payment], month_rows: list, bases: list[DuesBase]) -> list:
    """Pick up to three single-month payments of the current year (before this month, in a
    branch with a demo secretary login) to be voided after the insert. Their own rng stream,
    so every other figure stays as the "dues" stream made it. For an amount mistake the
    original is entered with last year's base (the realistic slip in January–March); the
    month is then recorded again at the right amount, so the final grid is unchanged.
    Returns [(payment, reason, correct paid_on)]."""
    rng = ctx.rng_for("dues-voids")
    today = ctx.today
    year = add_months(month_of(today), -1).year  # in January, last year's (nothing of this year is done)
    base_of = {(b.member_id, b.year): b for b in bases}
    secretaries = {k.split(":", 1)[1] for k in ctx.users if k.startswith("secretary:")}
    pool = [
        i
        for i, p in enumerate(payments)
        if p.receipt_year == year
        and p.kind == Payment.Kind.MONTHLY
        and p.months == 1
        and p.first_month < month_of(today)
        and str(p.branch_id) in secretaries
        and p.member.is_current
        and base_of.get((p.member_id, year)) is not None
        and base_of[(p.member_id, year)].base is not None
    ]
    picked, used_members = [], set()
    for i in rng.sample(pool, len(pool)):
        p = payments[i]
        if p.member_id in used_members:
            continue
        reason = VOID_REASONS[len(picked)]
        if reason.startswith("金额"):
            b = base_of[(p.member_id, year)]
            old = (b.base / Decimal("1.03")).quantize(Decimal("1"))
            slip = monthly_dues(b.category, old, farmer_amount=Decimal(0))
            if slip == p.amount:
                continue
            p.amount = slip
            month_rows[i] = [(mo, slip, on_time) for mo, _a, on_time in month_rows[i]]
            paid_on = p.paid_on
        else:
            # The receipt says another day of the same month; the entry had the wrong one.
            paid_on = p.paid_on
            p.paid_on = date(paid_on.year, paid_on.month, 1 + (paid_on.day + 9) % 28)
        picked.append((p, reason, paid_on))
        used_members.add(p.member_id)
        if len(picked) == len(VOID_REASONS):
            break
    return picked


def _void_and_record_again(ctx: DemoContext, planned: list) -> int:
    """冲红 through the real service (audited, months moved out), then the month recorded again."""
    from dangjian.dues.services import record_payment
    from dangjian.dues.voids import void_payment

    for p, reason, paid_on in planned:
        user = ctx.users.get(f"secretary:{p.branch_id}")
        voided_on = min(ctx.today, max(p.paid_on, paid_on) + timedelta(days=3))
        void_payment(payment=p, reason=reason, user=user, today=voided_on)
        record_payment(
            member=p.member, months=[p.first_month], paid_on=paid_on, collector=user, via=p.via, via_name=p.via_name
        )
    return len(planned)

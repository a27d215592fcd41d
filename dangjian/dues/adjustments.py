"""Writes that change what a member owes without a receipt here (issue 20): a mid-year base
change from an effective month, and months a 流动党员 paid at the 流入地.

Both are additive: the year's DuesBase and the branch's payments stay as they are; the grid
(dues.grid) reads these rows. Every row is audited by auditlog (bulk rows with log_bulk).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from dangjian.core.audit import log_bulk
from dangjian.core.cache import writes_in
from dangjian.core.rulesettings import base_midyear_change
from dangjian.dues.models import BaseChange, DuesBase, HostDuesRecord, HostPaidMonth, PaidMonth
from dangjian.dues.months import add_months, label, month_diff, month_of
from dangjian.dues.services import DuesError, compute_amount
from dangjian.rules.dues import BASE_CHANGE_SOURCE, BASE_REQUIRED_CATEGORIES, normalize_category
from dangjian.rules.errors import RuleError


def record_base_change(
    *,
    member,
    year: int,
    from_month: int,
    category: str,
    base: Decimal | None,
    reason: str,
    evidence: str,
    user=None,
) -> BaseChange:
    """年内调整基数：自 from_month 起按新的类别和基数计算，此前各月不变（不追溯重算已过的月份）。
    Allowed only where the township adjusts within the year (setting DUES_BASE_MIDYEAR_CHANGE)."""
    if not base_midyear_change():
        raise DuesError(f"本镇党费基数每年核定一次，年内不调整（{BASE_CHANGE_SOURCE}）")
    if not 2 <= from_month <= 12:
        raise DuesError("年内调整应从2月至12月中的某月起；从1月起请直接核定该年度基数")
    if not reason.strip() or not evidence.strip():
        raise DuesError("请填写调整原因和依据（如工资变动证明、退休审批、支部决定）")
    year_base = DuesBase.objects.filter(member=member, year=year).first()
    if year_base is None:
        raise DuesError(f"{member.name}{year}年的党费基数尚未核定，请先核定年度基数")
    try:
        cat = normalize_category(category)
    except RuleError as exc:
        raise DuesError(exc.message) from None
    amount = compute_amount(branch=member.branch, category=cat, base=base)
    paid_after = list(
        PaidMonth.objects.filter(member=member, month__gte=date(year, from_month, 1), month__lte=date(year, 12, 1))
        .order_by("month")
        .values_list("month", flat=True)
    )
    if paid_after:
        # Months already paid at the old amount would silently differ from what is now due.
        raise DuesError(
            "以下月份已按原基数交纳，调整月份应在其后，或先更正交纳记录：" + "、".join(label(m) for m in paid_after)
        )
    with transaction.atomic():
        change, _ = BaseChange.objects.update_or_create(
            base=year_base,
            from_month=from_month,
            defaults={
                "category": cat,
                "new_base": base if cat in BASE_REQUIRED_CATEGORIES else None,
                "amount": amount,
                "reason": reason.strip()[:200],
                "evidence": evidence.strip()[:200],
                "set_by": user,
            },
        )
    return change


def record_host_payment(
    *,
    member,
    host_org: str,
    first_month: date,
    last_month: date,
    evidence_kind: str,
    evidence_reference: str,
    confirmed_on: date,
    amount: Decimal | None = None,
    note: str = "",
    user=None,
    today: date,
) -> HostDuesRecord:
    """流动党员在流入地交纳党费（RULES.md §8：持活动证的党员在流入地交纳党费, M）：所列月份不再
    计为本支部欠缴，也不计入党章第九条的连续未交月数。须写明流入地党组织和凭据。"""
    if not member.is_current:
        raise DuesError(f"{member.name}已不在册")
    if not member.is_mobile:
        raise DuesError(f"{member.name}未登记为流动党员；请先办理外出流动登记，再登记在流入地交纳的党费")
    if not host_org.strip():
        raise DuesError("请填写流入地党组织名称")
    if evidence_kind not in HostDuesRecord.Evidence.values or not evidence_reference.strip():
        raise DuesError("请选择凭据类型并填写凭据编号或说明（活动证记载、流入地证明或收据）")
    if confirmed_on > today:
        raise DuesError("核实日期不能晚于今天")
    if amount is not None and amount < 0:
        raise DuesError("金额不能为负数")
    first, last = month_of(first_month), month_of(last_month)
    if first > last:
        raise DuesError("起始月份不能晚于截止月份")
    if last > month_of(today):
        raise DuesError("只能登记已在流入地交纳的月份（不晚于本月）")
    if member.mobile_since and first < month_of(member.mobile_since):
        raise DuesError(f"起始月份早于外出日期（{member.mobile_since:%Y年%-m月}）")
    months = [add_months(first, i) for i in range(month_diff(last, first) + 1)]
    here = list(PaidMonth.objects.filter(member=member, month__in=months).values_list("month", flat=True))
    if here:
        raise DuesError("以下月份已在本支部交纳，不能重复登记：" + "、".join(label(m) for m in sorted(here)))
    twice = list(HostPaidMonth.objects.filter(member=member, month__in=months).values_list("month", flat=True))
    if twice:
        raise DuesError("以下月份已登记在流入地交纳：" + "、".join(label(m) for m in sorted(twice)))
    with transaction.atomic(), writes_in(member.branch):  # the member's months, in bulk (services.set_bases)
        record = HostDuesRecord.objects.create(
            member=member,
            host_org=host_org.strip()[:100],
            first_month=first,
            last_month=last,
            amount=amount,
            evidence_kind=evidence_kind,
            evidence_reference=evidence_reference.strip()[:100],
            confirmed_on=confirmed_on,
            note=note.strip()[:200],
            created_by=user,
        )
        rows = HostPaidMonth.objects.bulk_create([HostPaidMonth(record=record, member=member, month=m) for m in months])
        log_bulk(rows, action="create", note=f"在{record.host_org}交纳党费")
    return record

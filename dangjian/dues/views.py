"""Views for 党费: parse input, call a service or selector, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import PHONE_REVEAL_ROLES, STAFF_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import get_in_scope, orgs_in_scope, scope_root
from dangjian.core import clock, params
from dangjian.core.spreadsheet import hold_preview, posted_preview, release_preview
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.dues import ledger as dues_ledger
from dangjian.dues import selectors, services, voids
from dangjian.dues.importer import StalePreview, apply_preview, preview, template_bytes
from dangjian.dues.models import Category, Payment, Reduction
from dangjian.dues.months import add_months, label, last_completed_month, month_of, parse_month
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_TYPES, Organization

MEMBER_ONLY = frozenset({Role.MEMBER})
LEADERS = frozenset({Role.ADMIN, Role.SECRETARY})


def _int(value, default=None):
    """A number from the query string (core.params: one policy; a value no key can hold → default)."""
    return params.integer({"v": value}, "v", default=default, lo=-params.MAX_ID, hi=params.MAX_ID)


def _decimal(value) -> Decimal | None:
    try:
        text = str(value or "").strip().replace(",", "")
        return Decimal(text) if text else None
    except InvalidOperation:
        return None


def _year(request, source=None) -> int:
    return params.year(source or request.GET)


def _date(value, default: date) -> date:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return default


def _root(request, source=None):
    bid = params.branch(source or request.GET)
    if bid:
        return get_in_scope(request.user, Organization, bid)
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有关联党组织")
    return root


def _branch(request, source=None):
    """A single branch: ?branch=<id> in scope, else the first branch in scope."""
    bid = params.branch(source or request.GET)
    if bid:
        org = get_in_scope(request.user, Organization, bid)
        if org.org_type not in BRANCH_TYPES:
            raise Http404("请选择党支部")
        return org
    first = orgs_in_scope(request.user, branches_only=True).first()
    if first is None:
        raise Http404("您的权限范围内没有党支部")
    return first


def _branch_choices(user):
    return list(orgs_in_scope(user, branches_only=True))


# --- monthly collection ---------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def collect(request):
    today = clock.today()
    branch = _branch(request)
    month = parse_month(request.GET.get("month"), month_of(today))
    if month > add_months(month_of(today), selectors.prepay_months()):
        month = month_of(today)
    screen = voids.mark_voided(selectors.month_collection(branch, month))
    return render(
        request,
        "dues/collect.html",
        {
            "branch": branch,
            "branches": _branch_choices(request.user),
            "screen": screen,
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "prev": f"{add_months(month, -1):%Y-%m}",
            "next": f"{add_months(month, 1):%Y-%m}",
            "today": today,
            "can_write": request.user.role in WRITER_ROLES,
            "year_rates": selectors.branch_month_rates(branch, month.year, today=today)[0]["months"],
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
@require_POST
def collect_save(request):
    today = clock.today()
    branch = _branch(request, request.POST)
    month = parse_month(request.POST.get("month"), month_of(today))
    paid_on = min(_date(request.POST.get("paid_on"), today), today)
    ids = [i for i in (_int(x) for x in request.POST.getlist("paid")) if i]
    url = reverse("dues:collect") + f"?branch={branch.pk}&month={month:%Y-%m}"
    if not ids:
        messages.warning(request, "没有勾选交纳的党员。")
        return redirect(url)
    if request.POST.get("confirmed") != "1":
        # A confirmation stating the count and the total comes before anything is saved.
        screen = selectors.month_collection(branch, month)
        chosen = set(ids)
        rows = [r for r in screen["rows"] if r["member_id"] in chosen and not r["paid"]]
        skipped = sum(1 for r in screen["rows"] if r["member_id"] in chosen and r["paid"])
        if not rows:
            messages.info(request, "勾选的党员本月已交纳，未重复登记。")
            return redirect(url)
        return render(
            request,
            "dues/collect_confirm.html",
            {
                "branch": branch,
                "month": month,
                "month_value": f"{month:%Y-%m}",
                "paid_on": paid_on,
                "rows": rows,
                "skipped": skipped,
                "total": sum((r["amount"] for r in rows), Decimal("0")),
            },
        )
    try:
        done = services.collect_month(
            branch=branch, month=month, member_ids=ids, paid_on=paid_on, collector=request.user
        )
    except services.DuesError as exc:
        messages.error(request, exc.message)
        return redirect(url)
    if done:
        first, last = done[0].receipt_no, done[-1].receipt_no
        messages.success(
            request, f"已登记 {len(done)} 人{label(month)}党费，收据 {paid_on.year}年第{first:04d}—{last:04d}号。"
        )
    else:
        messages.info(request, "勾选的党员本月已交纳，未重复登记。")
    return redirect(url)


# --- arrears (催缴) ---------------------------------------------------------------------
def _phones(request, rows):
    """Full numbers only for PHONE_REVEAL_ROLES, each reveal logged by members.services."""
    if request.user.role not in PHONE_REVEAL_ROLES or request.GET.get("phones") != "1":
        return {}
    from dangjian.members.services import reveal_phone

    members = Member.objects.filter(pk__in=[r["member_id"] for r in rows])
    addr = request.META.get("REMOTE_ADDR")
    return {m.pk: reveal_phone(request.user, m, addr) for m in members}


@scoped(roles=STAFF_ROLES)
def arrears(request):
    today = clock.today()
    root = _root(request)
    rows = selectors.arrears_list(root, today=today)
    only = request.GET.get("only")
    if only == "art9":
        rows = [r for r in rows if r["level"]]
    phones = _phones(request, rows)
    for r in rows:
        r["phone"] = phones.get(r["member_id"], r["phone_mask"])
        r["months_label"] = "、".join(f"{m.year}.{m.month}" for m in r["months"][:12]) + (
            "……" if len(r["months"]) > 12 else ""
        )
    return render(
        request,
        "dues/arrears.html",
        {
            "root": root,
            "rows": rows,
            "through": last_completed_month(today),
            "branches": _branch_choices(request.user),
            "can_reveal": request.user.role in PHONE_REVEAL_ROLES,
            "revealed": bool(phones),
            "only": only,
            "total": sum((r["amount"] for r in rows), Decimal("0")),
        },
    )


# --- one member -----------------------------------------------------------------------
@scoped(roles=STAFF_ROLES, member=Member)
def member_detail(request, member):
    today = clock.today()
    data = selectors.member_dues(member, today=today, year=_year(request))
    return render(
        request,
        "dues/member.html",
        {
            **data,
            "can_write": request.user.role in WRITER_ROLES,
            "today": today,
            "via_choices": Payment.Via.choices,
            "reduction_kinds": Reduction.Kind.choices,
            "months_range": range(1, 13),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, member=Member)
@require_POST
def pay(request, member):
    today = clock.today()
    months = sorted({parse_month(v, None) for v in request.POST.getlist("months")} - {None})
    paid_on = min(_date(request.POST.get("paid_on"), today), today)
    try:
        if request.POST.get("voluntary"):
            p = services.record_voluntary(
                member=member,
                amount=_decimal(request.POST.get("amount")),
                paid_on=paid_on,
                collector=request.user,
                note=request.POST.get("note", "")[:200],
            )
        else:
            p = services.record_payment(
                member=member,
                months=months,
                paid_on=paid_on,
                collector=request.user,
                via=request.POST.get("via", ""),
                via_name=request.POST.get("via_name", "")[:40],
                note=request.POST.get("note", "")[:200],
            )
        msg = f"已登记：{p.receipt_label}，{p.get_kind_display()} {p.amount} 元。"
        if p.goes_to_centre:
            msg += "一次性交纳1000元以上的党费全额上缴中央（中组发〔2008〕3号）。"
        messages.success(request, msg)
    except services.DuesError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("dues:member", args=[member.pk]))


@scoped(roles=WRITER_ROLES, write=True, payment=Payment)
def void(request, payment):
    """冲红: a confirmation page (GET) stating the receipt, member, months and amount, with the
    required reason; POST voids it (dues.voids) and returns to the member's page."""
    about = voids.void_preview(payment)
    error = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:200]
        try:
            voids.void_payment(payment=payment, reason=reason, user=request.user)
        except services.DuesError as exc:
            error = exc.message
        else:
            months = f"，{about.months_label}重新计为未交，可重新登记" if about.months else ""
            messages.success(request, f"已冲红{payment.receipt_label}（{payment.amount} 元）{months}。")
            return redirect(reverse("dues:member", args=[payment.member_id]) + f"?year={payment.paid_on.year}")
    return render(
        request,
        "dues/void_confirm.html",
        {"p": payment, "preview": about, "error": error, "reason": reason},
        status=400 if error else 200,
    )


@scoped(roles=WRITER_ROLES, write=True, member=Member)
@require_POST
def reduction_add(request, member):
    P = request.POST
    try:
        services.add_reduction(
            member=member,
            year=_year(request, P),
            kind=P.get("kind", ""),
            from_month=_int(P.get("from_month"), 0),
            to_month=_int(P.get("to_month"), 0),
            monthly_amount=_decimal(P.get("monthly_amount")) or Decimal("0"),
            reason=P.get("reason", "")[:200],
            decision_meeting=P.get("decision_meeting", "")[:100],
            decision_date=_date(P.get("decision_date"), None) if P.get("decision_date") else None,
            decision_reference=P.get("decision_reference", "")[:100],
            approval_body=P.get("approval_body", "")[:100],
            approval_reference=P.get("approval_reference", "")[:100],
            user=request.user,
        )
        messages.success(request, "减免已登记。")
    except services.DuesError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("dues:member", args=[member.pk]) + f"?year={_year(request, P)}")


@scoped(roles=MEMBER_ONLY)
def mine(request):
    member = request.user.member
    if member is None:
        raise Http404("账号未关联党员")
    data = selectors.member_dues(member, year=_year(request))
    return render(request, "dues/mine.html", data)


# --- yearly bases ---------------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def bases(request):
    branch = _branch(request)
    year = _year(request)
    return render(
        request,
        "dues/bases.html",
        {
            "branch": branch,
            "branches": _branch_choices(request.user),
            "year": year,
            "rows": selectors.prefill_bases(branch, year),
            "categories": Category.choices,
            "farmer_amount": selectors.farmer_amount_for(branch),
            "can_write": request.user.role in WRITER_ROLES,
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
@require_POST
def bases_save(request):
    branch = _branch(request, request.POST)
    year = _year(request, request.POST)
    rows, errors = [], []
    for mid in request.POST.getlist("member"):
        m = _int(mid)
        if m is None:
            continue
        cat = request.POST.get(f"category_{m}", "")
        raw = request.POST.get(f"base_{m}", "")
        base = _decimal(raw)
        if raw.strip() and base is None:
            errors.append(f"基数“{raw}”不是有效金额")
            continue
        rows.append(services.BaseRow(m, cat, base))
    url = reverse("dues:bases") + f"?branch={branch.pk}&year={year}"
    if errors:
        messages.error(request, "；".join(errors[:5]))
        return redirect(url)
    try:
        created, updated = services.set_bases(branch=branch, year=year, rows=rows, user=request.user)
        messages.success(request, f"{year}年党费基数已保存：新增 {created} 人，调整 {updated} 人。金额由规则计算。")
    except services.DuesError as exc:
        messages.error(request, f"未保存：{exc.message}")
    return redirect(url)


IMPORT_SESSION_KEY = "dues_bases_import"


@scoped(roles=WRITER_ROLES, write=True)
def import_view(request):
    """Upload → a checked preview (nothing written; the checked rows kept encrypted, the upload
    itself not stored) → 确认导入 writes exactly those rows, or refuses a stale preview."""
    source = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "upload") if request.method == "POST" else ""
    if action in ("confirm", "cancel"):
        return _import_confirm(request, action)
    branch = _branch(request, source)
    year = _year(request, source)
    if request.GET.get("template"):
        return xlsx_response(template_bytes(branch, year, request.user), f"{branch}{year}年党费基数导入模板.xlsx")
    ctx = {"branch": branch, "branches": _branch_choices(request.user), "year": year, "errors": []}
    if request.method != "POST":
        return render(request, "dues/import.html", {"categories": Category.values} | ctx)
    get_in_scope(request.user, Organization, branch.pk, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        ctx["errors"] = [(None, "", "请选择要导入的表格文件")]
        return render(request, "dues/import.html", {"categories": Category.values} | ctx, status=400)
    from django.conf import settings

    if upload.size > settings.UPLOAD_MAX_BYTES:
        ctx["errors"] = [(None, "", f"文件太大（上限 {settings.UPLOAD_MAX_BYTES // 1024 // 1024} MB）")]
        return render(request, "dues/import.html", {"categories": Category.values} | ctx, status=400)
    result = preview(branch=branch, year=year, data=upload.read(), filename=upload.name)
    ctx["preview"] = result
    if result.errors or not result.rows:
        ctx["errors"] = result.errors or [(None, "", "文件中没有数据行")]
        return render(request, "dues/import.html", {"categories": Category.values} | ctx, status=422)
    token = hold_preview(request.session, IMPORT_SESSION_KEY, result.to_state(), upload.name)
    ctx |= {"token": token, "file_name": upload.name[:200]}
    return render(request, "dues/import.html", {"categories": Category.values} | ctx)


def _import_confirm(request, action: str):
    posted = posted_preview(request.session, IMPORT_SESSION_KEY, request.POST.get("token", ""))
    token, state = posted.token, posted.state
    if action == "cancel":
        release_preview(request.session, IMPORT_SESSION_KEY)
        messages.info(request, "已取消，未导入任何数据。")
        return redirect(reverse("dues:import") + (f"?branch={state['branch']}&year={state['year']}" if state else ""))
    if state is None:
        branch = _branch(request, request.POST)
        year = _year(request, request.POST)
        ctx = {"branch": branch, "branches": _branch_choices(request.user), "year": year}
        return render(
            request,
            "dues/import.html",
            {"categories": Category.values} | ctx | {"errors": [(None, "", posted.refused)]},
            status=400,
        )
    branch = get_in_scope(request.user, Organization, state["branch"], write=True)
    url = reverse("dues:bases") + f"?branch={branch.pk}&year={state['year']}"
    try:
        created, updated = apply_preview(state, branch=branch, user=request.user)
    except StalePreview as exc:
        release_preview(request.session, IMPORT_SESSION_KEY, token)
        ctx = {"branch": branch, "branches": _branch_choices(request.user), "year": state["year"]}
        return render(
            request,
            "dues/import.html",
            {"categories": Category.values} | ctx | {"errors": [(None, "", exc.message)]},
            status=409,
        )
    release_preview(request.session, IMPORT_SESSION_KEY, token)
    n = len(state["rows"])
    messages.success(
        request,
        f"已导入 {n} 名党员的{state['year']}年党费基数：新增 {created} 人，调整 {updated} 人，"
        f"无变化 {n - created - updated} 人。金额由规则计算。",
    )
    return redirect(url)


@scoped(roles=STAFF_ROLES)
def branch_settings(request):
    branch = _branch(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if request.user.role not in WRITER_ROLES:
            raise PermissionDenied("您的角色无权修改")
        get_in_scope(request.user, Organization, branch.pk, write=True)
        amount = _decimal(request.POST.get("farmer_amount"))
        try:
            if amount is None:
                raise services.DuesError("请填写金额")
            n = services.set_farmer_amount(
                branch=branch,
                amount=amount,
                decided_on=_date(request.POST.get("decided_on"), clock.today()),
                note=request.POST.get("note", "")[:200],
                user=request.user,
                year=clock.today().year,
            )
            messages.success(request, f"已保存。本年及以后 {n} 名农民党员的应交金额已按新标准重新计算。")
        except services.DuesError as exc:
            messages.error(request, exc.message)
        return redirect(reverse("dues:settings") + f"?branch={branch.pk}")
    return render(
        request,
        "dues/settings.html",
        {
            "branch": branch,
            "branches": _branch_choices(request.user),
            "farmer_amount": selectors.farmer_amount_for(branch),
            "can_write": request.user.role in WRITER_ROLES,
            "rounding": selectors.rounding(),
            "backpay": selectors.backpay_months(),
        },
    )


# --- ledgers and summaries --------------------------------------------------------------
@scoped(roles=STAFF_ROLES)
def ledger(request):
    branch = _branch(request)
    year = _year(request)
    headers, rows = selectors.ledger_rows(branch, year)
    # With the 收据登记 sheet: every receipt of the year, 冲红 ones struck through (dues.ledger).
    content = dues_ledger.ledger_workbook(branch=branch, year=year, headers=headers, rows=rows, user=request.user)
    return xlsx_response(content, f"{branch}{year}年党费收缴台账.xlsx")


@scoped(roles=STAFF_ROLES)
def summary(request):
    today = clock.today()
    root = _root(request)
    year = _year(request)
    data = selectors.dues_summary(root, year, today=today)
    if request.GET.get("format") == "xlsx":
        rows = [[b.branch, float(b.due), float(b.paid), round(b.rate * 100, 1)] for b in data.by_branch]
        rows.append(["合计", float(data.due), float(data.paid), round(data.rate * 100, 1)])
        content = ledger_bytes(
            title="党费收缴汇总",
            headers=["党支部", "应交（元）", "已交（元）", "收缴率（%）"],
            rows=rows,
            org=root.name,
            period=f"{year}年（截至{label(data.through)}）" if data.through else f"{year}年",
            user=request.user,
        )
        return xlsx_response(content, f"{root}{year}年党费收缴汇总.xlsx")
    return render(
        request,
        "dues/summary.html",
        {
            "root": root,
            "year": year,
            "data": data,
            "rates": selectors.branch_month_rates(root, year, today=today),
            "years": range(2023, today.year + 1),
        },
    )


@scoped(roles=STAFF_ROLES)
def notice(request):
    root = _root(request)
    year = _year(request)
    data = selectors.notice(root, year)
    if request.GET.get("format") == "xlsx":
        s = data["summary"]
        rows = [[b.branch, float(b.due), float(b.paid), round(b.rate * 100, 1)] for b in s.by_branch]
        spending = [[e.spent_on, str(e.org), e.item, float(e.amount), e.approved_by] for e in data["spending"]]
        content = ledger_bytes(
            title="党费收缴使用情况公示",
            headers=["党支部", "应交（元）", "已交（元）", "收缴率（%）"],
            rows=rows,
            org=root.name,
            period=f"{year}年",
            user=request.user,
            extra_sheets=[
                ("党费使用", ["日期", "党组织", "用途", "金额（元）", "审批"], spending),
                (
                    "合计",
                    ["项目", "金额（元）"],
                    [
                        ["收缴党费", float(data["collected"])],
                        ["自愿交纳", float(data["voluntary"])],
                        ["其中全额上缴中央", float(data["to_centre"])],
                        ["使用合计", float(data["spent"])],
                    ],
                ),
            ],
        )
        return xlsx_response(content, f"{root}{year}年党费收缴使用情况公示.xlsx")
    return render(
        request, "dues/notice.html", {**data, "can_add": request.user.role in LEADERS, "today": clock.today()}
    )


@scoped(roles=LEADERS, write=True)
@require_POST
def expenditure_add(request):
    root = _root(request, request.POST)
    get_in_scope(request.user, Organization, root.pk, write=True)
    year = _year(request, request.POST)
    try:
        services.add_expenditure(
            org=root,
            year=year,
            spent_on=_date(request.POST.get("spent_on"), clock.today()),
            item=request.POST.get("item", "")[:200],
            amount=_decimal(request.POST.get("amount")),
            approved_by=request.POST.get("approved_by", "")[:100],
            user=request.user,
        )
        messages.success(request, "已登记党费使用。")
    except services.DuesError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("dues:notice") + f"?branch={root.pk}&year={year}")

"""敏感信息查看记录: every reveal of a full 公民身份号码 or phone and every full-ID export —
who, whose, when, from where, why — for the township administrator, filterable, exportable."""

from datetime import datetime, time

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from dangjian.accounts.access import scoped
from dangjian.accounts.models import RevealEvent, User
from dangjian.accounts.roles import ADMIN_ONLY
from dangjian.accounts.scope import scope_root, visible_to
from dangjian.core.dates import parse_date
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.rules.errors import RuleError

HEADERS = ["时间", "查看人", "账号", "事项", "党员", "说明", "用途", "来源地址"]


def _filtered(request):
    qs = visible_to(request.user, RevealEvent).select_related("user", "member").order_by("-at", "-pk")
    g = request.GET
    notes = []
    if g.get("user", "").isdigit():
        qs = qs.filter(user_id=int(g["user"]))
        notes.append("指定查看人")
    if g.get("kind") in RevealEvent.Kind.values:
        qs = qs.filter(kind=g["kind"])
        notes.append(RevealEvent.Kind(g["kind"]).label)
    if g.get("q", "").strip():
        qs = qs.filter(member__name__contains=g["q"].strip()[:40])
        notes.append(f"党员姓名含“{g['q'].strip()[:40]}”")
    tz = timezone.get_current_timezone()
    for key, op, at in (("from", "gte", time.min), ("to", "lte", time.max)):
        try:
            day = parse_date(g.get(key, "")).date if g.get(key) else None
        except RuleError:  # a bad date is ignored, and said so
            day = None
            notes.append(f"日期“{g.get(key)[:20]}”无法识别，已忽略")
        if day:
            qs = qs.filter(**{f"at__{op}": datetime.combine(day, at, tzinfo=tz)})
            notes.append(("自" if key == "from" else "至") + day.isoformat())
    return qs, "；".join(notes)


def _row(e: RevealEvent) -> list:
    return [
        timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
        e.user.display_name,
        e.user.username,
        e.get_kind_display(),
        e.member.name if e.member_id else "",
        e.detail,
        e.purpose,
        e.remote_addr or "",
    ]


@scoped(roles=ADMIN_ONLY)
def reveal_list(request):
    qs, notes = _filtered(request)
    if request.GET.get("export") == "1":
        rows = (_row(e) for e in qs[:50000])
        content = ledger_bytes(
            title="敏感信息查看记录",
            headers=HEADERS,
            rows=rows,
            org=str(scope_root(request.user) or ""),
            user=request.user,
            filters=notes,
        )
        return xlsx_response(content, "敏感信息查看记录.xlsx")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    viewers = visible_to(request.user, User).filter(reveals__isnull=False).distinct().order_by("username")
    return render(
        request,
        "accounts/reveals.html",
        {
            "page": page,
            "rows": [(e, _row(e)) for e in page],
            "notes": notes,
            "viewers": viewers,
            "kinds": RevealEvent.Kind.choices,
            "g": request.GET,
        },
    )

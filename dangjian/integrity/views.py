from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, TOWNSHIP_ROLES
from dangjian.accounts.scope import scope_root
from dangjian.core import clock
from dangjian.core.xlsx import ledger_bytes, xlsx_response
from dangjian.integrity import selectors, services
from dangjian.integrity.forms import QueueFilter, ReviewForm, ScanForm
from dangjian.integrity.models import ScanRun, Signal

RECORD_URLS = {
    "meeting": ("meetings:detail", "meeting"),
    "member": ("members:detail", "member"),
    "material": ("study:material", "material"),
}


def _record_links(records: list[dict]) -> list[dict]:
    out = []
    for rec in records:
        url = None
        if rec["type"] in RECORD_URLS:
            name, kwarg = RECORD_URLS[rec["type"]]
            try:
                url = reverse(name, kwargs={kwarg: rec["id"]})
            except NoReverseMatch:
                url = None
        out.append({**rec, "url": url})
    return out


@scoped(roles=TOWNSHIP_ROLES)
def queue(request):
    form = QueueFilter(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    year = params.get("year")
    qs = selectors.queue(request.user, year=year, kind=params.get("kind"), status=params.get("status"))
    if request.GET.get("export") == "xlsx":
        rows = [
            (
                s.get_kind_display(),
                str(s.org),
                s.year,
                s.strength_label,
                s.title,
                s.explanation,
                s.get_status_display(),
                s.review_reason,
            )
            for s in qs
        ]
        content = ledger_bytes(
            title="诚信信号核查台账",
            headers=["类型", "党组织", "年度", "强度", "标题", "说明", "处理状态", "核查意见"],
            rows=rows,
            org=str(scope_root(request.user) or ""),
            period=f"{year}年" if year else "全部年度",
            user=request.user,
        )
        return xlsx_response(content, "诚信信号核查台账.xlsx")
    last_scan = ScanRun.objects.filter(org=scope_root(request.user)).order_by("-created_at").first()
    return render(
        request,
        "integrity/queue.html",
        {
            "form": form,
            "signals": qs[:300],
            "total": qs.count(),
            "last_scan": last_scan,
            "scan_form": ScanForm(initial={"year": year or clock.today().year}),
        },
    )


@scoped(roles=TOWNSHIP_ROLES, signal=Signal)
def signal_detail(request, signal):
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "normal":
                services.mark_normal(user=request.user, signal=signal, reason=data["reason"])
                messages.success(request, "已标记为正常。除非相关记录修改，该信号不会再出现在待处理队列。")
            elif data["action"] == "verify":
                services.mark_verify(user=request.user, signal=signal, reason=data["reason"])
                messages.success(request, "已标记为需核实。")
            else:
                services.to_finding(
                    user=request.user,
                    signal=signal,
                    deadline=data["deadline"],
                    responsible=data["responsible"],
                    measure=data["reason"],
                )
                messages.success(request, "已转为督查问题并生成整改事项。")
            return redirect("integrity:queue")
        except services.ReviewError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "integrity/signal.html",
        {
            "signal": signal,
            "records": _record_links(signal.records),
            "pair": selectors.text_pair(signal),
            "form": form,
        },
    )


@require_POST
# The scan writes signals: the administrator's job. The inspector writes signal reviews only.
@scoped(roles=ADMIN_ONLY)
def scan(request):
    form = ScanForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的年度")
        return redirect("integrity:queue")
    # The scan runs in the background (core.jobs, integrity.jobs): the page shows its progress.
    from dangjian.core import jobs
    from dangjian.integrity.jobs import steps

    year = form.cleaned_data["year"]
    job = jobs.start(request, "integrity_scan", total=steps(), params=f"year={year}", org=scope_root(request.user))
    return redirect("core:job", job=str(job.pk))

"""不合格党员处置: from an appraisal's result to the branch's decision, step by step with
documents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import can_write, visible_to
from dangjian.core import clock
from dangjian.core.concurrency import EditConflict
from dangjian.core.uploads import serve_upload
from dangjian.reviews import selectors, services
from dangjian.reviews.forms import DecisionForm, DisposalForm, StepForm, save_document
from dangjian.reviews.models import AppraisalEntry, Disposal, DisposalStep
from dangjian.reviews.views.common import form_error
from dangjian.rules.appraisal import CORRECTION_DEFAULT_MONTHS
from dangjian.rules.errors import RuleError

# --- 不合格党员处置 ------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def disposal_list(request):
    today = clock.today()
    qs = (
        visible_to(request.user, Disposal)
        .select_related("entry__member", "entry__appraisal__branch", "leaving_event")
        .order_by("-started_on", "-id")
    )
    return render(request, "reviews/disposals.html", {"disposals": qs, "today": today})


@scoped(roles=WRITER_ROLES, write=True, entry=AppraisalEntry)
def disposal_new(request, entry: AppraisalEntry):
    form = DisposalForm(
        request.POST or None, initial={"started_on": clock.today(), "months": CORRECTION_DEFAULT_MONTHS}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            disposal = services.start_disposal(
                user=request.user,
                entry=entry,
                measure=d["measure"],
                reason=d["reason"],
                started_on=d["started_on"],
                months=d["months"] or CORRECTION_DEFAULT_MONTHS,
            )
        except RuleError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已登记处置，请按步骤办理")
            return redirect("reviews:disposal", disposal=disposal.pk)
    return render(request, "reviews/disposal_new.html", {"entry": entry, "form": form})


@scoped(roles=STAFF_ROLES, disposal=Disposal)
def disposal_detail(request, disposal: Disposal):
    steps = list(disposal.steps.select_related("meeting", "recorded_by"))
    next_step = next((s for s in steps if s.done_on is None), None)
    return render(
        request,
        "reviews/disposal.html",
        {
            "d": disposal,
            "steps": steps,
            "next_step": next_step,
            "today": clock.today(),
            "meetings": selectors.disposal_meetings(disposal)[:30],
            "can_write": can_write(request.user),
            "ban_until": selectors.rejoin_ban_until(disposal.entry.member),
        },
    )


@scoped(roles=WRITER_ROLES, write=True, step=DisposalStep)
@require_POST
def disposal_step(request, step: DisposalStep):
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        form_error(request, form)
        return redirect("reviews:disposal", disposal=step.disposal_id)
    d = form.cleaned_data
    meeting = None
    if d["meeting"]:
        from dangjian.meetings.selectors import visible_meeting

        meeting = visible_meeting(request.user, d["meeting"])
    try:
        path, name = save_document(d["document"], "reviews")
        services.record_step(
            user=request.user,
            step=step,
            done_on=d["done_on"],
            decision=d["decision"],
            meeting=meeting,
            document=path,
            document_name=name,
            expected_version=d["version"],
        )
        messages.success(request, f"已登记：{step.name}")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=step.disposal_id)


@scoped(roles=STAFF_ROLES, step=DisposalStep)
def step_document(request, step: DisposalStep):
    if not step.document:
        raise Http404("没有文书")
    return serve_upload(request, step.document, download_name=step.document_name or None)


@scoped(roles=WRITER_ROLES, write=True, disposal=Disposal)
@require_POST
def disposal_decide(request, disposal: Disposal):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_error(request, form)
    else:
        d = form.cleaned_data
        try:
            services.record_final_decision(
                user=request.user,
                disposal=disposal,
                decided_on=d["decided_on"],
                decision=d["decision"],
                corrected=d["corrected"],
                expected_version=d["version"],
            )
            messages.success(request, "已登记最终决定（党员状态未作任何自动更改）")
        except (RuleError, EditConflict) as e:
            messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=disposal.pk)


@scoped(roles=WRITER_ROLES, write=True, disposal=Disposal)
@require_POST
def disposal_leave(request, disposal: Disposal):
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选确认后再登记")
        return redirect("reviews:disposal", disposal=disposal.pk)
    try:
        services.confirm_leaving(user=request.user, disposal=disposal)
        messages.success(request, "已登记党员离开组织，5年内不得重新入党")
    except (RuleError, EditConflict) as e:
        messages.error(request, e.message)
    return redirect("reviews:disposal", disposal=disposal.pk)

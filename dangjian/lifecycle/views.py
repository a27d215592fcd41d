"""Pages of the member lifecycle. Views parse input, call a service or selector, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ID_REVEAL_ROLES, STAFF_ROLES, WRITER_ROLES
from dangjian.accounts.scope import can_write, orgs_in_scope, visible_to
from dangjian.core import clock, params
from dangjian.core.concurrency import EditConflict
from dangjian.lifecycle import forms as f
from dangjian.lifecycle import selectors, services
from dangjian.lifecycle.letters import letter_docx, receipt_docx
from dangjian.lifecycle.models import OPEN_STAGES, DevelopmentCase, DevelopmentStep, Stage, Transfer
from dangjian.members.models import Member, MemberKind, Standing

FAILURES = (services.LifecycleError, EditConflict)


def _today():
    return clock.today()


def _show_warnings(request, result) -> None:
    for check in result.warnings:
        messages.warning(request, f"提醒：{check.message}")


def _int(value) -> int | None:
    """A number from the query string (core.params: one policy; a value no key can hold → None)."""
    return params.integer({"v": value}, "v", lo=-params.MAX_ID, hi=params.MAX_ID)


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


# --- 发展党员 --------------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def pipeline(request):
    branch_id = params.branch(request.GET)
    stage = request.GET.get("stage", "")
    if stage not in [*OPEN_STAGES, Stage.PROBATIONARY]:
        stage = ""
    groups = selectors.pipeline(request.user, today=_today(), branch_id=branch_id, stage=stage)
    return render(
        request,
        "lifecycle/pipeline.html",
        {
            "groups": groups,
            "branches": orgs_in_scope(request.user, branches_only=True),
            "branch_id": branch_id,
            "stage": stage,
            "stages": [*OPEN_STAGES, Stage.PROBATIONARY],
            "can_write": can_write(request.user),
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def case_new(request):
    branches = orgs_in_scope(request.user, branches_only=True)
    form = f.CaseForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.create_case(
                branch=d["branch"],
                name=d["name"],
                sex=d["sex"],
                ethnicity=d["ethnicity"],
                birth_date=d["birth_date"],
                applied_on=d["applied_on"],
                id_number=d["id_number"],
                education=d["education"],
                job=d["job"],
                responsible=d["responsible"],
                user=request.user,
            )
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            _show_warnings(request, result)
            messages.success(request, f"已为{result.obj.name}建立发展党员档案")
            return redirect("lifecycle:case", case=result.obj.pk)
    return render(
        request, "lifecycle/form.html", {"form": form, "title": "登记入党申请人", "back": reverse("lifecycle:pipeline")}
    )


@scoped(roles=STAFF_ROLES, case=DevelopmentCase)
def case_detail(request, case):
    case = selectors.cases_in_scope(request.user).get(pk=case.pk)
    checks = services.case_checks(case, today=_today())
    return render(
        request,
        "lifecycle/case.html",
        {
            "case": case,
            "checks": checks,
            "steps": case.steps.all(),
            "next_steps": [(k, DevelopmentStep.Kind(k).label) for k in services.next_steps(case)],
            "can_write": can_write(request.user),
        },
    )


@scoped(roles=WRITER_ROLES, case=DevelopmentCase, write=True)
def case_step(request, case):
    kind = request.GET.get("step") or request.POST.get("step", "")
    if kind not in services.next_steps(case):
        raise Http404("该步骤不可登记")
    introducers = visible_to(request.user, Member).filter(branch=case.branch, is_current=True).order_by("name_pinyin")
    initial = {"version": case.version, "on": _today()}
    if kind == DevelopmentStep.Kind.VOTE:
        initial["vote_entitled"] = services.full_members_count(case.branch)
    form = f.StepForm(request.POST or None, kind=kind, introducer_choices=introducers, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.record_step(
                case=case,
                kind=kind,
                on=d["on"],
                expected_version=_version(form),
                decision=d.get("decision") or "",
                responsible=d.get("responsible") or "",
                documents=d.get("documents") or "",
                contacts=d.get("contacts") or "",
                introducers=(d.get("introducer_1"), d.get("introducer_2")),
                training_days=d.get("training_days"),
                training_hours=d.get("training_hours"),
                vote_agree=d.get("vote_agree"),
                vote_entitled=d.get("vote_entitled"),
                vote_present=d.get("vote_present"),
                approval_special=bool(d.get("approval_special")),
                user=request.user,
                today=_today(),
            )
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            _show_warnings(request, result)
            label = DevelopmentStep.Kind(kind).label
            if isinstance(result.obj, Member):
                messages.success(request, f"已批准接收{result.obj.name}为预备党员，党员档案已建立")
            else:
                messages.success(request, f"已登记：{label}")
            return redirect("lifecycle:case", case=case.pk)
    title = f"{case.name}：{DevelopmentStep.Kind(kind).label}"
    return render(
        request,
        "lifecycle/form.html",
        {"form": form, "title": title, "step": kind, "back": reverse("lifecycle:case", kwargs={"case": case.pk})},
    )


# --- 预备党员转正 ----------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def probation(request):
    rows = selectors.probation_due(request.user, today=_today())
    if request.GET.get("soon"):
        rows = [r for r in rows if r.days_left <= selectors.remind_days()]
    return render(
        request,
        "lifecycle/probation.html",
        {"rows": rows, "remind_days": selectors.remind_days(), "can_write": can_write(request.user)},
    )


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def probation_decide(request, member):
    if member.kind != MemberKind.PROBATIONARY or not member.is_current:
        messages.error(request, f"{member.name}不是在册的预备党员")
        return redirect("lifecycle:probation")
    due = services.probation_due_on(member)
    entitled = services.full_members_count(member.branch)
    initial = {
        "version": member.version,
        "vote_on": max(min(due, _today()), member.joined_on),
        "vote_entitled": entitled,
    }
    form = f.ProbationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.record_probation_decision(
                member=member,
                outcome=d["outcome"],
                vote_on=d["vote_on"],
                vote_agree=d["vote_agree"],
                vote_entitled=d["vote_entitled"],
                vote_present=d["vote_present"],
                approved_on=d["approved_on"],
                extension_months=d.get("extension_months") or 0,
                note=d.get("note") or "",
                expected_version=_version(form),
                user=request.user,
                today=_today(),
            )
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            _show_warnings(request, result)
            messages.success(
                request, f"{member.name}：{result.obj.outcome}（{result.obj.effective_on:%Y-%m-%d}）已登记"
            )
            return redirect("lifecycle:member", member=member.pk)
    return render(
        request,
        "lifecycle/form.html",
        {
            "form": form,
            "title": f"{member.name}：预备党员转正",
            "intro": f"入党日期 {member.joined_on:%Y年%-m月%-d日}，预备期满 {due:%Y年%-m月%-d日}（转正日期即预备期满之日，党章第七条）。"
            f"本支部有表决权的正式党员 {entitled} 名，预备党员没有表决权。",
            "back": reverse("lifecycle:probation"),
        },
    )


# --- 组织关系转接 ----------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def transfers(request):
    year = params.optional_year(request.GET)
    rows = selectors.transfers_in_scope(request.user, year=year)[:500]
    return render(
        request,
        "lifecycle/transfers.html",
        {
            "rows": rows,
            "year": year,
            "can_write": can_write(request.user),
            "can_reveal": request.user.role in ID_REVEAL_ROLES,
        },
    )


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def transfer_out(request, member):
    form = f.TransferOutForm(
        request.POST or None,
        destinations=services.transfer_destinations(member.branch),
        initial={
            "version": member.version,
            "on": _today(),
            "valid_days": selectors.letter_valid_days(),
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            transfer = services.transfer_out(
                member=member,
                on=d["on"],
                reach=d["reach"],
                to_branch=d.get("to_branch"),
                other_org=d.get("other_org") or "",
                valid_days=d["valid_days"],
                dues_paid_to=d.get("dues_paid_to") or "",
                reason=d.get("reason") or "",
                expected_version=_version(form),
                user=request.user,
                today=_today(),
            )
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{member.name}的组织关系已转出，介绍信 {transfer.letter_number} 可下载")
            return redirect(reverse("lifecycle:transfers") + f"#t{transfer.pk}")
    return render(
        request,
        "lifecycle/form.html",
        {
            "form": form,
            "title": f"{member.name}：组织关系转出",
            "back": reverse("lifecycle:member", kwargs={"member": member.pk}),
        },
    )


@scoped(roles=WRITER_ROLES, write=True)
def transfer_in(request):
    form = f.TransferInForm(request.POST or None, branches=orgs_in_scope(request.user, branches_only=True))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            transfer = services.transfer_in(
                branch=d["branch"],
                on=d["on"],
                reach=d["reach"],
                other_org=d["other_org"],
                received_letter=d.get("received_letter") or "",
                name=d["name"],
                sex=d["sex"],
                ethnicity=d["ethnicity"],
                birth_date=d["birth_date"],
                id_number=d["id_number"],
                education=d["education"],
                kind=d["kind"],
                joined_on=d["joined_on"],
                full_on=d.get("full_on"),
                reason=d.get("reason") or "",
                user=request.user,
                today=_today(),
            )
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{transfer.member.name}的组织关系已转入{transfer.branch.name}")
            return redirect("lifecycle:member", member=transfer.member_id)
    return render(
        request, "lifecycle/form.html", {"form": form, "title": "组织关系转入", "back": reverse("lifecycle:transfers")}
    )


@scoped(roles=STAFF_ROLES, transfer=Transfer)
def letter(request, transfer):
    """Out: the 介绍信 we issue (numbered). In: the 回执 we return to the sending organization."""
    transfer = Transfer.objects.select_related("member", "branch", "to_branch").get(pk=transfer.pk)
    issuer = services.township_of(transfer.branch).name
    if transfer.direction == Transfer.Direction.IN or not transfer.letter_no:
        data = receipt_docx(transfer, issuer=issuer)
        filename = f"组织关系介绍信回执_{transfer.member.name}_{transfer.date:%Y%m%d}.docx"
    else:
        full = request.GET.get("full") == "1" and request.user.role in ID_REVEAL_ROLES
        if full:
            from django.core.exceptions import ValidationError

            from dangjian.accounts.scope import visible_to
            from dangjian.members.models import Member
            from dangjian.members.services import log_id_export

            # The full number only while the member is in the viewer's scope NOW (not merely
            # the transfer record), and only by POST with a stated purpose.
            if not visible_to(request.user, Member).filter(pk=transfer.member_id).exists():
                raise PermissionDenied("该党员已不在您的管理范围内，不能导出其完整公民身份号码")
            ctx = {"transfer": transfer, "error": ""}
            if request.method != "POST":
                return render(request, "lifecycle/letter_confirm.html", ctx)
            try:
                log_id_export(
                    request.user,
                    count=1,
                    purpose=request.POST.get("purpose", ""),
                    remote_addr=request.META.get("REMOTE_ADDR") or None,
                    detail=f"组织关系介绍信 {transfer.letter_number}",
                    member=transfer.member,
                )
            except ValidationError as e:
                ctx["error"] = "；".join(e.message_dict.get("purpose", e.messages))
                return render(request, "lifecycle/letter_confirm.html", ctx, status=400)
            id_text = transfer.member.id_number
        else:
            id_text = transfer.member.id_number_mask
        data = letter_docx(transfer, id_text=id_text, issuer=issuer)
        filename = f"组织关系介绍信_{transfer.member.name}_{transfer.letter_year}-{transfer.letter_no:03d}.docx"
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- 流动党员、失联 ----------------------------------------------------------------------------


@scoped(roles=STAFF_ROLES)
def mobile(request):
    from dangjian.core.rulesettings import mobile_contact_months

    overdue_only = request.GET.get("overdue") == "1"
    rows = selectors.mobile_list(request.user, today=_today(), overdue_only=overdue_only)
    return render(
        request,
        "lifecycle/mobile.html",
        {
            "rows": rows,
            "contact_months": mobile_contact_months(),
            "overdue_only": overdue_only,
            "overdue_count": sum(1 for r in rows if r.overdue),
            "lost": selectors.lost_rows(request.user, today=_today()),
            "can_write": can_write(request.user),
        },
    )


@scoped(roles=STAFF_ROLES, member=Member)
def member_page(request, member):
    history = selectors.member_history(member)
    due = services.probation_due_on(member) if member.kind == MemberKind.PROBATIONARY else None
    return render(
        request,
        "lifecycle/member.html",
        {
            "m": member,
            "due": due,
            "suspended": member.standing == Standing.SUSPENDED,
            "lost_status": selectors.lost_status_of(member, _today()),
            "can_write": can_write(request.user),
            **history,
        },
    )


def _member_form(request, member, form_class, title, call, **form_kw):
    initial = {"version": member.version, "on": _today(), "since": _today()}
    form = form_class(request.POST or None, initial=initial, **form_kw)
    if request.method == "POST" and form.is_valid():
        try:
            message = call(form.cleaned_data)
        except FAILURES as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect("lifecycle:member", member=member.pk)
    back = reverse("lifecycle:member", kwargs={"member": member.pk})
    return render(request, "lifecycle/form.html", {"form": form, "title": f"{member.name}：{title}", "back": back})


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def mobile_register(request, member):
    def call(d):
        services.register_mobile(
            member=member,
            since=d["since"],
            destination=d["destination"],
            host_org=d.get("host_org") or "",
            contact=d.get("contact") or "",
            expected_version=d.get("version"),
            user=request.user,
            today=_today(),
        )
        return f"已登记{member.name}外出流动"

    return _member_form(request, member, f.MobileForm, "登记外出流动", call)


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def mobile_contact(request, member):
    def call(d):
        services.log_contact(
            member=member,
            on=d["on"],
            method=d["method"],
            content=d.get("content") or "",
            contact_person=d.get("contact_person") or request.user.display_name,
            user=request.user,
            today=_today(),
        )
        return f"已记录与{member.name}的联系"

    return _member_form(request, member, f.ContactForm, "记录联系", call)


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def mobile_return(request, member):
    def call(d):
        services.return_mobile(
            member=member,
            on=d["on"],
            note=d.get("note") or "",
            expected_version=d.get("version"),
            user=request.user,
            today=_today(),
        )
        return f"已登记{member.name}返回"

    return _member_form(request, member, f.ReturnForm, "流动返回", call)


@scoped(roles=WRITER_ROLES, member=Member, write=True)
def status(request, member):
    def call(d):
        services.record_status(
            member=member,
            kind=d["kind"],
            on=d["on"],
            note=d.get("note") or "",
            expected_version=d.get("version"),
            user=request.user,
            today=_today(),
        )
        return f"已登记{member.name}：{services.STATUS_KINDS[d['kind']]}"

    return _member_form(request, member, f.StatusForm, "登记党员状态变化", call)

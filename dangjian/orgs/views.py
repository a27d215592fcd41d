"""Organization pages: tree, branch page, edit, add child, posts, terms, units."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ADMIN_ONLY, STAFF_ROLES, TOWNSHIP_ROLES, WRITER_ROLES, Role
from dangjian.accounts.scope import can_write, editable_by, get_in_scope, orgs_in_scope, visible_to
from dangjian.core import clock, params
from dangjian.core.concurrency import EditConflict
from dangjian.members.models import Member
from dangjian.orgs import selectors, services
from dangjian.orgs.forms import AddChildForm, EndPostForm, FigureForm, OrgEditForm, PostForm, TermForm
from dangjian.orgs.models import AdminUnit, Organization, OrgType, Post, UnitYearFigure
from dangjian.orgs.services import OrgError


def _today():
    return clock.today()


def _roster_url(org: Organization) -> str | None:
    """The roster filtered by this branch (members app)."""
    try:
        base = reverse("members:list")
    except NoReverseMatch:
        return None
    key = "group" if org.org_type == OrgType.GROUP else "branch"
    return f"{base}?{key}={org.pk}"


def _form_error(form, exc: OrgError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        form.add_error(None, exc.message)


# --- tree ----------------------------------------------------------------------------------
TREE_FULL_LIMIT = 600  # nodes; larger trees show the committee levels only


@scoped(roles=STAFF_ROLES)
def tree(request):
    """The tree in scope, or under ?org=<id> (a 镇党委 of a district)."""
    user = request.user
    orgs = orgs_in_scope(user)
    members = visible_to(user, Member)
    under = None
    if request.GET.get("org"):
        under = get_in_scope(user, Organization, request.GET["org"])
        orgs = orgs.filter(path__startswith=under.path)
        members = members.filter(branch__path__startswith=under.path)
    nodes = selectors.tree_nodes(orgs, members, today=_today())
    nodes, pruned = selectors.prune_large_tree(nodes, TREE_FULL_LIMIT)
    # Open the top levels; with many townships (a county) only the top one, so the page stays short.
    committees = sum(1 for n in nodes if n["org"].org_type == OrgType.COMMITTEE)
    return render(
        request,
        "orgs/tree.html",
        {
            "roots": selectors.nest(nodes),
            "count": len(nodes),
            "pruned": pruned,
            "under": under,
            "open_depth": 2 if committees <= 3 else 1,
            "show_units": user.role in TOWNSHIP_ROLES,
        },
    )


# --- branch page ---------------------------------------------------------------------------
@scoped(roles=STAFF_ROLES, org=Organization)
def detail(request, org):
    user = request.user
    page = selectors.org_page(org, visible_to(user, Member), today=_today())
    writable = can_write(user) and editable_by(user, Organization).filter(pk=org.pk).exists()
    return render(
        request,
        "orgs/detail.html",
        {
            **page,
            "roster_url": _roster_url(org),
            "writable": writable,
            "child_types": services.child_types_for(user, org) if writable else [],
            "has_term": selectors.default_term_years(org.org_type, org.category) is not None,
            "end_form_today": _today(),
            "warn_months": selectors.term_warning_months(),
        },
    )


# --- edit ----------------------------------------------------------------------------------
def _units_for(user, org: Organization):
    """Units the organization may serve: those of its own 镇党委, within the user's scope."""
    return visible_to(user, AdminUnit).filter(township__path__in=_ancestor_paths(org)).exclude(
        kind=AdminUnit.Kind.GROUP
    ).order_by("kind", "name")  # fmt: skip


def _ancestor_paths(org: Organization) -> list[str]:
    step = Organization.steplen
    return [org.path[:i] for i in range(step, len(org.path) + 1, step)]


@scoped(roles=WRITER_ROLES, org=Organization, write=True)
def edit(request, org):
    user = request.user
    fields = services.editable_fields_for(user)
    units = _units_for(user, org) if "unit" in fields else None
    if request.method == "POST":
        form = OrgEditForm(request.POST, fields=fields, units=units)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.update_org(
                    user=user, org=org, data=data, expected_version=form.cleaned_data["version"], today=_today()
                )
            except EditConflict as exc:
                form.add_error(None, exc.message)
            except OrgError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect("orgs:detail", org=org.pk)
    else:
        initial = {k: getattr(org, k) for k in fields}
        initial["version"] = org.version
        form = OrgEditForm(initial=initial, fields=fields, units=units)
    return render(request, "orgs/edit.html", {"org": org, "form": form})


# --- add a child organization --------------------------------------------------------------
@scoped(roles=WRITER_ROLES, org=Organization, write=True)
def add_child(request, org):
    user = request.user
    types = services.child_types_for(user, org)
    if not types:
        if user.role == Role.ADMIN:
            messages.error(request, f"{OrgType(org.org_type).label}下不能再设立下级组织")
        else:
            messages.error(request, "支部书记、支委只能在本支部设立党小组；设立党支部请联系镇（区）党委管理员")
        return redirect("orgs:detail", org=org.pk)
    units = _units_for(user, org) if user.role == Role.ADMIN else None
    if request.method == "POST":
        form = AddChildForm(request.POST, types=types, units=units)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                child = services.add_child(
                    user=user, parent=org, name=cd["name"], org_type=cd["org_type"], short_name=cd["short_name"],
                    category=cd["category"], founded_on=cd["founded_on"], unit=cd.get("unit"), today=_today(),
                )  # fmt: skip
            except OrgError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已设立{child.name}")
                return redirect("orgs:detail", org=child.pk)
    else:
        form = AddChildForm(types=types, units=units, initial={"category": org.category, "org_type": types[0]})
    return render(request, "orgs/add_child.html", {"org": org, "form": form})


# --- posts ---------------------------------------------------------------------------------
@scoped(roles=WRITER_ROLES, org=Organization, write=True)
def post_add(request, org):
    user = request.user
    kinds = services.post_kinds_for(org)
    if org.org_type == OrgType.HIGHER:
        raise Http404("上级党委的职务不在本系统登记")
    members = visible_to(user, services._members_eligible_for(org)).filter(kind="正式党员").order_by("name_pinyin")
    if request.method == "POST":
        form = PostForm(request.POST, members=members, kinds=kinds)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                _post, warnings = services.add_post(
                    org=org, member=cd["member"], kind=cd["kind"], started_on=cd["started_on"], today=_today()
                )
            except OrgError as exc:
                _form_error(form, exc)
            else:
                for w in warnings:
                    messages.warning(request, w)
                messages.success(request, f"已登记：{cd['member'].name}任{cd['kind']}")
                return redirect("orgs:detail", org=org.pk)
    else:
        form = PostForm(members=members, kinds=kinds, initial={"started_on": _today()})
    return render(request, "orgs/post_form.html", {"org": org, "form": form})


@scoped(roles=WRITER_ROLES, post=Post, write=True)
@require_POST
def post_end(request, post):
    form = EndPostForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("orgs:detail", org=post.org_id)
    try:
        services.end_post(
            post=post, ended_on=form.cleaned_data["ended_on"], expected_version=form.cleaned_data["version"],
            today=_today(),
        )  # fmt: skip
    except (OrgError, EditConflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已办理离任：{post.member.name}（{post.kind}）")
    return redirect("orgs:detail", org=post.org_id)


# --- terms ---------------------------------------------------------------------------------
@scoped(roles=WRITER_ROLES, org=Organization, write=True)
def term_add(request, org):
    default = selectors.default_term_years(org.org_type, org.category)
    if default is None:
        messages.error(request, f"{OrgType(org.org_type).label}不设任期")
        return redirect("orgs:detail", org=org.pk)
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            try:
                services.add_term(
                    org=org, started_on=cd["started_on"], years=cd["years"], note=cd["note"], today=_today()
                )
            except OrgError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "已登记换届")
                return redirect("orgs:detail", org=org.pk)
    else:
        form = TermForm(initial={"years": default, "started_on": _today()})
    return render(request, "orgs/term_form.html", {"org": org, "form": form, "default_years": default})


# --- administrative units ------------------------------------------------------------------
@scoped(roles=TOWNSHIP_ROLES)
def units(request):
    user = request.user
    year = params.optional_year(request.GET)
    table = selectors.units_table(visible_to(user, AdminUnit), year=year)
    return render(request, "orgs/units.html", {**table, "editable": user.role == Role.ADMIN})


@scoped(roles=ADMIN_ONLY, write=True)
def unit_figures(request):
    # The unit comes as ?unit=<id> (not a URL kwarg): AdminUnits are scoped to a 镇党委, so
    # the generated scope walk, whose accounts sit at one branch, has none to build a URL with.
    today = _today()
    unit = get_in_scope(request.user, AdminUnit, request.GET.get("unit") or request.POST.get("unit"), write=True)
    year = params.year(request.GET if request.GET.get("year") else request.POST, default=today.year - 1)
    existing = UnitYearFigure.objects.filter(unit=unit, year=year).first()
    if request.method == "POST":
        form = FigureForm(request.POST)
        if form.is_valid():
            cd = form.cleaned_data
            existing = UnitYearFigure.objects.filter(unit=unit, year=cd["year"]).first()
            try:
                services.save_figures(
                    unit=unit, year=cd["year"], values=cd,
                    expected_version=cd.get("version") if existing else None, today=today,
                )  # fmt: skip
            except EditConflict as exc:
                form.add_error(None, exc.message)
            except OrgError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已保存{unit.name}{cd['year']}年户数人口")
                return redirect(f"{reverse('orgs:units')}?year={cd['year']}")
    else:
        initial = {"year": year, "version": existing.version if existing else None}
        if existing:
            initial.update({k: getattr(existing, k) for k in services.FIGURE_FIELDS})
        form = FigureForm(initial=initial)
    return render(request, "orgs/unit_figures.html", {"unit": unit, "form": form, "year": year})

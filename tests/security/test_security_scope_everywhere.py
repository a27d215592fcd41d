"""Scope proven for every page: generated from the URL configuration (issue 3 §1).

Each URL pattern becomes one test case; a page added later is a new case without any edit
here. The checks themselves live in dangjian/testsupport/scope.py (see its docstring).
Data: the demo township at --scale tiny (falls back to testsupport.world.build_world while the
demo generator is not there yet), plus one account per role scoped to one branch X.
"""

import importlib.util
import io
import types

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import ALL_ROLES
from dangjian.testsupport.scope import (
    ScopeWorld,
    check_all,
    check_entry,
    csp_problems,
    iter_urls,
    make_role_accounts,
    static_problems,
    visit,
)
from dangjian.testsupport.world import module_data, require_or_skip

ENTRIES = list(iter_urls())
DEMO_AVAILABLE = importlib.util.find_spec("dangjian.demo.township") is not None


def build_scope_world() -> ScopeWorld:
    from dangjian.members.models import Member
    from dangjian.orgs.models import BRANCH_TYPES, Organization

    if DEMO_AVAILABLE:
        call_command("load_demo", scale="tiny", password="Demo-Scope-2026!", stdout=io.StringIO())
    else:
        from dangjian.testsupport.world import build_world

        build_world()
    # Branch X: the first branch with enough members, so that other branches exist beside it.
    branch = None
    for org in Organization.objects.filter(org_type__in=BRANCH_TYPES).order_by("path"):
        if Member.objects.filter(branch=org, is_current=True).count() >= 3:
            branch = org
            break
    assert branch is not None, "测试数据中没有至少3名党员的党支部"
    member = Member.objects.filter(branch=branch, is_current=True).order_by("pk").last()
    users = make_role_accounts(branch, member)
    # For the CSP walk: an administrator at the top of the tree, so every demo row is in scope.
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role

    top = User(username="scope_top_admin", role=Role.ADMIN, org=Organization.objects.order_by("path").first())
    top.set_password("Scope-Test-2026!")
    top.save()
    users["top_admin"] = top
    return ScopeWorld(users=users, branch=branch, demo=DEMO_AVAILABLE)


@pytest.fixture(scope="module")
def scope_world(django_db_setup, django_db_blocker):
    """The data once per module, in a transaction rolled back at the end."""
    with module_data(django_db_blocker):
        yield build_scope_world()


def test_the_walk_finds_the_project_pages():
    names = {e.name for e in ENTRIES}
    assert {"home", "accounts:login", "accounts:password_change"} <= names


def test_every_view_declares_a_scope_rule():
    problems = [p for e in ENTRIES for p in static_problems(e)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_scope_enforced(entry, scope_world, db):
    problems = check_entry(entry, scope_world)
    missing_data = [p for p in problems if "in the test data" in p]
    if missing_data and not scope_world.demo:
        # Only while the demo township generator has not landed: build_world has no rows
        # for most apps. With the demo present, missing data is a failure (add demo rows).
        require_or_skip(False, "演示数据生成器尚未提供：" + "; ".join(missing_data))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_pages_obey_strict_csp(entry, scope_world, db):
    """Every GET page as an administrator (top of the tree): no inline script, handlers or style= (CSP)."""
    rule = entry.rule
    if rule is None or entry.regex:
        pytest.fail(f"{entry.name}: no scope_rule (see test_every_view_declares_a_scope_rule)")
    from dangjian.testsupport.scope import PLAIN_VALUES, _client_for

    user = scope_world.users["top_admin"]
    values = {k: PLAIN_VALUES.get(k, 1 if c == "int" else "x") for k, c in entry.kwargs.items()}
    for name, model in rule["params"].items():
        inside, _ = scope_world.pick("top_admin", model)
        if not inside:
            pytest.fail(f"{entry.name}: no {model.__name__} in the administrator's scope — add demo data")
        values[name] = inside[0]
    v = visit(_client_for(None if rule.get("public") else user), "GET", entry.build(values))
    assert v.status < 500, v.error
    if v.status == 200 and ("<html" in v.body[:500].lower() or "<form" in v.body):
        problems = csp_problems(v.body)
        assert not problems, f"{entry.name}: {problems}"


def test_csp_checker_bites():
    bad = (
        '<script>alert(1)</script><a onclick="x()">a</a><div style="color:red"></div>'
        '<style>p{}</style><a href="javascript:x()">b</a><button hx-on:click="x()">c</button>'
    )
    problems = csp_problems(bad)
    assert len(problems) == 6, problems
    good = '<script src="/static/a.js"></script><script type="application/json" id="d">{}</script><p class="x">'
    assert csp_problems(good) == []


# --- the checker bites ---------------------------------------------------------------------


def _detail_without_scope_check(request, member):
    from dangjian.members.models import Member

    m = Member.objects.get(pk=member)  # the bug the walk must catch: no scope check
    return HttpResponse(f"<html><body>{m.name} {m.id_number_mask}</body></html>")


def _properly_scoped(request, member):
    return HttpResponse(f"<html><body>{member.name}</body></html>")


def _test_urlconf():
    from dangjian.members.models import Member

    leaky = _detail_without_scope_check
    leaky.scope_rule = {"params": {"member": Member}, "roles": ALL_ROLES, "write": False, "public": False}
    mod = types.ModuleType("scope_meta_urls")
    mod.urlpatterns = [
        path("accounts/", include("dangjian.accounts.urls")),
        path("no-rule/", lambda request: HttpResponse("hi"), name="no_rule"),
        path("leaky/<int:member>/", leaky, name="leaky"),
        path("good/<int:member>/", scoped(member=Member)(_properly_scoped), name="good"),
        path("undeclared/<int:meeting>/", scoped()(lambda request, meeting: HttpResponse("x")), name="undeclared"),
        path(
            "write-open/",
            scoped()(lambda request: HttpResponse(status=201 if request.method == "POST" else 200)),
            name="write_open",
        ),
    ]
    return mod


def test_checker_reports_missing_rule_and_leaks(scope_world, db):
    urlconf = _test_urlconf()
    with override_settings(ROOT_URLCONF=urlconf):
        problems = check_all(scope_world, urlconf)
    text = "\n".join(problems)
    assert "no_rule" in text and "没有 scope_rule" in text
    leaky = [p for p in problems if p.startswith("leaky ")]
    assert any("outside scope must give 404, got 200" in p for p in leaky), text
    assert any("body shows the out-of-scope object" in p for p in leaky), text
    assert any("<int:meeting> is not declared" in p for p in problems), text
    # The control view, scoped properly, passes.
    assert not [p for p in problems if p.startswith("good")], text


def test_checker_reports_a_view_whose_scope_rule_was_removed(scope_world, db, monkeypatch):
    """Remove the scope rule of a real project view: the walk fails for it."""
    target = next(e for e in ENTRIES if e.name == "accounts:password_change")
    assert not check_entry(target, scope_world)
    monkeypatch.delattr(target.callback, "scope_rule")
    problems = check_entry(target, scope_world)
    assert problems and "没有 scope_rule" in problems[0]


def test_checker_reports_read_only_role_reaching_a_write_view(scope_world, db):
    """A view that declares write=True but whose rule check is bypassed lets 督查 through: reported."""
    from dangjian.orgs.models import Organization

    def edit(request, organization):
        Organization.objects.filter(pk=organization).update(name="被改了")
        return HttpResponse("ok")

    edit.scope_rule = {"params": {"organization": Organization}, "roles": ALL_ROLES, "write": True, "public": False}
    mod = types.ModuleType("scope_meta_urls2")
    mod.urlpatterns = [
        path("accounts/", include("dangjian.accounts.urls")),
        path("edit/<int:organization>/", edit, name="edit"),
    ]
    with override_settings(ROOT_URLCONF=mod):
        problems = check_all(scope_world, mod, roles=("inspector",))
    text = "\n".join(problems)
    assert "role inspector must be refused" in text
    assert "changed data" in text

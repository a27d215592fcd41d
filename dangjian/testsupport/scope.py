"""The generated scope check: walk every URL pattern and visit it as every role with
objects inside and outside the role's scope (tests/security/test_security_scope_everywhere.py).

Nothing here is configured per view: a view is checked from its `scope_rule` (set by
`dangjian.accounts.access.scoped`) and the URL pattern alone, so pages added later are
covered automatically and a view without a scope rule fails by default.

What is checked, for every pattern and every role (admin, inspector, secretary,
committee, member, anonymous):
  * the view declares `scope_rule`; every int URL kwarg is a declared object param
    (or a plain number such as year/month); no view is csrf_exempt;
  * anonymous → redirect to the login page (public views: anything but a 500);
  * a role outside `roles` → 403/404; a read-only role on a write view → 403/404;
  * an object outside the role's scope → 404 (403 when the role is forbidden anyway),
    and the body shows none of that object's markers (name, masked 公民身份号码, str());
  * GET and an empty POST never give a 500; a refused POST changes nothing (digest of
    every project table before/after);
  * an object inside scope is not refused to a role that may read it (otherwise the
    out-of-scope 404 would prove nothing).
Every request runs in a savepoint that is rolled back, so a successful POST (a delete,
say) never changes the data the next request sees.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

ROLES = ("admin", "inspector", "secretary", "committee", "member", "anonymous")
# Int URL kwargs that are plain numbers, not object ids.
PLAIN_INT_KWARGS = {"year", "month", "day", "quarter", "page", "step", "n", "index", "number", "week"}
PLAIN_VALUES = {"year": 2025, "month": 6, "day": 1, "quarter": 2, "page": 1, "step": 1, "week": 1}
OK_READ = {200, 201, 204, 301, 302, 303, 400, 405, 409, 410, 422}
REFUSED = {403, 404}
# Models whose rows change on every request for reasons unrelated to the view.
DIGEST_EXCLUDE = {
    "sessions.session",
    "auditlog.logentry",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


@dataclass
class UrlEntry:
    """One URL pattern with everything needed to visit it."""

    name: str  # "members:detail" or the route when unnamed
    route: str  # "members/<int:member>/"
    callback: object
    kwargs: dict  # kwarg name -> converter name ("int", "str", ...)
    regex: bool = False

    @property
    def rule(self) -> dict | None:
        return getattr(self.callback, "scope_rule", None)

    def build(self, values: dict) -> str:
        def sub(m):
            name = m.group("name")
            return str(values[name])

        return "/" + re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", sub, self.route)


def _route_text(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern._route)
    if isinstance(pattern, RegexPattern):
        return pattern._regex
    return str(pattern)


def iter_urls(urlconf=None) -> Iterator[UrlEntry]:
    """Every URL pattern, recursing into includes, with its full route and kwargs."""

    def walk(resolver, prefix: str, ns: str, convs: dict, regex: bool):
        for p in resolver.url_patterns:
            text = _route_text(p.pattern)
            is_regex = regex or isinstance(p.pattern, RegexPattern)
            these = dict(convs)
            for k, conv in getattr(p.pattern, "converters", {}).items():
                these[k] = type(conv).__name__.replace("Converter", "").lower()
            if isinstance(p, URLResolver):
                sub_ns = ns
                if p.namespace:
                    sub_ns = f"{ns}:{p.namespace}" if ns else p.namespace
                yield from walk(p, prefix + text, sub_ns, these, is_regex)
            elif isinstance(p, URLPattern):
                route = prefix + text
                name = f"{ns}:{p.name}" if ns and p.name else (p.name or route)
                yield UrlEntry(name=name, route=route, callback=p.callback, kwargs=these, regex=is_regex)

    yield from walk(get_resolver(urlconf), "", "", {}, False)


def project_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m.__module__.startswith("dangjian.") and not m._meta.abstract and not m._meta.proxy
    ]


def _model_key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def db_digest(full=()) -> str:
    """A digest of the data: every row of the `full` models, and for every other project
    table its row count, highest id, latest change and version total (cheap at any size)."""
    from django.db.models import Count, Max, Sum

    h = hashlib.sha256()
    full = set(full)
    for model in project_models():
        if _model_key(model) in DIGEST_EXCLUDE:
            continue
        h.update(_model_key(model).encode())
        if model in full:
            for row in model._base_manager.order_by("pk").values_list():
                h.update(repr(row).encode())
            continue
        names = {f.name for f in model._meta.concrete_fields}
        aggs = {"n": Count("pk")}
        if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
            aggs["top"] = Max("pk")  # PostgreSQL has no MAX(uuid)
        if "updated_at" in names:
            aggs["changed"] = Max("updated_at")
        if "version" in names:
            aggs["versions"] = Sum("version")
        h.update(repr(sorted(model._base_manager.aggregate(**aggs).items())).encode())
    return h.hexdigest()


def markers_of(obj) -> list[str]:
    """Strings that would show an object leaked: its name, masked ID, str()."""
    out = []
    for attr in ("name", "id_number_mask", "title"):
        v = getattr(obj, attr, None)
        if isinstance(v, str) and len(v.strip()) >= 2:
            out.append(v.strip())
    try:
        s = str(obj)
    except Exception:  # noqa: BLE001 - a broken __str__ is not this check's business
        s = ""
    if len(s.strip()) >= 2 and not s.startswith(f"{type(obj).__name__} object"):
        out.append(s.strip())
    return list(dict.fromkeys(out))


@dataclass
class ScopeWorld:
    """The data the walk runs against: accounts per role and the scope pick per model."""

    users: dict  # role -> User (None for anonymous)
    branch: object  # branch X
    demo: bool  # True when the full demo township was loaded
    inside: dict = field(default_factory=dict)  # (role, model) -> [pk, ...]
    outside: dict = field(default_factory=dict)  # (role, model) -> obj | None

    def pick(self, role: str, model) -> tuple[list[int], object | None]:
        from dangjian.accounts.scope import visible_to

        key = (role, model)
        if key not in self.inside:
            user = self.users[role]
            visible = visible_to(user, model) if user is not None else model._default_manager.none()
            self.inside[key] = list(visible.order_by("pk").values_list("pk", flat=True)[:3])
            self.outside[key] = model._default_manager.exclude(pk__in=visible.values("pk")).order_by("pk").first()
        return self.inside[key], self.outside[key]


def make_role_accounts(branch, member_of_branch, *, password: str = "Scope-Test-2026!") -> dict:
    """One account per role, all scoped to branch X (staff) or to a member of X."""
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import Role

    other_members = list(
        type(member_of_branch)._default_manager.filter(branch=branch).exclude(pk=member_of_branch.pk)[:3]
    )
    # Give staff accounts member records only when the branch has enough people.
    links = {Role.SECRETARY: other_members[0] if other_members else None}
    users = {}
    for role in (Role.ADMIN, Role.INSPECTOR, Role.SECRETARY, Role.COMMITTEE, Role.MEMBER):
        member = member_of_branch if role == Role.MEMBER else links.get(role)
        if member is not None:
            User.objects.filter(member=member).update(member=None)
        u = User(
            username=f"scope_{role}",
            role=role,
            org=None if role == Role.MEMBER else branch,
            member=member,
            full_name=f"范围测试{Role(role).label[:2]}",
        )
        u.set_password(password)
        u.save()
        users[str(role)] = u
    users["anonymous"] = None
    return users


def _client_for(user, *, csrf: bool = False) -> Client:
    c = Client(enforce_csrf_checks=csrf)
    if user is not None:
        c.force_login(user)
    return c


@dataclass
class Visit:
    status: int
    body: str
    location: str = ""
    error: str = ""
    changed: bool = False


def visit(client: Client, method: str, url: str, *, digest: bool = False, full=()) -> Visit:
    """One request inside a rolled-back savepoint; exceptions become status 500."""
    before = db_digest(full) if digest else ""
    with transaction.atomic():
        try:
            resp = client.get(url) if method == "GET" else client.post(url, data={})
            body = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = body.decode("latin-1")
            # (The test client closed a streamed response once its content was read; closing it
            # again would send request_finished outside the client, and Django would then close
            # the connection in the middle of this module's transaction.)
            v = Visit(status=resp.status_code, body=text, location=resp.get("Location", ""))
        except Exception as exc:  # noqa: BLE001 - reported as a 500 with its traceback
            v = Visit(status=500, body="", error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}")
        if digest:
            v.changed = db_digest(full) != before
        transaction.set_rollback(True)
    return v


def static_problems(entry: UrlEntry) -> list[str]:
    """Problems visible without a request: no scope rule, undeclared object kwargs, csrf_exempt."""
    out = []
    rule = entry.rule
    if rule is None:
        return [
            f"{entry.name} ({entry.route}): 视图没有 scope_rule —— 请用 dangjian.accounts.access.scoped 装饰 "
            f"(view {getattr(entry.callback, '__module__', '?')}.{getattr(entry.callback, '__name__', '?')})"
        ]
    if entry.regex:
        out.append(f"{entry.name}: use path() with <int:model> kwargs, not re_path (the walk cannot build it)")
    params = rule.get("params", {})
    for name, conv in entry.kwargs.items():
        if name in params:
            if conv != "int":
                out.append(f"{entry.name}: object kwarg <{conv}:{name}> must be <int:{name}>")
        elif conv == "int" and name not in PLAIN_INT_KWARGS:
            out.append(
                f"{entry.name}: URL kwarg <int:{name}> is not declared in @scoped({name}=Model): "
                f"the view would fetch it without a scope check"
            )
    for name in params:
        if name not in entry.kwargs:
            out.append(f"{entry.name}: @scoped declares {name}= but the URL has no <int:{name}>")
    if getattr(entry.callback, "csrf_exempt", False):
        out.append(f"{entry.name}: csrf_exempt views are not allowed")
    return out


def _plain_value(name: str, conv: str):
    if name in PLAIN_VALUES:
        return PLAIN_VALUES[name]
    return 1 if conv == "int" else "x"


def check_entry(entry: UrlEntry, world: ScopeWorld, *, roles=ROLES) -> list[str]:
    """Visit one pattern as every role; return the problems found (empty: all good)."""
    problems = static_problems(entry)
    if entry.rule is None or entry.regex:
        return problems
    rule = entry.rule
    params: dict = rule.get("params", {})
    allowed_roles = {str(r) for r in rule.get("roles", ())}
    write = bool(rule.get("write"))
    public = bool(rule.get("public"))
    login_url = reverse("accounts:login")
    plain = {k: _plain_value(k, c) for k, c in entry.kwargs.items() if k not in params}
    # Writes would be refused by the write check to read-only roles.
    from dangjian.accounts.roles import WRITER_ROLES

    writers = {str(r) for r in WRITER_ROLES}

    for role in roles:
        user = world.users[role]
        client = _client_for(user)
        may_enter = public or (user is not None and role in allowed_roles and (not write or role in writers))
        # --- the cases to visit: (label, url, out-of-scope object or None, in-scope?) ----------
        cases: list[tuple[str, str, object | None, bool]] = []
        if not params:
            cases.append(("", entry.build(plain), None, True))
        else:
            for pname, model in params.items():
                pick_role = role if user is not None else "admin"
                inside, outside = world.pick(pick_role, model)
                if outside is None:
                    problems.append(
                        f"{entry.name}: no {model.__name__} outside the scope of {pick_role} in the test data — "
                        f"add rows of {model.__name__} in another branch/township to your app's demo.py "
                        f"(load_demo --scale tiny) so this view's scope can be tested"
                    )
                else:
                    values = dict(plain)
                    for other, m in params.items():
                        ins, out = world.pick(pick_role, m)
                        values[other] = ins[0] if ins else (out.pk if out else 1)
                    values[pname] = outside.pk
                    cases.append((f"out-of-scope {model.__name__} #{outside.pk}", entry.build(values), outside, False))
                if inside and all(world.pick(pick_role, m)[0] for m in params.values()):
                    for i, pk in enumerate(inside):
                        values = dict(plain)
                        for other, m in params.items():
                            values[other] = world.pick(pick_role, m)[0][0]
                        values[pname] = pk
                        cases.append(
                            (
                                f"in-scope {model.__name__} #{pk}" + (f" (try {i + 1})" if i else ""),
                                entry.build(values),
                                None,
                                True,
                            )
                        )
        baseline = None
        in_scope_ok: dict[str, bool] = {}
        for label, url, out_obj, in_scope in cases:
            for method in ("GET", "POST"):
                check_change = method == "POST" and (not in_scope or not may_enter)
                v = visit(client, method, url, digest=check_change, full=params.values())
                where = f"{entry.name} {method} {url} as {role}" + (f" [{label}]" if label else "")
                if v.status >= 500:
                    problems.append(f"{where}: HTTP {v.status} {v.error}".strip())
                    continue
                if user is None and not public:
                    # 405: a POST-only view answers GET before any scope check; nothing is shown.
                    if v.status != 405 and not (v.status == 302 and v.location.split("?")[0].endswith(login_url)):
                        problems.append(f"{where}: anonymous should be sent to the login page, got {v.status}")
                    if v.changed:
                        problems.append(f"{where}: anonymous POST changed data")
                    continue
                if public:
                    continue
                if not may_enter:
                    if v.status not in REFUSED and v.status != 405:
                        problems.append(f"{where}: role {role} must be refused (403/404), got {v.status}")
                    if v.changed:
                        problems.append(f"{where}: refused request changed data")
                elif not in_scope:
                    if v.status not in REFUSED and v.status != 405:
                        problems.append(f"{where}: object outside scope must give 404, got {v.status}")
                    if v.changed:
                        problems.append(f"{where}: POST on an object outside scope changed data")
                if out_obj is not None and user is not None:
                    if baseline is None:
                        baseline = visit(client, "GET", "/__scope_walk_no_such_page__/").body
                    leaked = [m for m in markers_of(out_obj) if m in v.body and m not in baseline]
                    if leaked:
                        problems.append(f"{where}: body shows the out-of-scope object: {leaked}")
                if in_scope and may_enter and method == "GET" and not write and label:
                    in_scope_ok.setdefault(label.split(" (try")[0], False)
                    if v.status not in REFUSED:
                        in_scope_ok[label.split(" (try")[0]] = True
        for label, ok in in_scope_ok.items():
            if not ok:
                problems.append(
                    f"{entry.name} as {role}: every {label.split('#')[0].strip()} object in scope was refused — "
                    f"the view must show objects in the user's scope (else the 404 test proves nothing)"
                )
    return problems


def check_all(world: ScopeWorld, urlconf=None, *, roles=ROLES) -> list[str]:
    problems = []
    for entry in iter_urls(urlconf):
        problems.extend(check_entry(entry, world, roles=roles))
    return problems


# --- HTML checks (strict CSP) ---------------------------------------------------------------
_SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
_ON_ATTR = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.S)
_STYLE_ATTR = re.compile(r"<[a-zA-Z][^>]*?\sstyle\s*=", re.S)
_STYLE_TAG = re.compile(r"<style\b", re.I)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
_HX_ON = re.compile(r"<[a-zA-Z][^>]*?\shx-on[:-]", re.S)


def csp_problems(html: str) -> list[str]:
    """Inline script, on…= handlers, style= attributes, <style> blocks, javascript: URLs."""
    out = []
    for m in _SCRIPT.finditer(html):
        attrs = m.group(1)
        if "src=" in attrs.replace(" ", ""):
            continue
        if re.search(r"""type\s*=\s*["']?application/(ld\+)?json""", attrs, re.I):
            continue
        out.append(f"inline <script{attrs}>")
    out += [f"event handler attribute {m.group(1)}=" for m in _ON_ATTR.finditer(html)]
    out += ["style= attribute" for _ in _STYLE_ATTR.finditer(html)]
    out += ["<style> block" for _ in _STYLE_TAG.finditer(html)]
    out += ["javascript: URL" for _ in _JS_URL.finditer(html)]
    out += ["hx-on attribute (inline script)" for _ in _HX_ON.finditer(html)]
    return out

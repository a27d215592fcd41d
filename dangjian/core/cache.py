"""Caching of expensive figures (yearly summaries, home panels) with correct, scoped invalidation.

Tokens. `core_cacheversion` holds one random token per *scope*: `*` (changes on every write),
`g` (writes whose organisation is not known), `p:<path>` for every organisation that had
a write in its subtree and `s:<path>` for every organisation that had a write of a row
attached to it itself. A cached figure for organisation X is stored under the tokens of `g`,
of X's path and of `s:` of each of X's ancestors (what X inherits from them: a local setting
on the county changes every township's compliance); a figure with no organisation in its
key under `*`.

Who changes them. Every INSERT, UPDATE or DELETE on a project table — through the ORM, bulk
operations, `QuerySet.update()`, raw `executemany` or a PostgreSQL COPY alike — is seen by a
database execute wrapper. A model save or delete announces (pre_save / pre_delete) the
organisations its row belongs to (its foreign keys to an organisation, one step further
through a foreign key such as member or meeting, and the old values when an update changes
them); the write statement that follows is attributed to them. Any other write counts as `g` (invalidates everything).

When. New tokens are written *after* the writer's transaction commits (`on_commit`), in a
statement of their own, for the organisation and its ancestors only. So no writer ever holds
a lock on a token row while it works: a long import in one township never makes a member edit
in another township wait, and it does not invalidate the other townships' figures. A write
that is rolled back (or whose savepoint is) never changes a token — nothing changed. While a
connection has uncommitted writes, `cached()` computes without the cache (its own writes are
not visible to anyone else yet, and the token has not moved), so nothing stale is served to
the writer either. A token is a fresh random value, never reused, so two processes changing
the same token at once cannot lose an invalidation.

The cache backend is Django's (per-process memory by default; CACHE_URL=redis://… for a
shared Redis when several processes serve). Reading the tokens costs one small query.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import date, datetime

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE)
# PostgreSQL's COPY … FROM STDIN (a bulk insert: the roster import) is a write too.
COPY_IN = re.compile(r'^\s*COPY\s+"?([A-Za-z0-9_]+)"?\s*(?:\([^)]*\))?\s*FROM\b', re.IGNORECASE)
# Writes that do not change the figures people see.
IGNORED_TABLES = {
    "core_cacheversion",
    "django_session",
    "auditlog_logentry",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "accounts_revealevent",
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "integrity_scanrun",
    "django_tasks_database_dbtaskresult",
    "django_tasks_db_dbtaskresult",
    "core_exportjob",
}
ANY = "*"
GLOBAL = "g"
ATTACHED = "s:"  # + path: writes of rows that belong to that organisation itself
CHUNK = 500

_migrating = False


def migrating(sender=None, **kwargs) -> None:
    """pre_migrate: schema changes are not data writes (and the token table may not exist yet)."""
    global _migrating
    _migrating = True


def migrated(sender=None, **kwargs) -> None:
    global _migrating
    _migrating = False


# --- per-connection bookkeeping (a Django connection belongs to one thread) ------------------
class _State:
    __slots__ = ("announced", "pending", "declared")

    def __init__(self):
        self.announced: dict[str, set] = {}  # table -> scope items of the save/delete about to run
        self.pending: dict[tuple, tuple[Callable, set]] = {}  # savepoint ids -> (on_commit callback, items)
        self.declared: list[set] = []  # writes_in() blocks


def _state(conn) -> _State:
    st = conn.__dict__.get("_dangjian_cache")
    if st is None:
        st = conn.__dict__["_dangjian_cache"] = _State()
    return st


def _registered(conn, cb) -> bool:
    return any(item[1] is cb for item in conn.run_on_commit)


def has_pending_writes(conn=None) -> bool:
    """True while `conn` has project writes that are not committed yet."""
    conn = conn or connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the proxy
    if not conn.in_atomic_block:
        return False
    st = conn.__dict__.get("_dangjian_cache")
    return bool(st and any(_registered(conn, cb) for cb, _ in st.pending.values()))


def _note(conn, items: set) -> None:
    """Remember that `items` changed; their tokens move when the transaction commits."""
    if not conn.in_atomic_block:
        # Autocommit: the statement is committed already (or manual transaction management,
        # where no on_commit exists: change the tokens now, inside that transaction).
        bump(items, using=conn.alias)
        return
    st = _state(conn)
    if not conn.run_on_commit:
        st.pending.clear()  # whatever was pending was committed or rolled back
    key = tuple(conn.savepoint_ids)
    entry = st.pending.get(key)
    if entry is None or not _registered(conn, entry[0]):
        collected: set = set()

        def on_commit(collected=collected, key=key):
            st.pending.pop(key, None)
            bump(collected, using=conn.alias)

        # A rolled-back savepoint drops its callback (Django discards it with the savepoint).
        conn.on_commit(on_commit)
        entry = st.pending[key] = (on_commit, collected)
    entry[1].update(items)


def write_watcher(execute, sql, params, many, context):
    conn = context["connection"]
    try:
        result = execute(sql, params, many, context)
    except Exception:
        if "_dangjian_cache" in conn.__dict__:
            conn.__dict__["_dangjian_cache"].announced.clear()
        raise
    if _migrating:
        return result
    match = (WRITE.match(sql) or COPY_IN.match(sql)) if isinstance(sql, str) else None
    if match:
        table = match.group(1).lower()
        if table not in IGNORED_TABLES:
            st = _state(conn)
            items = st.announced.pop(table, None)
            # An announcement is good for the next write statement only.
            st.announced.clear()
            if items is None:
                items = set().union(*st.declared) if st.declared else {GLOBAL}
            _note(conn, items)
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """connection_created hook: watch this connection's writes."""
    if write_watcher not in connection.execute_wrappers:
        connection.execute_wrappers.append(write_watcher)


@contextmanager
def writes_in(*orgs, using: str = "default"):
    """Attribute the bulk writes in this block (bulk_create, update(), executemany) to `orgs`
    instead of to everything. Only for code that knows every row it writes is under them."""
    st = _state(connections[using])
    items = {"p:" + o.path for o in orgs}
    st.declared.append(items)
    try:
        yield
    finally:
        st.declared.remove(items)


# --- which organisations a row belongs to ----------------------------------------------------
_INFO: dict[type, tuple] = {}


_TREE: list = []


def set_tree_model(model) -> None:
    """Named once by the app that owns the organisation tree (orgs, in its AppConfig.ready), so
    the base layer knows which rows are organisations without importing that app."""
    _TREE[:] = [model]


def _org_model():
    if not _TREE:
        raise RuntimeError("core.cache: the organisation model was not registered (orgs app not ready)")
    return _TREE[0]


def _model_info(model) -> tuple:
    """(tables, is_org, direct org FK attnames, [(attname, related model, its org attnames)])."""
    info = _INFO.get(model)
    if info is not None:
        return info
    from django.conf import settings

    org = _org_model()
    tables = {m._meta.db_table.lower() for m in (model, *model._meta.get_parent_list())}
    direct: list[str] = []
    indirect: list[tuple] = []

    def org_fks(m):
        return [
            f.attname
            for f in m._meta.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model is org
        ]

    for f in model._meta.concrete_fields:
        if not (f.is_relation and (f.many_to_one or f.one_to_one)):
            continue
        rel = f.related_model
        if rel is org:
            direct.append(f.attname)
        elif rel is not model and rel._meta.label != settings.AUTH_USER_MODEL:
            attnames = org_fks(rel)
            if attnames:
                indirect.append((f.attname, rel, attnames))
    info = (tables, issubclass(model, org), direct, indirect)
    _INFO[model] = info
    return info


def _items_of(instance, values: dict | None = None) -> set | None:
    """Scope items of a row (org pks, 'p:path', (model, pk)); None when it belongs to no
    organisation we can name (then the write counts as everything)."""
    tables, is_org, direct, indirect = _model_info(type(instance))
    get = (lambda a: values.get(a)) if values is not None else (lambda a: getattr(instance, a))
    items: set = set()
    if is_org:
        path = instance.path if values is None else values.get("path")
        if path:
            items.add("p:" + path)
    for attname in direct:
        v = get(attname)
        if v is not None:
            items.add(v)
    for attname, rel, _ in indirect:
        v = get(attname)
        if v is not None:
            items.add((rel, v))
    if not items and not (direct or indirect or is_org):
        return None
    return items


def _announce(sender, instance, using, items) -> None:
    tables = _model_info(sender)[0]
    st = _state(connections[using])
    for t in tables:
        st.announced.setdefault(t, set()).update(items if items is not None else {GLOBAL})


def before_save(sender, instance, raw=False, using="default", update_fields=None, **kwargs) -> None:
    if _migrating or sender._meta.db_table.lower() in IGNORED_TABLES:
        return
    items = _items_of(instance)
    tables, is_org, direct, indirect = _model_info(sender)
    if items is not None and not instance._state.adding and instance.pk is not None:
        # An update may move the row (a member to another branch): the old owners change too.
        fields = [*direct, *(a for a, _, _ in indirect)] + (["path"] if is_org else [])
        if update_fields is not None:
            fields = [f for f in fields if f in update_fields or f.removesuffix("_id") in update_fields]
        if fields:
            old = sender._base_manager.using(using).filter(pk=instance.pk).values(*fields).first()
            if old is not None:
                items |= _items_of(instance, old) or set()
    _announce(sender, instance, using, items)


def before_delete(sender, instance, using="default", **kwargs) -> None:
    if _migrating or sender._meta.db_table.lower() in IGNORED_TABLES:
        return
    _announce(sender, instance, using, _items_of(instance))


# --- tokens ----------------------------------------------------------------------------------
def _placeholders(n: int) -> str:
    return ",".join(["%s"] * n)


def _resolve(conn, items: Iterable) -> set[str]:
    """Token keys to change for scope items: the organisations' paths and all their ancestors."""
    keys = {ANY}
    pks: set = set()
    paths: set[str] = set()
    by_model: dict = {}
    for it in items:
        if it == GLOBAL:
            keys.add(GLOBAL)
        elif isinstance(it, str) and it.startswith("p:"):
            paths.add(it[2:])
        elif isinstance(it, tuple):
            by_model.setdefault(it[0], set()).add(it[1])
        else:
            pks.add(it)
    for model, ids in by_model.items():
        attnames = _model_info(model)[2] or [
            f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is _org_model()
        ]
        ids = list(ids)
        for i in range(0, len(ids), CHUNK):
            rows = list(model._base_manager.using(conn.alias).filter(pk__in=ids[i : i + CHUNK]).values_list(*attnames))
            if len(rows) < len(ids[i : i + CHUNK]):
                keys.add(GLOBAL)  # gone meanwhile: cannot say where it was
            pks.update(v for row in rows for v in row if v is not None)
    pks = list(pks)
    org_table = _org_model()._meta.db_table
    for i in range(0, len(pks), CHUNK):
        part = pks[i : i + CHUNK]
        with conn.cursor() as cur:
            cur.execute(f"SELECT id, path FROM {org_table} WHERE id IN ({_placeholders(len(part))})", part)
            found = cur.fetchall()
        if len(found) < len(set(part)):
            keys.add(GLOBAL)
        paths.update(p for _, p in found)
    step = _org_model().steplen
    for p in paths:
        keys.update("p:" + p[:i] for i in range(step, len(p) + 1, step))
        # A row of the organisation itself (a local 组织生活 setting on the county, its own
        # name): the figures of everything under it may depend on it (ATTACHED, scope_keys).
        keys.add(ATTACHED + p)
    return keys


def bump(items: Iterable = (GLOBAL,), *, using: str = "default") -> None:
    """Give the scopes of `items` (and their ancestors, and `*`) fresh tokens, now."""
    conn = connections[using]
    keys = sorted(_resolve(conn, items))  # one order for everyone: no lock cycles
    token = uuid.uuid4().hex
    values = ",".join(["(%s,%s)"] * len(keys))
    params = [v for k in keys for v in (k, token)]
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO core_cacheversion (scope, token) VALUES {values} "
            "ON CONFLICT (scope) DO UPDATE SET token = excluded.token",
            params,
        )


def _orgs_in(value, out: list) -> list:
    org = _org_model()
    if isinstance(value, org):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            _orgs_in(v, out)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _orgs_in(v, out)
    return out


def scope_keys(scope=None) -> list[str]:
    """Token keys a figure for `scope` (an organisation, several, or None for anything) reads."""
    if scope is None:
        return [ANY]
    orgs = _orgs_in(scope, [])
    if not orgs:
        return [ANY]
    step = _org_model().steplen
    keys = {"p:" + o.path for o in orgs}
    # Rows attached to an ancestor itself (not to a branch under it) hold what the figures
    # below inherit: KindRequirement settings on the county apply to every township's branches.
    keys.update(ATTACHED + o.path[:i] for o in orgs for i in range(step, len(o.path), step))
    return [GLOBAL, *sorted(keys)]


def _tokens(keys: list[str]) -> dict | None:
    sql = f"SELECT scope, token FROM core_cacheversion WHERE scope IN ({_placeholders(len(keys))})"
    with connection.cursor() as cur:
        cur.execute(sql, keys)
        found = dict(cur.fetchall())
    missing = [k for k in keys if k not in found]
    if missing:
        if connection.in_atomic_block:
            return None  # do not create rows inside someone's transaction
        token = uuid.uuid4().hex
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO core_cacheversion (scope, token) VALUES {','.join(['(%s,%s)'] * len(missing))} "
                "ON CONFLICT (scope) DO NOTHING",
                [v for k in missing for v in (k, token)],
            )
            cur.execute(sql, keys)
            found = dict(cur.fetchall())
        if any(k not in found for k in keys):
            return None
    return found


def data_version(scope=None) -> str:
    """A value that changes whenever data the figures of `scope` depend on is written
    (scope None: any project data). Never reused; a fresh value when it cannot be known."""
    if has_pending_writes():
        return uuid.uuid4().hex
    keys = scope_keys(scope)
    tokens = _tokens(keys)
    if tokens is None:
        return uuid.uuid4().hex
    return "|".join(tokens[k] for k in keys)


def _part(value) -> str:
    if isinstance(value, Model):
        return f"{value._meta.label}:{value.pk}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={_part(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ",".join(_part(v) for v in value) + "]"
    return repr(value)


def cache_key(*parts) -> str:
    return "dj:" + hashlib.sha256("|".join(_part(p) for p in parts).encode()).hexdigest()


_NO_SCOPE = object()
TIMEOUT = 3600  # seconds a cached figure is kept (it is invalidated by its tokens long before)


def cached(parts: tuple, compute: Callable, *, timeout: int = TIMEOUT, version: str | None = None, scope=_NO_SCOPE):
    """`compute()` or its cached value for `parts` at the current data version.

    The scope is the organisations found in `parts` (a figure for a township is recomputed
    after a write under that township, or a write we cannot place); pass `scope=` to say it
    yourself (None: after any write)."""
    if has_pending_writes():
        return compute()  # our own uncommitted writes: the tokens have not moved yet
    if version is None:
        version = data_version(parts if scope is _NO_SCOPE else scope)
    key = cache_key(version, *parts)
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    if value is not None:
        cache.set(key, value, timeout)
    return value

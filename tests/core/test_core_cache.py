"""core.cache: scoped invalidation after commit, never a shared row held by a writer.

These tests commit for real (transactional_db): invalidation happens on commit."""

import threading
import time
from datetime import date

import pytest
from django.db import connection, connections, transaction

from dangjian.core import cache as dc


def _tree():
    from dangjian.orgs.models import Organization, OrgCategory, OrgType
    from dangjian.testsupport.world import make_member

    district = Organization.objects.add_root(
        dict(name="缓存测试区委", org_type=OrgType.HIGHER, category=OrgCategory.ORGAN)
    )
    t1 = Organization.objects.add_child(
        district, dict(name="一镇党委", org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN)
    )
    t2 = Organization.objects.add_child(
        Organization.objects.get(pk=district.pk),
        dict(name="二镇党委", org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN),
    )
    a = Organization.objects.add_child(
        Organization.objects.get(pk=t1.pk),
        dict(name="一镇甲支部", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY),
    )
    b = Organization.objects.add_child(
        Organization.objects.get(pk=t2.pk),
        dict(name="二镇乙支部", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY),
    )
    orgs = {k: Organization.objects.get(pk=o.pk) for k, o in dict(district=district, t1=t1, t2=t2, a=a, b=b).items()}
    members = {"a": make_member(orgs["a"], name="甲一"), "b": make_member(orgs["b"], name="乙一")}
    return orgs, members


class Counter:
    """A figure (members under an organisation) that counts how often it is computed."""

    def __init__(self):
        self.calls = 0

    def figure(self, org):
        from dangjian.members.models import Member

        def compute():
            self.calls += 1
            return Member.objects.filter(branch__path__startswith=org.path).count()

        return dc.cached(("test.members", org), compute)


@pytest.fixture
def tree(transactional_db):
    from django.core.cache import cache

    cache.clear()
    return _tree()


def _table():
    from dangjian.core.models import CacheVersion

    return dict(CacheVersion.objects.values_list("scope", "token"))


def _versions(orgs):
    return {k: dc.data_version(o) for k, o in orgs.items()}


def test_write_in_one_township_invalidates_it_and_its_ancestors_only(tree):
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    c = Counter()
    before = {k: c.figure(o) for k, o in orgs.items()}
    assert c.calls == 5
    assert {k: c.figure(o) for k, o in orgs.items()} == before and c.calls == 5  # all cached
    v0 = _versions(orgs)
    make_member(orgs["a"], name="甲二")
    v1 = _versions(orgs)
    assert {k for k in orgs if v0[k] != v1[k]} == {"a", "t1", "district"}
    after = {k: c.figure(o) for k, o in orgs.items()}
    assert after == {**before, "a": 2, "t1": 2, "district": 3}
    assert c.calls == 5 + 3  # the other township's figures were served from the cache


def test_member_moved_between_townships_invalidates_both(tree):
    orgs, members = tree
    c = Counter()
    assert c.figure(orgs["t1"]) == 1 and c.figure(orgs["t2"]) == 1
    m = members["a"]
    m.branch = orgs["b"]
    m.save()
    assert c.figure(orgs["t1"]) == 0 and c.figure(orgs["t2"]) == 2


def test_bulk_update_and_raw_sql_invalidate_everything(tree):
    from dangjian.members.models import Member

    orgs, members = tree
    c = Counter()
    assert c.figure(orgs["t2"]) == 1
    v0 = _versions(orgs)
    Member.objects.filter(pk=members["a"].pk).update(branch=orgs["b"])  # no signal: cannot be placed
    v1 = _versions(orgs)
    assert all(v0[k] != v1[k] for k in orgs)
    assert c.figure(orgs["t2"]) == 2
    with connection.cursor() as cur:
        cur.execute("UPDATE members_member SET branch_id = %s", [orgs["a"].pk])
    assert c.figure(orgs["t2"]) == 0 and c.figure(orgs["t1"]) == 2


def test_writes_in_attributes_bulk_writes_to_their_township(tree):
    from dangjian.members.models import Member

    orgs, members = tree
    v0 = _versions(orgs)
    with dc.writes_in(orgs["a"]):
        Member.objects.filter(pk=members["a"].pk).update(name="甲一改")
    v1 = _versions(orgs)
    assert {k for k in orgs if v0[k] != v1[k]} == {"a", "t1", "district"}


def test_rolled_back_write_changes_nothing_and_is_never_cached(tree):
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    c = Counter()
    assert c.figure(orgs["t1"]) == 1
    v0 = _versions(orgs)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_member(orgs["a"], name="甲二")
        # Inside the writer's own transaction: its write is seen, and not cached.
        assert c.figure(orgs["t1"]) == 2
        raise RuntimeError("roll back")
    assert _versions(orgs) == v0
    calls = c.calls
    assert c.figure(orgs["t1"]) == 1 and c.calls == calls  # the cached figure is still right


def test_savepoints_rolled_back_and_released(tree):
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    c = Counter()
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (1, 1)
    v0, t0 = _versions(orgs), _table()
    with transaction.atomic():
        try:
            with transaction.atomic():  # savepoint in township 2, rolled back
                make_member(orgs["b"], name="乙二")
                raise RuntimeError
        except RuntimeError:
            pass
        with transaction.atomic():  # savepoint in township 1, released
            make_member(orgs["a"], name="甲二")
        assert _table() == t0  # no token moves before the commit (no row is locked by the writer)
        assert dc.data_version(orgs["t2"]) != dc.data_version(orgs["t2"])  # unknowable: fresh values
        assert c.figure(orgs["t1"]) == 2  # but the writer sees its own write
    v1 = _versions(orgs)
    assert {k for k in orgs if v0[k] != v1[k]} == {"a", "t1", "district"}
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (2, 1)


def test_write_committed_in_another_thread_is_seen(tree):
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    c = Counter()
    assert c.figure(orgs["t1"]) == 1
    errors = []

    def other():
        try:
            make_member(orgs["a"], name="线程甲")
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=other)
    t.start()
    t.join(30)
    assert not errors
    assert c.figure(orgs["t1"]) == 2


def test_new_and_deleted_rows_and_organisations(tree):
    from dangjian.orgs.models import Organization, OrgCategory, OrgType
    from dangjian.testsupport.world import make_member

    orgs, members = tree
    c = Counter()
    assert c.figure(orgs["t2"]) == 1
    new_branch = Organization.objects.add_child(
        Organization.objects.get(pk=orgs["t2"].pk),
        dict(name="二镇丙支部", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY),
    )
    make_member(new_branch, name="丙一")
    assert c.figure(orgs["t2"]) == 2
    members["b"].delete()
    assert c.figure(orgs["t2"]) == 1


def test_public_api_without_scope_changes_on_any_write(tree):
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    v = dc.data_version()
    assert v == dc.data_version()
    make_member(orgs["b"], name="乙二")
    assert dc.data_version() != v
    assert dc.cached(("test.any",), lambda: 41, scope=None) == 41


@pytest.mark.postgres
def test_postgres_write_in_one_branch_completes_while_another_branchs_transaction_is_open(tree):
    """Two connections: one holds an open transaction with a write in branch A; a write in
    branch B (another township) commits meanwhile without waiting (lock_timeout proves it)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks are held to commit there; SQLite has one writer at a time)")
    from dangjian.testsupport.world import make_member

    orgs, members = tree
    c = Counter()
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (1, 1)
    wrote, release, done, errors = threading.Event(), threading.Event(), threading.Event(), []

    def long_transaction():
        try:
            with transaction.atomic():
                make_member(orgs["a"], name="长事务甲")
                m = members["a"]
                m.name = "甲一改"
                m.save()
                wrote.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            done.set()
            connections.close_all()

    t = threading.Thread(target=long_transaction)
    t.start()
    assert wrote.wait(30)
    try:
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = '2s'")
        started = time.monotonic()
        with transaction.atomic():
            make_member(orgs["b"], name="乙二")
            m = members["b"]
            m.name = "乙一改"
            m.save()
        elapsed = time.monotonic() - started
        assert elapsed < 1.5, elapsed
        # The committed write is seen at once; the open one is not (and is not cached either).
        assert (c.figure(orgs["t2"]), c.figure(orgs["t1"])) == (2, 1)
    finally:
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")
        release.set()
        t.join(30)
    assert not errors and done.is_set()
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (2, 2)


def test_today_is_part_of_keys():
    assert dc.cache_key("x", date(2026, 1, 1)) != dc.cache_key("x", date(2026, 1, 2))


def test_roster_import_invalidates_only_the_branches_it_writes(tree):
    from dangjian.members.models import Member
    from dangjian.members.roster_export import roster_bytes
    from dangjian.members.roster_import import apply_plan, plan_import, read_rows
    from dangjian.testsupport.world import make_id

    orgs, members = tree
    c = Counter()
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (1, 1)
    v0 = _versions(orgs)
    # A roster of township 1's branch with one new member (built like an export, re-imported).
    existing = list(Member.objects.filter(branch=orgs["a"]).select_related("branch", "group"))
    content = roster_bytes(existing, full=True)
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    row = [c.value for c in ws[3]]
    row[0], row[3], row[4] = "甲新", make_id("620102", date(1985, 3, 1), 123), date(1985, 3, 1)
    ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    from dangjian.members.roster_import import BranchIndex

    plan = plan_import(read_rows(buf.getvalue()), branches=BranchIndex([orgs["a"], orgs["b"]], []))
    assert plan.ok, plan.errors
    apply_plan(plan)
    v1 = _versions(orgs)
    assert {k for k in orgs if v0[k] != v1[k]} == {"a", "t1", "district"}
    assert (c.figure(orgs["t1"]), c.figure(orgs["t2"])) == (2, 1)


def test_a_setting_on_an_ancestor_invalidates_the_figures_below_it_and_a_branch_write_does_not(tree):
    """A local 组织生活 setting on the 区委 applies to every township's branches (requirements_for
    takes the nearest ancestor's): the townships' figures must be recomputed after it."""
    from dangjian.meetings.models import Kind, KindRequirement
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    c = Counter()
    for o in orgs.values():
        c.figure(o)
    v0 = _versions(orgs)
    KindRequirement.objects.create(org=orgs["district"], kind=Kind.THEME_DAY, period="quarter", minimum=1)
    v1 = _versions(orgs)
    assert {k for k in orgs if v0[k] != v1[k]} == set(orgs)  # everything under the 区委
    make_member(orgs["a"], name="甲三")
    v2 = _versions(orgs)
    assert {k for k in orgs if v1[k] != v2[k]} == {"a", "t1", "district"}  # still scoped
    KindRequirement.objects.create(org=orgs["t2"], kind=Kind.THEME_DAY, period="quarter", minimum=1)
    v3 = _versions(orgs)
    assert {k for k in orgs if v2[k] != v3[k]} == {"t2", "b", "district"}


def test_figures_in_a_request_scope_keep_their_township_scope(tree):
    """The dashboard reads its figures inside figures.scope(): a write in one township must
    not recompute another township's figures (they were keyed by the any-write token)."""
    from dangjian.core import figures
    from dangjian.members.models import Member
    from dangjian.testsupport.world import make_member

    orgs, _ = tree
    calls = []

    @figures.figure
    def members_under(org):
        calls.append(org.pk)
        return Member.objects.filter(branch__path__startswith=org.path).count()

    def read_all():
        with figures.scope():
            return {k: members_under(o) for k, o in orgs.items()}

    first = read_all()
    assert len(calls) == 5 and read_all() == first and len(calls) == 5
    make_member(orgs["a"], name="甲四")
    assert read_all() == {**first, "a": 2, "t1": 2, "district": 3}
    assert sorted(calls[5:]) == sorted(orgs[k].pk for k in ("a", "t1", "district"))

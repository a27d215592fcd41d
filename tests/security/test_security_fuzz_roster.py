"""Hostile roster files (members importer): never an unhandled error, never a partial write,
formula-looking cells escaped on export. Property-based (hypothesis), thousands of cases."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from dangjian.testsupport.fuzz import (
    FORMULAS,
    FUZZ,
    ROSTER_HEADER,
    assert_formula_safe,
    data_digest,
    hostile_cell,
    hostile_text,
    roster_rows,
    workbook_bytes,
)

roster_import = pytest.importorskip("dangjian.members.roster_import", reason="members importer not there yet")


def run_import(user, content: bytes):
    """The importer as the web view uses it: read → plan (scope of `user`) → apply if clean.
    Returns (plan or None, error message or None)."""
    try:
        rows = roster_import.read_rows(content)
        plan = roster_import.plan_import(rows, branches=roster_import.BranchIndex.for_user(user))
    except roster_import.ImportError_ as exc:
        assert exc.message and any("\u4e00" <= ch <= "\u9fff" for ch in exc.message)
        return None, exc.message
    if plan.ok:
        roster_import.apply_plan(plan, user=user)
    else:
        for e in plan.errors:
            assert e.row >= 1 and e.message and any("\u4e00" <= ch <= "\u9fff" for ch in e.message), e
    return plan, None


def _savepoint(fn):
    """Run fn in a savepoint rolled back afterwards: every example starts from the same data."""
    with transaction.atomic():
        try:
            return fn()
        finally:
            transaction.set_rollback(True)


@hsettings(**FUZZ)
@given(rows=st.lists(st.lists(hostile_cell(), max_size=14), max_size=8))
def test_random_sheets(world, rows):
    user = world.user("secretary_a")

    def go():
        before = data_digest()
        plan, error = run_import(user, workbook_bytes(rows))
        if plan is None or not plan.ok:
            assert data_digest() == before

    _savepoint(go)


@hsettings(**FUZZ)
@given(
    bad=st.dictionaries(st.integers(min_value=0, max_value=len(ROSTER_HEADER) - 1), hostile_cell(), min_size=1),
    at=st.integers(min_value=0, max_value=5),
)
def test_hostile_values_in_a_valid_file(world, bad, at):
    """A valid file with one row spoiled: either the row is rejected with 行号/列/原因 and
    nothing is written, or (when the value happens to be acceptable) all rows are."""
    user = world.user("secretary_a")
    rows = roster_rows(world.branch_a.name, 6, start=100)
    for col, value in bad.items():
        rows[at][col] = value

    def go():
        before = data_digest()
        n_before = roster_import.Member.objects.count()
        plan, error = run_import(user, workbook_bytes([ROSTER_HEADER, *rows]))
        if plan is None or not plan.ok:
            assert data_digest() == before, "a refused import wrote something"
        else:
            assert roster_import.Member.objects.count() == n_before + len(plan.to_create)

    _savepoint(go)


@hsettings(**FUZZ)
@given(name=hostile_text(), address=hostile_text(), branch=hostile_text(60))
def test_text_fields_and_scope(world, name, address, branch):
    """Any text in name/address/branch: no crash; a branch outside the secretary's scope is refused."""
    user = world.user("secretary_a")
    row = roster_rows(world.branch_a.name, 1, start=300)[0]
    row[0], row[-1] = name, address
    rows = [row, roster_rows(branch, 1, start=301)[0]]

    def go():
        before = data_digest()
        plan, _ = run_import(user, workbook_bytes([ROSTER_HEADER, *rows]))
        if plan is None or not plan.ok:
            assert data_digest() == before
        else:
            assert not roster_import.Member.objects.filter(branch=world.branch_b, name__startswith="导入党员").exists()

    _savepoint(go)


def test_out_of_scope_branch_is_refused(world):
    user = world.user("secretary_a")
    rows = roster_rows(world.branch_a.name, 3) + roster_rows(world.branch_b.name, 1, start=50)
    before = data_digest()
    plan, _ = run_import(user, workbook_bytes([ROSTER_HEADER, *rows]))
    assert plan is not None and not plan.ok and plan.errors[0].row == 5
    assert data_digest() == before


@pytest.mark.parametrize(
    "content",
    [b"", b"not a spreadsheet", b"PK\x03\x04" + b"\x00" * 100, b"%PDF-1.4\n", b"\xd0\xcf\x11\xe0" + b"\x00" * 600],
)
def test_not_a_spreadsheet(world, content):
    before = data_digest()
    plan, error = run_import(world.user("secretary_a"), content)
    assert plan is None and "Excel" in error
    assert data_digest() == before


@hsettings(**FUZZ)
@given(values=st.lists(st.one_of(st.sampled_from(FORMULAS), hostile_text(80)), min_size=1, max_size=6))
def test_export_escapes_formulas(world, values):
    """Whatever a member record holds, the roster export never contains a live formula."""
    export = pytest.importorskip("dangjian.members.roster_export")
    from dangjian.members.models import Member

    def go():
        members = list(Member.objects.filter(branch=world.branch_a)[: len(values)])
        for m, v in zip(members, values):
            v = v.replace("\x00", "")  # a form cannot send NUL; PostgreSQL cannot store it
            Member.objects.filter(pk=m.pk).update(address=v[:120], job=v[:60])
        content = export.roster_bytes(
            Member.objects.filter(branch=world.branch_a), full=False, user=world.user("admin"), org="东街"
        )
        assert_formula_safe(content)

    _savepoint(go)


# --- through the web view: an upload never gives a 500 --------------------------------------


@hsettings(**{**FUZZ, "max_examples": 60})
@given(rows=st.lists(st.lists(hostile_cell(), max_size=12), max_size=6), header=st.booleans())
def test_web_import_never_500(world, rows, header):
    from django.test import Client

    c = Client(raise_request_exception=False)
    c.force_login(world.user("secretary_a"))
    content = workbook_bytes(([ROSTER_HEADER] if header else []) + rows)

    def go():
        before = data_digest()
        resp = c.post(
            reverse("members:import"),
            {"action": "upload", "file": SimpleUploadedFile("名册.xlsx", content)},
        )
        assert resp.status_code < 500
        if resp.status_code != 302:
            assert data_digest() == before
        resp = c.post(reverse("members:import"), {"action": "confirm"})
        assert resp.status_code < 500

    _savepoint(go)


def test_import_is_all_or_nothing_at_the_database(world, monkeypatch):
    """A failure in the middle of writing (here: the audit entries) rolls everything back."""
    user = world.user("secretary_a")
    rows = roster_rows(world.branch_a.name, 5, start=400)
    plan = roster_import.plan_import(
        roster_import.read_rows(workbook_bytes([ROSTER_HEADER, *rows])),
        branches=roster_import.BranchIndex.for_user(user),
    )
    assert plan.ok
    before = data_digest()

    def boom(*a, **kw):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_import.roster_apply, "_log_entries", boom)
    with pytest.raises(RuntimeError), transaction.atomic():
        roster_import.apply_plan(plan, user=user)
    assert data_digest() == before

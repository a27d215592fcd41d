"""Dues screens: scope (404 outside), the one-submit monthly screen, ledgers open with the
figures the screens show, fixed query counts, the all-or-nothing importer (fuzzed)."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dangjian.dues import selectors, services
from dangjian.dues.importer import ImportRefused, import_bases
from dangjian.dues.models import DuesBase, Payment
from dangjian.dues.months import month_of
from dangjian.testsupport.fuzz import FUZZ, data_digest, hostile_cell, workbook_bytes
from dangjian.testsupport.world import make_member


def _month():
    return month_of(timezone.localdate())


def test_collector_ticks_who_paid_and_the_rate_changes(bases, client_for):
    w = bases
    c = client_for("committee_a")
    url = f"/dues/collect/?branch={w.branch_a.pk}&month={_month():%Y-%m}"
    r = c.get(url)
    assert r.status_code == 200
    assert r.context["screen"]["rate"] == 0.0 and r.context["screen"]["due_count"] == 5
    assert "40.00" in r.content.decode()  # prefilled amount
    ids = [w.members_a[0].pk, w.members_a[2].pk]
    form = {"branch": w.branch_a.pk, "month": f"{_month():%Y-%m}", "paid": ids}
    r = c.post("/dues/collect/save/", form)  # first a confirmation with the count and the total
    assert r.status_code == 200 and not Payment.objects.exists()
    assert "将登记 <strong>2</strong> 人交纳党费，合计 <strong>40.50</strong> 元" in r.content.decode()
    r = c.post("/dues/collect/save/", {**form, "confirmed": "1"})
    assert r.status_code == 302
    screen = c.get(url).context["screen"]
    assert screen["paid_count"] == 2
    assert screen["paid_amount"] == Decimal("40.50")
    assert screen["rate"] == pytest.approx(float(Decimal("40.50") / screen["due_amount"]))
    p = Payment.objects.get(member=w.members_a[0])
    assert p.collector == w.user("committee_a") and p.kind == Payment.Kind.MONTHLY
    from auditlog.models import LogEntry

    assert LogEntry.objects.filter(object_pk=str(p.pk), additional_data__bulk=True).exists()


def test_readonly_roles_cannot_collect(bases, client_for):
    r = client_for("inspector").post(
        "/dues/collect/save/", {"branch": bases.branch_a.pk, "paid": [bases.members_a[0].pk]}
    )
    assert r.status_code == 403
    r = client_for("member_a").get("/dues/collect/")
    assert r.status_code == 403


def test_secretary_sees_only_their_branch(bases, client_for):
    w = bases
    c = client_for("secretary_a")
    assert c.get(f"/dues/member/{w.members_a[1].pk}/").status_code == 200
    assert c.get(f"/dues/member/{w.members_b[1].pk}/").status_code == 404
    assert c.get(f"/dues/collect/?branch={w.branch_b.pk}").status_code == 404
    assert c.get(f"/dues/ledger/?branch={w.branch_b.pk}").status_code == 404
    r = c.get("/dues/arrears/")
    names = {row["name"] for row in r.context["rows"]}
    assert names and names <= {m.name for m in w.members_a}


def test_member_sees_only_their_own_dues(bases, client_for):
    w = bases
    c = client_for("member_a")
    r = c.get("/dues/mine/")
    assert r.status_code == 200 and r.context["member"] == w.members_a[3]
    assert c.get(f"/dues/member/{w.members_a[3].pk}/").status_code == 403
    assert c.get("/dues/arrears/").status_code == 403


def test_phones_masked_unless_entitled_and_revealed(bases, client_for):
    w = bases
    r = client_for("inspector").get(f"/dues/arrears/?branch={w.branch_a.pk}&phones=1")
    body = r.content.decode()
    assert w.members_a[0].phone_mask in body and w.members_a[0].phone not in body
    r = client_for("secretary_a").get("/dues/arrears/?phones=1")
    assert w.members_a[0].phone in r.content.decode()
    from dangjian.accounts.models import RevealEvent

    assert RevealEvent.objects.filter(user=w.user("secretary_a"), kind="phone").exists()


def test_ledger_opens_with_the_figures_the_screens_show(bases, client_for):
    w = bases
    year = timezone.localdate().year
    services.collect_month(
        branch=w.branch_a,
        month=month_of(timezone.localdate().replace(month=1)),
        member_ids=[m.pk for m in w.members_a],
        paid_on=timezone.localdate(),
    )
    c = client_for("secretary_a")
    r = c.get(f"/dues/ledger/?branch={w.branch_a.pk}&year={year}")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert "党费收缴台账" in ws["A1"].value
    header = [c.value for c in ws[2]]
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    screen = selectors.member_dues(w.members_a[0], year=year)
    row = rows[w.members_a[0].name]
    assert row[header.index("已交合计")] == float(screen["paid_year"])
    assert row[header.index("欠缴月数")] == len([m for m in screen["arrears_months"] if m.year == year])
    summary = c.get(f"/dues/summary/?branch={w.branch_a.pk}&year={year}").context["data"]
    xl = load_workbook(
        io.BytesIO(c.get(f"/dues/summary/?branch={w.branch_a.pk}&year={year}&format=xlsx").content)
    ).active
    total = [r for r in xl.iter_rows(min_row=3, values_only=True) if r[0] == "合计"][0]
    assert total[1] == float(summary.due) and total[2] == float(summary.paid)
    notice = load_workbook(io.BytesIO(c.get(f"/dues/notice/?year={year}&format=xlsx").content))
    assert "合计" in notice.sheetnames


def _grow(world, n):
    for i in range(n):
        m = make_member(world.branch_a, name=f"加员{i}")
        DuesBase.objects.create(member=m, year=timezone.localdate().year, category="农民", amount=Decimal("0.50"))
        services.record_payment(member=m, months=[_month()], paid_on=timezone.localdate())


@pytest.mark.parametrize(
    "path", ["/dues/collect/?branch={a}", "/dues/arrears/", "/dues/summary/", "/dues/bases/?branch={a}"]
)
def test_query_counts_do_not_grow_with_members(bases, client_for, django_assert_max_num_queries, path):
    w = bases
    c = client_for("admin")
    url = path.format(a=w.branch_a.pk)
    c.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert c.get(url).status_code == 200
    n = len(small)  # now: the query log is a bounded deque
    _grow(w, 12)
    c.get(url)  # yearly figures are cached (core.figures): compare warm with warm
    with CaptureQueriesContext(connection) as large:
        assert c.get(url).status_code == 200
    assert len(large) == n


def _sheet(rows):
    return workbook_bytes([["姓名", "公民身份号码", "党费类别", "月交纳基数"], *rows])


def test_import_all_or_nothing_with_row_errors(world):
    year = timezone.localdate().year
    a = world.members_a
    good = _sheet([[a[0].name, "", "在职", "3000.01"], [a[1].name, "", "离退休", 5000], [a[2].name, "", "农民", None]])
    assert import_bases(branch=world.branch_a, year=year, data=good) == 3
    assert DuesBase.objects.get(member=a[0], year=year).amount == Decimal("30.00")
    assert DuesBase.objects.get(member=a[1], year=year).amount == Decimal("25.00")
    bad = _sheet(
        [
            [a[3].name, "", "学生", None],
            ["不存在", "", "在职", 3000],
            [a[4].name, "", "公务员", 1],
            [a[0].name, "", "在职", -5],
        ]
    )
    with pytest.raises(ImportRefused) as exc:
        import_bases(branch=world.branch_a, year=year, data=bad)
    errs = exc.value.errors
    assert [(e[0], e[1]) for e in errs] == [(3, "姓名"), (4, "党费类别"), (5, "月交纳基数")]
    assert not DuesBase.objects.filter(member=a[3], year=year).exists()  # nothing written
    assert DuesBase.objects.get(member=a[0], year=year).amount == Decimal("30.00")
    with pytest.raises(ImportRefused):
        import_bases(branch=world.branch_a, year=year, data=b"not a spreadsheet")


def test_import_view_shows_row_errors(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for("secretary_a")
    f = SimpleUploadedFile("b.xlsx", _sheet([["无此人", "", "在职", 3000]]))
    r = c.post("/dues/bases/import/", {"branch": world.branch_a.pk, "year": timezone.localdate().year, "file": f})
    assert r.status_code == 200 and "本支部没有名为" in r.content.decode()


@hsettings(**FUZZ)
@given(rows=st.lists(st.lists(hostile_cell(), min_size=4, max_size=6), max_size=6))
def test_importer_fuzz_never_crashes_and_writes_nothing_when_refused(world, rows):
    before = data_digest()
    try:
        import_bases(branch=world.branch_a, year=2025, data=_sheet(rows))
    except ImportRefused as exc:
        assert exc.errors and all(isinstance(e[2], str) and e[2] for e in exc.errors)
        assert data_digest() == before


def test_dues_collection_due_this_month_is_in_the_todo_list(bases, client_for):
    c = client_for("secretary_a")
    html = c.get("/meetings/todo/").content.decode()
    assert "本月党费收缴" in html and "收缴率 0.0%" in html
    assert f"/dues/collect/?branch={bases.branch_a.pk}" in html

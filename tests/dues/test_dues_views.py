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


def _upload(c, world, content, name="b.xlsx", year=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    year = year or timezone.localdate().year
    return c.post(
        "/dues/bases/import/", {"branch": world.branch_a.pk, "year": year, "file": SimpleUploadedFile(name, content)}
    )


def _kept(c):
    from dangjian.dues.views import IMPORT_SESSION_KEY

    return (c.session.get(IMPORT_SESSION_KEY) or {}).get("token")


def _preview_file(token):
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / "import_previews" / f"{token}.preview"


def test_import_view_shows_row_errors_and_keeps_nothing(world, client_for):
    c = client_for("secretary_a")
    before = data_digest()
    r = _upload(c, world, _sheet([["无此人", "", "在职", 3000]]))
    assert r.status_code == 422 and "本支部没有名为" in r.content.decode()
    assert 'value="confirm"' not in r.content.decode() and _kept(c) is None
    assert data_digest() == before


def test_import_previews_then_confirm_writes_exactly_the_previewed_rows(world, client_for):
    year = timezone.localdate().year
    a = world.members_a
    c = client_for("secretary_a")
    before = data_digest()
    assert c.get(f"/dues/bases/import/?branch={world.branch_a.pk}&year={year}").status_code == 200
    content = workbook_bytes(
        [
            ["东街社区党支部党费基数表"],
            ["序号", "党员姓名", "交纳类别", "月工资收入", "签字"],
            [1, a[0].name, "在职", "3,000.01元", "已签"],
            [2, a[1].name, "离退休", 5000, ""],
            [3, a[2].name, "农民", None, ""],
            ["合计", "3人"],
        ]
    )
    r = _upload(c, world, content)
    html = r.content.decode()
    assert r.status_code == 200 and "确认导入" in html and "尚未保存" in html
    assert data_digest() == before  # nothing written on GET or on preview
    # the rows to write, the skipped row with 行号/原因, the columns not used
    assert html.count("<tr><td>第") >= 4 and a[0].name in html and "30.00" in html and "25.00" in html
    assert "<td>第6行</td><td>“合计”行</td>" in html
    assert "“序号”" in html and "“签字”" in html
    from dangjian.testsupport.words import english_words

    assert english_words(html) == []  # the preview reads in Chinese
    token = _kept(c)
    kept = _preview_file(token)
    assert kept.exists() and (kept.stat().st_mode & 0o777) == 0o600
    assert a[0].name not in kept.read_text(errors="replace")  # kept encrypted, like the roster's
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": token})
    assert r.status_code == 302
    got = {(b.member_id, b.category, b.base, b.amount) for b in DuesBase.objects.filter(member__branch=world.branch_a)}
    assert got == {
        (a[0].pk, "在职", Decimal("3000.01"), Decimal("30.00")),
        (a[1].pk, "离退休", Decimal("5000.00"), Decimal("25.00")),
        (a[2].pk, "农民", None, Decimal("0.50")),  # the branch's farmer amount
    }
    assert not kept.exists() and _kept(c) is None
    after = data_digest()
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": token})  # a second click
    assert r.status_code == 400 and "已过期" in r.content.decode() and data_digest() == after


def test_a_stale_replaced_or_expired_preview_is_refused_and_writes_nothing(bases, client_for):
    import os
    import time

    from dangjian.members.models import Member

    w = bases
    year = timezone.localdate().year
    a = w.members_a
    c = client_for("secretary_a")
    content = _sheet([[a[0].name, "", "在职", 6000], [a[1].name, "", "离退休", 7000]])
    # someone changes a previewed member's base after the preview: refused, nothing written
    _upload(c, w, content)
    token = _kept(c)
    services.set_bases(branch=w.branch_a, year=year, rows=[services.BaseRow(a[0].pk, "在职", Decimal("4500"))])
    before = data_digest()
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": token})
    html = r.content.decode()
    assert r.status_code == 409 and "预览之后" in html and f"{a[0].name}的{year}年党费基数已被修改" in html
    assert "请重新上传" in html and data_digest() == before
    assert DuesBase.objects.get(member=a[0], year=year).base == Decimal("4500.00")
    # a member who left the branch since the preview
    _upload(c, w, content)
    token = _kept(c)
    Member.objects.filter(pk=a[1].pk).update(is_current=False)
    before = data_digest()
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": token})
    assert r.status_code == 409 and "已不在本支部名册中" in r.content.decode() and data_digest() == before
    Member.objects.filter(pk=a[1].pk).update(is_current=True)
    before = data_digest()
    # a preview replaced by a later upload in the same session
    _upload(c, w, content)
    first = _kept(c)
    _upload(c, w, _sheet([[a[0].name, "", "在职", 8000]]))
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": first})
    assert r.status_code == 400 and "已被之后上传的文件取代" in r.content.decode() and data_digest() == before
    # an expired preview (older than an hour)
    kept = _preview_file(_kept(c))
    old = time.time() - 2 * 3600
    os.utime(kept, (old, old))
    r = c.post("/dues/bases/import/", {"action": "confirm", "token": _kept(c)})
    assert r.status_code == 400 and "已过期（超过1小时未确认）" in r.content.decode() and data_digest() == before
    # another person's token is not theirs to confirm
    _upload(c, w, content)
    other = client_for("admin")
    before = data_digest()  # (signing in writes last_login)
    r = other.post("/dues/bases/import/", {"action": "confirm", "token": _kept(c)})
    assert r.status_code == 400 and data_digest() == before


def test_cancel_drops_the_preview(world, client_for):
    c = client_for("secretary_a")
    _upload(c, world, _sheet([[world.members_a[0].name, "", "在职", 3000]]))
    kept = _preview_file(_kept(c))
    r = c.post("/dues/bases/import/", {"action": "cancel", "token": _kept(c)})
    assert r.status_code == 302 and not kept.exists() and not DuesBase.objects.exists()


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

"""民主评议 pages: the secretary's path through the views, scope, ledger = screen, query counts."""

import io

import pytest
from openpyxl import load_workbook

from dangjian.orgs.models import Organization
from dangjian.reviews import services
from dangjian.reviews.models import Appraisal

pytestmark = pytest.mark.django_db


def _ids(a):
    return {e.member.name: e.pk for e in a.entries.select_related("member")}


def test_secretary_runs_the_appraisal_through_the_pages(world, meeting_a, client_for):
    c = client_for("secretary_a")
    r = c.post("/reviews/open/", {"branch": world.branch_a.pk, "year": 2023})
    a = Appraisal.objects.get(branch=world.branch_a, year=2023)
    assert r.status_code == 302 and r["Location"] == f"/reviews/{a.pk}/"
    assert "1. 学习教育" in c.get(f"/reviews/{a.pk}/").content.decode()
    c.post(f"/reviews/{a.pk}/study/", {"note": "集中学习党章", "on": "2023-11-10", "version": a.version})
    ids = _ids(a)
    c.post(f"/reviews/entries/{ids['王五']}/self/", {"text": "本人一年来积极参加组织生活和志愿服务。"})
    c.post(f"/reviews/{a.pk}/paper/", {f"p_{ids['张三']}_0": "3", f"p_{ids['张三']}_1": "1"})
    # without a meeting: refused, nothing saved
    r = c.post(f"/reviews/{a.pk}/grades/", {"meeting": "", f"g_{ids['王五']}": "不合格"}, follow=True)
    assert "组织评定须由支委会或党员大会作出" in r.content.decode()
    assert not a.entries.exclude(grade="").exists()
    # over a third 优秀: a warning on the page, grades saved
    grades = {f"g_{ids[n]}": g for n, g in (("张三", "优秀"), ("李四", "优秀"), ("王五", "合格"), ("赵六", "合格"))}
    r = c.post(f"/reviews/{a.pk}/grades/", {"meeting": meeting_a.pk, **grades}, follow=True)
    html = r.content.decode()
    assert "已保存组织评定结果" in html and "超过了正式党员（4人）的三分之一" in html
    assert "预备党员不评定等次" in html
    r = c.post(f"/reviews/{a.pk}/complete/", follow=True)
    a.refresh_from_db()
    assert a.step == "done" and "本年度民主评议党员已完成" in r.content.decode()


def test_garbage_input_never_500(world, client_for):
    c = client_for("secretary_a")
    a = services.open_appraisal(user=world.user("secretary_a"), branch=world.branch_a, year=2023)
    assert c.post(f"/reviews/{a.pk}/paper/", {f"p_{a.entries.first().pk}_0": "abc"}).status_code == 302
    assert c.post(f"/reviews/{a.pk}/grades/", {"meeting": "x"}).status_code == 302
    assert c.post(f"/reviews/{a.pk}/study/", {"version": "x"}).status_code == 302
    assert c.get("/reviews/?year=abc").status_code == 200
    assert c.post("/reviews/open/", {"branch": "x"}).status_code == 404


def test_scope_on_every_appraisal_page(world, meeting_a, client_for):
    a = services.open_appraisal(user=world.user("secretary_a"), branch=world.branch_a, year=2023)
    entry = a.entries.first()
    b = client_for("secretary_b")
    for url in (
        f"/reviews/{a.pk}/",
        f"/reviews/{a.pk}/ledger.xlsx",
        f"/reviews/entries/{entry.pk}/dispose/",
        f"/reviews/ratings/{world.branch_a.pk}/",
    ):
        assert b.get(url).status_code == 404, url
    for url in (
        f"/reviews/{a.pk}/study/",
        f"/reviews/{a.pk}/grades/",
        f"/reviews/{a.pk}/complete/",
        f"/reviews/entries/{entry.pk}/self/",
    ):
        assert b.post(url, {"version": 1}).status_code == 404, url
    assert client_for("inspector").post(f"/reviews/{a.pk}/grades/", {}).status_code == 403
    assert client_for("inspector").get(f"/reviews/{a.pk}/").status_code == 200
    # B's list shows only B
    html = b.get("/reviews/?year=2023").content.decode()
    assert "西街社区党支部" in html and "东街社区党支部" not in html


def test_member_self_service_writes_own_self_assessment_and_votes(world, client_for):
    sec = world.user("secretary_a")
    a = services.open_appraisal(user=sec, branch=world.branch_a, year=2023)
    services.set_voting(user=sec, appraisal=a, open_=True)
    c = client_for("member_a")
    assert "党员互评·民主测评（匿名）" in c.get("/reviews/mine/").content.decode()
    c.post("/reviews/mine/", {"action": "self", "text": "本人认真学习，按时交纳党费，参加志愿服务。"})
    ids = _ids(a)
    c.post("/reviews/mine/", {"action": "vote", f"v_{ids['张三']}": "优秀", f"v_{ids['李四']}": "合格"})
    assert a.entries.get(member=world.members_a[3]).self_by_member
    assert a.voter_flags.filter(voter=world.members_a[3]).exists()
    assert "您已参加本次测评" in c.get("/reviews/mine/").content.decode()
    assert client_for("member_b").get(f"/reviews/{a.pk}/").status_code == 403


def test_results_ledger_holds_the_figures_on_screen(world, meeting_a, client_for):
    sec = world.user("secretary_a")
    a = services.open_appraisal(user=sec, branch=world.branch_a, year=2023)
    ids = _ids(a)
    services.record_paper_counts(user=sec, appraisal=a, counts={ids["张三"]: {"优秀": 3, "合格": 1}})
    services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={ids["张三"]: "优秀", ids["李四"]: "合格"})
    c = client_for("secretary_a")
    html = c.get(f"/reviews/{a.pk}/?tab=results").content.decode()
    assert "优秀：1人" in html and "合格：1人" in html
    wb = load_workbook(io.BytesIO(c.get(f"/reviews/{a.pk}/ledger.xlsx").content))
    ws = wb.active
    assert "民主评议党员结果台账" in ws["A1"].value and "2023年度" in ws["A1"].value
    header = [cell.value for cell in ws[2]]
    rows = {r[1]: dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["张三"]["评定等次"] == "优秀" and rows["张三"]["测评优秀票"] == 3 and rows["张三"]["测评合格票"] == 1
    assert rows["孙七"]["评定等次"] == "不评定等次（预备党员）"
    assert sum(1 for r in rows.values() if r["评定等次"] == "优秀") == 1
    # commendation list: screen and xlsx agree
    assert "张三" in c.get("/reviews/commendation/?year=2023").content.decode()
    wb = load_workbook(io.BytesIO(c.get("/reviews/commendation/?year=2023&format=xlsx").content))
    assert [r[2] for r in wb.active.iter_rows(min_row=3, values_only=True)] == ["张三"]


def _add_branches(world, n):
    from dangjian.testsupport.world import make_member

    for i in range(n):
        b = Organization.objects.add_child(
            world.township, dict(name=f"加测社区{i}党支部", org_type="branch", category="社区")
        )
        make_member(b, name=f"加测{i}")
        services.open_appraisal(user=world.user("admin"), branch=b, year=2023)


def test_list_query_count_does_not_grow_with_branches(world, client_for, django_assert_num_queries):
    c = client_for("admin")
    _add_branches(world, 1)
    c.get("/reviews/?year=2023")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert c.get("/reviews/?year=2023").status_code == 200
    n = len(small)  # now: the query log is a bounded deque
    _add_branches(world, 6)
    c.get("/reviews/?year=2023")  # the yearly summary is a cached figure: compare warm with warm
    with django_assert_num_queries(n):
        assert c.get("/reviews/?year=2023").status_code == 200

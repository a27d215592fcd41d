"""Inspections and rectification: 逾期 derived from the deadline, only the inspector closes."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.inspections import selectors, services
from dangjian.inspections.models import Inspection, RectificationItem
from dangjian.inspections.services import InspectionError

pytestmark = pytest.mark.django_db


def _finding(world, *, deadline, by="inspector", branch=None):
    user = world.user(by)
    i = services.create_inspection(
        user=user,
        org=world.township,
        title="三会一课暗访",
        on=date(2023, 10, 18),
        mode="暗访",
        team="组织委员、党建办",
        branches=[world.branch_a],
    )
    return services.add_finding(
        user=user,
        inspection=i,
        branch=branch or world.branch_a,
        category="组织生活",
        description="第二季度党员大会无会议记录",
        measure="补齐记录并严格落实三会一课",
        responsible="张三",
        deadline=deadline,
    )


def test_overdue_item_shows_as_overdue_to_branch_and_township(world, client_for):
    f = _finding(world, deadline=timezone.localdate() - timedelta(days=3))
    item = f.item
    assert item.display_status() == "逾期"
    sec = client_for("secretary_a")
    assert "逾期" in sec.get(f"/inspections/findings/{f.pk}/").content.decode()
    assert "有 1 项整改已逾期" in sec.get("/inspections/").content.decode()
    home_a = sec.get("/").content.decode()
    assert "整改逾期" in home_a and "东街：整改逾期" in home_a
    home_t = client_for("admin").get("/").content.decode()
    assert "东街：整改逾期" in home_t
    assert "整改逾期" not in client_for("secretary_b").get("/").content.decode()
    summary = selectors.inspection_summary(world.township, 2023)
    assert summary.overdue[0].branch == "东街" and summary.open == 1
    assert [i.pk for i in selectors.items_for(world.user("admin"), status="逾期", today=timezone.localdate())] == [
        item.pk
    ]


def test_not_overdue_before_the_deadline_or_when_reported_in_time(world):
    f = _finding(world, deadline=timezone.localdate() + timedelta(days=3))
    assert f.item.display_status() == "未开始"
    item = f.item
    services.report_progress(
        user=world.user("secretary_a"),
        item=item,
        note="已补齐全部会议记录并经支委会审核确认。",
        done=True,
        expected_version=item.version,
    )
    item.refresh_from_db()
    assert not item.is_overdue(timezone.localdate() + timedelta(days=30))  # reported in time, awaiting 销号
    assert not RectificationItem.objects.filter(selectors.overdue_q(timezone.localdate() + timedelta(days=30))).exists()


def test_only_the_inspector_closes(world, client_for):
    f = _finding(world, deadline=timezone.localdate() - timedelta(days=1))
    item = f.item
    sec = client_for("secretary_a")
    r = sec.post(
        f"/inspections/items/{item.pk}/report/",
        {"note": "已补齐全部会议记录并经支委会审核确认。", "done": "1", "version": item.version},
        follow=True,
    )
    assert "等待督查人员销号" in r.content.decode()
    item.refresh_from_db()
    assert item.reported_on and item.status == "整改中"
    # the secretary cannot close: the view refuses (403), the service refuses too
    assert sec.post(f"/inspections/items/{item.pk}/close/", {"version": item.version}).status_code == 403
    with pytest.raises(InspectionError, match="只有督查人员"):
        services.close_item(user=world.user("secretary_a"), item=item, note="", expected_version=item.version)
    # an administrator who did not create this inspection cannot either
    assert (
        client_for("admin").post(f"/inspections/items/{item.pk}/close/", {"version": item.version}).status_code == 403
    )
    item.refresh_from_db()
    assert item.status == "整改中"
    r = client_for("inspector").post(
        f"/inspections/items/{item.pk}/close/", {"note": "复查属实", "version": item.version}, follow=True
    )
    item.refresh_from_db()
    assert item.status == "已完成" and item.closed_by == world.user("inspector") and "已销号" in r.content.decode()
    assert item.display_status() == "已完成"


def test_creator_of_the_inspection_may_close(world):
    f = _finding(world, deadline=date(2023, 11, 30), by="admin")
    item = f.item
    services.report_progress(
        user=world.user("secretary_a"),
        item=item,
        note="整改情况说明：已经全部补齐会议记录。",
        done=True,
        expected_version=item.version,
    )
    item.refresh_from_db()
    services.close_item(user=world.user("admin"), item=item, note="", expected_version=item.version)
    item.refresh_from_db()
    assert item.status == "已完成"


def test_scope_on_inspection_pages(world, client_for):
    f = _finding(world, deadline=date(2023, 11, 30))
    b = client_for("secretary_b")
    assert b.get(f"/inspections/findings/{f.pk}/").status_code == 404
    assert b.post(f"/inspections/items/{f.item.pk}/report/", {"note": "x", "version": 1}).status_code == 404
    assert b.get(f"/inspections/{f.inspection_id}/").status_code == 404
    assert "第二季度党员大会" not in b.get("/inspections/problems/").content.decode()
    assert client_for("secretary_a").get(f"/inspections/findings/{f.pk}/").status_code == 200
    assert client_for("secretary_a").get("/inspections/new/").status_code == 403
    assert (
        client_for("inspector").post(f"/inspections/items/{f.item.pk}/report/", {"note": "x", "version": 1}).status_code
        == 403
    )


def test_problem_ledger_matches_the_screen(world, client_for):
    _finding(world, deadline=timezone.localdate() - timedelta(days=2))
    _finding(world, deadline=date(2099, 1, 1), branch=world.branch_b)
    c = client_for("admin")
    html = c.get("/inspections/problems/").content.decode()
    wb = load_workbook(io.BytesIO(c.get("/inspections/problems/?format=xlsx").content))
    ws = wb.active
    header = [x.value for x in ws[2]]
    rows = [dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)]
    assert len(rows) == html.count('href="/inspections/findings/')
    assert sorted(r["状态"] for r in rows) == ["未开始", "逾期"]
    for r in rows:
        assert r["党支部"] in ("东街社区党支部", "西街社区党支部")
        assert r["问题描述"][:20] in html


def test_finding_from_integrity_signal(world):
    admin = world.user("admin")
    f1 = services.create_finding_from_signal(
        user=admin,
        branch=world.branch_a,
        description="签到时间异常集中",
        evidence="同一分钟内12人签到",
        deadline=date(2099, 1, 1),
        responsible="张三",
    )
    f2 = services.create_finding_from_signal(
        user=admin,
        branch=world.branch_b,
        description="会议记录雷同",
        evidence="相似度0.95",
        deadline=date(2099, 1, 1),
        responsible="周八",
    )
    assert f1.inspection_id == f2.inspection_id
    insp = Inspection.objects.get(pk=f1.inspection_id)
    assert insp.kind == "诚信信号核查" and insp.org == world.township
    assert f1.category == "弄虚作假" and f1.item.deadline == date(2099, 1, 1)


def test_bad_input_is_a_message_not_a_500(world, client_for):
    c = client_for("inspector")
    r = c.post("/inspections/new/", {"title": "", "date": "not a date", "mode": "x", "team": ""})
    assert r.status_code == 200
    f = _finding(world, deadline=date(2099, 1, 1))
    r = c.post(f"/inspections/{f.inspection_id}/", {"branch": "x", "deadline": "2023-13-45"}, follow=True)
    assert r.status_code == 200


def test_list_query_counts_fixed(world, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("admin")
    _finding(world, deadline=date(2023, 11, 30))
    for url in ("/inspections/", "/inspections/problems/"):
        c.get(url)
    with CaptureQueriesContext(connection) as small_list:
        c.get("/inspections/")
    with CaptureQueriesContext(connection) as small_problems:
        c.get("/inspections/problems/")
    for _ in range(5):
        _finding(world, deadline=date(2023, 11, 30), branch=world.branch_b)
    with django_assert_num_queries(len(small_list)):
        c.get("/inspections/")
    with django_assert_num_queries(len(small_problems)):
        c.get("/inspections/problems/")

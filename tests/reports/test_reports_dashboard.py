"""The dashboard: charts from the data, links to the lists behind them, fixed queries."""

import json
from datetime import date, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orgs.models import Organization
from dangjian.reports.testing import load_stats_demo


def _data(resp):
    html = resp.content.decode()
    start = html.index('id="dashboard-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def _add_meetings(world, n):
    from dangjian.meetings.models import Attendance, Meeting, MeetingKindLink

    for i in range(n):
        branch = world.branch_a if i % 2 else world.branch_b
        m = Meeting.objects.create(
            org=branch,
            branch=branch,
            date=date(2023, 1 + i % 12, 1 + i % 27),
            start_time=time(9),
            end_time=time(10),
            place="会议室",
            topic=f"会议{i}",
        )
        MeetingKindLink.objects.create(meeting=m, kind="member_meeting", branch=branch, date=m.date)
        members = world.members_a if branch == world.branch_a else world.members_b
        Attendance.objects.bulk_create([Attendance(meeting=m, member=x) for x in members])


def test_dashboard_draws_from_the_data_and_links_through(world, client_for):
    load_stats_demo([world.township])
    _add_meetings(world, 3)
    resp = client_for("admin").get("/reports/?year=2023")
    assert resp.status_code == 200
    data = _data(resp)
    charts = {c["id"]: c for c in data["charts"]}
    assert charts["age"]["urls"][0].startswith("/members/?age=")
    assert sum(charts["sex"]["series"][0]["data"]) == 10
    assert charts["economy"]["labels"] == ["2021年", "2022年"]
    assert charts["economy"]["series"][0]["data"] == [4.79, 5.08]
    assert charts["industry_revenue"]["note"]  # the missing 花椒 revenue is a gap, not a zero
    assert None in [s for s in charts["industry_revenue"]["series"] if s["name"] == "花椒"][0]["data"]
    assert charts["orglife"]["url"] == "/meetings/compliance/?year=2023"
    assert not charts["orglife"]["empty"]
    html = resp.content.decode()
    assert 'data-chart="age"' in html and "<script>" not in html.replace('<script id="dashboard-data"', "")
    assert "dashboard.js" in html and "echarts.min.js" in html


def test_dashboard_says_when_a_capability_has_no_data(world, client_for):
    data = _data(client_for("admin").get("/reports/?year=2023"))
    charts = {c["id"]: c for c in data["charts"]}
    assert charts["orglife"]["empty"] == "暂无数据"
    assert charts["economy"]["empty"] == "暂无数据"


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_data(world, client_for, django_assert_num_queries):
    from dangjian.testsupport.world import make_member

    c = client_for("admin")
    load_stats_demo([world.township])
    _add_meetings(world, 2)
    small = _count(c, "/reports/?year=2023")
    for i in range(30):
        make_member(world.branch_a if i % 2 else world.branch_b, name=f"新党员{i}")
    extra = Organization.objects.add_child(
        world.township, dict(name="新社区党支部", org_type="branch", category="社区")
    )
    make_member(extra, name="新支部党员")
    _add_meetings(world, 24)
    with django_assert_num_queries(small):
        assert c.get("/reports/?year=2023").status_code == 200


@pytest.mark.parametrize("who, status", [("admin", 200), ("inspector", 200), ("secretary_a", 200), ("member_a", 403)])
def test_dashboard_roles(world, client_for, who, status):
    assert client_for(who).get("/reports/").status_code == status


def test_org_outside_scope_is_404(world, client_for):
    assert client_for("secretary_a").get(f"/reports/?org={world.branch_b.pk}").status_code == 404
    assert client_for("admin").get("/reports/?year=1800").status_code == 400
    assert client_for("admin").get("/reports/?year=abc").status_code == 400

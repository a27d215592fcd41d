""" "三抓三促" task ledger: categories, progress, overdue and stalled, schedule, ledger, scope."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.actions import selectors, services
from dangjian.actions.models import Task
from dangjian.actions.services import ActionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    today = timezone.localdate()
    return services.create_plan(
        user=world.user("admin"),
        org=world.township,
        title="“三抓三促”行动工作方案",
        year=today.year,
        started_on=today - timedelta(days=200),
    )


def _task(world, plan, *, title, org=None, start_ago=100, due_in=30, cat=0, kind="重点工作"):
    today = timezone.localdate()
    return services.create_task(
        user=world.user("admin"),
        plan=plan,
        category=list(plan.categories.all())[cat],
        title=title,
        org=org or world.branch_a,
        responsible="张三",
        starts_on=today - timedelta(days=start_ago),
        deadline=today + timedelta(days=due_in),
        kind=kind,
    )


def test_default_categories_and_configurable(world, plan):
    assert [c.name for c in plan.categories.all()] == ["抓学习促提升", "抓执行促落实", "抓效能促发展"]
    services.add_category(user=world.user("admin"), plan=plan, name="抓作风促转变")
    assert plan.categories.count() == 4
    other = services.create_plan(
        user=world.user("admin"),
        org=world.township,
        title="五抓五提升",
        year=2024,
        started_on=timezone.localdate(),
        categories=["抓班子", "抓队伍"],
    )
    assert [c.name for c in other.categories.all()] == ["抓班子", "抓队伍"]
    with pytest.raises(ActionError):
        services.create_plan(
            user=world.user("secretary_a"), org=world.township, title="x", year=2024, started_on=timezone.localdate()
        )


def test_overdue_and_stalled_are_flagged(world, plan, settings):
    settings.DANGJIAN = {**settings.DANGJIAN, "STALLED_TASK_DAYS": 20}
    today = timezone.localdate()
    overdue = _task(world, plan, title="逾期任务", due_in=-5)
    stalled = _task(world, plan, title="停滞任务")
    fresh = _task(world, plan, title="正常推进任务")
    done = _task(world, plan, title="已完成任务")
    future = _task(world, plan, title="尚未开始任务", start_ago=-10)
    services.report_progress(
        user=world.user("secretary_a"),
        task=fresh,
        on=today - timedelta(days=3),
        text="召开推进会，完成第一阶段",
        percent=40,
    )
    services.report_progress(
        user=world.user("secretary_a"),
        task=stalled,
        on=today - timedelta(days=25),
        text="启动部署，成立工作专班",
        percent=10,
    )
    services.report_progress(
        user=world.user("secretary_a"),
        task=done,
        on=today - timedelta(days=1),
        text="全部完成并通过验收",
        percent=100,
        done=True,
    )
    s = selectors.task_summary(world.township, today.year)
    assert s.tasks == 5 and s.done == 1 and s.in_progress == 2
    assert [r.title for r in s.overdue] == ["逾期任务"]
    assert [r.title for r in s.stalled] == ["停滞任务"]
    fresh.refresh_from_db()
    assert fresh.last_report_on == today - timedelta(days=3) and fresh.status == "进行中"
    future.refresh_from_db()
    assert not future.is_stalled(today) and not future.is_overdue(today)
    assert overdue.pk in {t.pk for t in selectors.tasks_for(world.user("secretary_a"), flag="overdue", today=today)}


def test_list_views_schedule_and_ledger(world, plan, client_for):
    today = timezone.localdate()
    _task(world, plan, title="党委中心组每月学习", org=world.township, due_in=0, cat=0)
    _task(world, plan, title="组织生活不经常问题整改", kind="问题整改", due_in=-1, cat=1)
    c = client_for("admin")
    html = c.get("/actions/").content.decode()
    assert "抓学习促提升" in html and "党委中心组每月学习" in html and "逾期" in html
    problems = c.get("/actions/?kind=问题整改").content.decode()
    assert "组织生活不经常问题整改" in problems and "党委中心组每月学习" not in problems
    for by in "日周月季年":
        page = c.get(f"/actions/schedule/?by={by}").content.decode()
        assert "党委中心组每月学习" in page, by  # due today: in every period
    wb = load_workbook(io.BytesIO(c.get("/actions/?format=xlsx").content))
    ws = wb.active
    assert "三抓三促任务台账" in ws["A1"].value
    header = [x.value for x in ws[2]]
    rows = {r[header.index("任务")]: dict(zip(header, r)) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["组织生活不经常问题整改"]["状态"] == "逾期"
    assert rows["党委中心组每月学习"]["完成时限"].date() == today
    assert c.get("/actions/schedule/?by=xyz").status_code == 200


def test_scope_and_roles(world, plan, client_for):
    t = _task(world, plan, title="东街任务")
    b = client_for("secretary_b")
    assert b.get(f"/actions/tasks/{t.pk}/").status_code == 404
    assert (
        b.post(f"/actions/tasks/{t.pk}/report/", {"date": "2023-01-01", "text": "xx", "percent": 1}).status_code == 404
    )
    assert "东街任务" not in b.get("/actions/").content.decode()
    a = client_for("secretary_a")
    assert a.get(f"/actions/tasks/{t.pk}/").status_code == 200
    r = a.post(
        f"/actions/tasks/{t.pk}/report/",
        {"date": timezone.localdate().isoformat(), "text": "完成入户走访30户", "percent": "30"},
        follow=True,
    )
    assert "已报告进展" in r.content.decode()
    assert client_for("inspector").post(f"/actions/tasks/{t.pk}/report/", {}).status_code == 403
    assert a.get("/actions/plans/new/").status_code == 403
    r = a.post(f"/actions/tasks/{t.pk}/report/", {"date": "garbage", "text": "", "percent": "x"})
    assert r.status_code == 302


def test_list_query_counts_fixed(world, plan, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("admin")
    _task(world, plan, title="任务1")
    c.get("/actions/")
    with CaptureQueriesContext(connection) as small:
        c.get("/actions/")
    with CaptureQueriesContext(connection) as small_sched:
        c.get("/actions/schedule/?by=年")
    for i in range(6):
        _task(world, plan, title=f"任务{i + 2}", org=world.branch_b if i % 2 else world.branch_a, cat=i % 3)
    with django_assert_num_queries(len(small)):
        c.get("/actions/")
    with django_assert_num_queries(len(small_sched)):
        c.get("/actions/schedule/?by=年")
    assert Task.objects.count() == 7

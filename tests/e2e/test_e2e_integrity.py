"""An inspector works the integrity queue in the browser: a 正常 decision with a reason keeps a
signal out of the queue; another signal becomes an inspection finding with a deadline."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.integrity import services
from dangjian.integrity.models import Signal, SignalKind
from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink


def _meeting(branch, members, d, minutes):
    m = Meeting.objects.create(
        org=branch,
        branch=branch,
        date=d,
        start_time="09:00",
        end_time="10:00",
        place="会议室",
        topic=f"{d:%m月}主题党日",
        minutes=minutes,
    )
    MeetingKindLink.objects.create(meeting=m, kind=Kind.THEME_DAY, branch=branch, date=d)
    Attendance.objects.bulk_create(Attendance(meeting=m, member=x) for x in members)
    return m


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inspector_reviews_signals(world, login, live_server):
    _meeting(world.branch_a, world.members_a, date(2023, 6, 1), "学习。")
    _meeting(world.branch_b, world.members_b, date(2023, 7, 1), "开会。")
    services.run_scan(root=world.township, year=2023)
    assert Signal.objects.filter(kind=SignalKind.SHORT_MINUTES).count() == 2
    first, second = Signal.objects.order_by("org__path")

    page = login("inspector")
    page.goto(f"{live_server.url}/integrity/?year=2023")
    assert page.locator("tbody tr").count() == 2

    with page.expect_navigation():
        page.click(f"a[href='/integrity/{first.pk}/']")
    page.check("input[name=action][value=normal]")
    with page.expect_navigation():  # refused by the server: the form comes back with the error
        page.click("button[type=submit]:has-text('提交')")
    assert "须写明理由" in page.content()
    page.check("input[name=action][value=normal]")
    page.fill("#id_reason", "核对了签到表和现场照片，会议属实，记录人事后补充了内容")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('提交')")
    assert "已标记为正常" in page.content()
    assert page.locator("tbody tr").count() == 1

    with page.expect_navigation():
        page.click(f"a[href='/integrity/{second.pk}/']")
    page.check("input[name=action][value=finding]")
    page.fill("#id_deadline", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.fill("#id_responsible", "西街社区党支部书记")
    page.fill("#id_reason", "补全会议记录，说明会议议定事项")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('提交')")
    assert "已转为督查问题" in page.content()
    second.refresh_from_db()
    assert second.status == Signal.Status.FINDING and second.finding_id

    from dangjian.inspections.models import Finding

    finding = Finding.objects.get(pk=second.finding_id)
    assert finding.branch_id == world.branch_b.pk
    assert finding.category == "弄虚作假"
    assert "补全会议记录" in finding.description


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_rescans_in_the_background_and_returns_to_the_queue(world, login, live_server, task_worker):
    """立即扫描 starts a job: the progress page counts the detectors, then links to the queue."""
    from django.test import override_settings

    from dangjian.integrity.models import ScanRun

    _meeting(world.branch_a, world.members_a, date(2023, 6, 1), "学习。")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        page = login("admin")
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{live_server.url}/integrity/?year=2023")
        page.fill("input[name=year]", "2023")
        with page.expect_navigation():
            page.click("text=立即扫描")
        page.wait_for_selector("#job-progress progress")
        assert page.locator("#job-progress").get_attribute("data-status") == "queued"
        assert not ScanRun.objects.exists()  # nothing scanned inside the request
        worker = task_worker()
        page.wait_for_selector("#job-result-link", timeout=60000)  # swapped in by the polling
        worker.join(60)
        expect(page.locator("#job-result")).to_have_text(re.compile(r"^\s*扫描完成：发现"))
        assert ScanRun.objects.filter(org=world.township, year=2023, skipped=False).count() == 1
        page.click("#job-result-link")
        page.wait_for_url("**/integrity/?year=2023")
        assert Signal.objects.filter(kind=SignalKind.SHORT_MINUTES).count() == 1
        assert "会议记录过于简短" in page.content()
        assert not errors

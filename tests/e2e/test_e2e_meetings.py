"""Browser tests for 组织生活: recording a 支委会 with exceptions, and QR sign-in."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.meetings import services
from dangjian.meetings.models import Attendance, Kind
from dangjian.orgs.models import Post
from dangjian.testsupport.world import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _heat_cell(page, live_server, world, month):
    page.goto(f"{live_server.url}/meetings/compliance/?branch={world.branch_a.pk}&kind=committee_meeting")
    return (
        page.locator(f"#heatmap tr[data-branch='{world.branch_a.pk}'] td.heat-cell").nth(month - 1).inner_text().strip()
    )


def test_secretary_records_committee_meeting_with_two_excused_and_one_absent(world, login, live_server):
    a = world.members_a
    zhao = a[3]
    chen = make_member(world.branch_a, name="陈五")
    Post.objects.create(org=world.branch_a, member=zhao, kind=Post.Kind.DISCIPLINE, started_on=date(2021, 1, 1))
    Post.objects.create(org=world.branch_a, member=chen, kind=Post.Kind.MEMBER, started_on=date(2021, 1, 1))
    today = timezone.localdate()
    page = login("sec_a")
    assert _heat_cell(page, live_server, world, today.month) == "0"
    assert page.locator(f"#member-rates tr[data-member='{zhao.pk}'] td.rate").inner_text().strip() == "—"

    page.goto(f"{live_server.url}/meetings/add/")
    page.uncheck("input[name=kinds][value=theme_day]")
    page.check("input[name=kinds][value=committee_meeting]")
    # only the committee is listed (5 支委); everyone else is hidden
    # meetings.js filters the rows on the change: wait for it rather than count at once
    expect(page.locator(".attendance-row:not(.d-none)")).to_have_count(5)
    page.fill("input[name=topic]", f"{today.month}月支委会")
    for m, reason in ((a[1], "生病住院"), (a[2], "外出务工")):
        page.click(f"label[for=s{m.pk}excused]")
        page.fill(f"input[name=reason_{m.pk}]", reason)
    page.click(f"label[for=s{zhao.pk}absent]")
    with page.expect_navigation():
        page.click("button[name=save]")
    assert "会议记录已保存" in page.content()
    assert "支委会到会委员2人，未超过支委会5人的半数" in page.content()  # quorum warning (Art. 12)

    assert _heat_cell(page, live_server, world, today.month) == "1"
    rates = page.locator("#member-rates")
    assert rates.locator(f"tr[data-member='{zhao.pk}'] td.rate").inner_text().strip() == "0.0%"
    assert rates.locator(f"tr[data-member='{a[0].pk}'] td.rate").inner_text().strip() == "100.0%"
    li_cells = rates.locator(f"tr[data-member='{a[1].pk}'] td")
    assert li_cells.nth(3).inner_text().strip() == "1"  # 请假 counted apart from 缺席
    assert li_cells.nth(4).inner_text().strip() == "0"
    statuses = dict(
        Attendance.objects.filter(meeting__topic=f"{today.month}月支委会").values_list("member__name", "status")
    )
    assert statuses == {"张三": "present", "李四": "excused", "王五": "excused", "赵六": "absent", "陈五": "present"}


def _meeting(world, day, start, end, topic):
    data = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.THEME_DAY],
        date=day,
        start_time=start,
        end_time=end,
        place="活动室",
        topic=topic,
        attendance=[services.AttendanceInput(m.id, Attendance.Status.ABSENT) for m in world.members_a],
    )
    return services.record_meeting(user=world.user("secretary_a"), data=data, today=day)[0]


def test_member_signs_in_from_a_second_browser_inside_the_window_and_is_refused_outside(
    world, login, live_server, browser
):
    now = timezone.localtime()
    lo = max(datetime.combine(now.date(), time(0, 0)), now.replace(tzinfo=None) - timedelta(minutes=10))
    hi = min(datetime.combine(now.date(), time(23, 59)), now.replace(tzinfo=None) + timedelta(minutes=20))
    inside = _meeting(
        world,
        now.date(),
        lo.time().replace(second=0, microsecond=0),
        hi.time().replace(second=0, microsecond=0),
        "现场签到",
    )
    outside = _meeting(world, now.date() - timedelta(days=2), time(9, 0), time(10, 0), "前天的会")

    # the secretary's screen shows the QR code and the sign-in address it encodes
    page = login("sec_a")
    page.goto(f"{live_server.url}/meetings/{inside.pk}/")
    assert page.locator("img.qr-code").evaluate("img => img.naturalWidth") > 0
    url = page.locator("a[href*='/signin/']").get_attribute("href")

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    phone = ctx.new_page()
    try:
        phone.goto(url)  # not logged in: login first, then back to the sign-in page
        phone.fill("#id_username", "mem_a")
        phone.fill("#id_password", "Test-pass-2023")
        with phone.expect_navigation():
            phone.click("button[type=submit]")
        assert "/signin/" in phone.url
        with phone.expect_navigation():
            phone.click("#signin-button")
        assert "签到成功" in phone.content()
        assert phone.locator("#signed-in").count() == 1

        phone.goto(f"{live_server.url}/meetings/{outside.pk}/signin/")
        with phone.expect_navigation():
            phone.click("#signin-button")
        assert "不在签到时间内" in phone.content()
    finally:
        ctx.close()
    me = world.members_a[3]
    assert Attendance.objects.get(meeting=inside, member=me).status == "present"
    assert Attendance.objects.get(meeting=inside, member=me).signed_in_at is not None
    assert Attendance.objects.get(meeting=outside, member=me).status == "absent"

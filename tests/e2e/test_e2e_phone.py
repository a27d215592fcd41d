"""Browser tests on a phone (390×844): a 会议通知 → members sign in → the secretary records the
meeting from the notice; a 支委会 with two 请假 and one 缺席 in ≤ 6 interactions (issue 17)."""

import re
from datetime import date, time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.meetings.models import Attendance, MeetingNotice
from dangjian.orgs.models import Post
from dangjian.testsupport.world import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _phone_login(browser, live_server, username, next_url=""):
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", "Test-pass-2023")
    with page.expect_navigation():
        page.click("button[type=submit]")
    return ctx, page


def test_notice_then_members_sign_in_then_secretary_records_from_the_notice(world, live_server, browser):
    a = world.members_a
    sec_ctx, sec = _phone_login(browser, live_server, "sec_a")
    try:
        sec.goto(f"{live_server.url}/meetings/notices/")
        with sec.expect_navigation():
            sec.click("#notice-add")
        assert sec.locator("input[name=topic]").input_value() == f"{timezone.localdate().month}月主题党日"
        sec.fill("input[name=topic]", "学习贯彻全会精神")
        sec.fill("input[name=start_time]", "00:00")
        sec.fill("input[name=end_time]", "23:59")
        sec.fill("input[name=place]", "村委会二楼会议室")
        with sec.expect_navigation():
            sec.click("button[name=save]")
        assert "会议通知已发布" in sec.content()
        notice = MeetingNotice.objects.get(topic="学习贯彻全会精神")

        # a member sees it in 我的 with time and place, and signs in with one tap
        mem_ctx, mem = _phone_login(browser, live_server, "mem_a", "/meetings/mine/")
        try:
            card = mem.locator(f"#upcoming [data-notice='{notice.pk}']")
            assert "村委会二楼会议室" in card.inner_text() and "00:00" in card.inner_text()
            with mem.expect_navigation():
                card.locator("a.btn").click()
            with mem.expect_navigation():
                mem.click("#signin-button")
            assert "签到成功" in mem.content()
        finally:
            mem_ctx.close()

        # the secretary signs in 王五 (no smartphone), then records the meeting from the notice
        sec.goto(f"{live_server.url}/meetings/notices/{notice.pk}/")
        assert sec.locator("#signed-count").inner_text() == "1"
        sec.select_option("#proxy-member", str(a[2].pk))
        sec.fill("#proxy-reason", "没有智能手机")
        with sec.expect_navigation():
            sec.click("form[action$='/proxy/'] button")
        assert "已为王五代签" in sec.content()
        with sec.expect_navigation():
            sec.click("#record-from-notice")
        assert sec.locator("input[name=topic]").input_value() == "学习贯彻全会精神"
        assert sec.locator(f"#s{a[3].pk}present").is_checked()  # signed in on the phone
        assert sec.locator(f"#s{a[2].pk}present").is_checked()  # 代签
        assert sec.locator(f"#s{a[4].pk}absent").is_checked()  # not signed in
        for m in (a[0], a[1]):  # chair and recorder were there
            sec.click(f"label[for=s{m.pk}present]")
        sec.click(f"label[for=s{a[4].pk}excused]")
        sec.fill(f"input[name=reason_{a[4].pk}]", "外出务工")
        with sec.expect_navigation():
            sec.click("button[name=save]")
        assert "会议记录已保存" in sec.content(), sec.content()[:2000]
    finally:
        sec_ctx.close()
    notice.refresh_from_db()
    assert notice.meeting_id
    rows = {r.member_id: r for r in Attendance.objects.filter(meeting_id=notice.meeting_id)}
    assert rows[a[3].pk].status == "present" and rows[a[3].pk].signed_in_at is not None
    assert rows[a[2].pk].proxy_reason == "没有智能手机"
    assert rows[a[4].pk].status == "excused" and rows[a[4].pk].reason == "外出务工"


def test_committee_meeting_with_two_excused_and_one_absent_in_six_interactions(world, live_server, browser):
    a = world.members_a
    zhao, chen = a[3], make_member(world.branch_a, name="陈五")
    Post.objects.create(org=world.branch_a, member=zhao, kind=Post.Kind.DISCIPLINE, started_on=date(2021, 1, 1))
    Post.objects.create(org=world.branch_a, member=chen, kind=Post.Kind.MEMBER, started_on=date(2021, 1, 1))
    ctx, page = _phone_login(browser, live_server, "sec_a")
    try:
        page.goto(f"{live_server.url}/meetings/add/?kinds=committee_meeting")
        assert page.locator("input[name=topic]").input_value() == f"{timezone.localdate().month}月支委会"
        assert page.locator(".attendance-row:not(.d-none)").count() == 5
        # the save bar is on the first screen, fixed at the bottom
        box = page.locator("button[name=save]").bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"]
        assert box["height"] >= 44
        # the reason box opens only on 请假
        assert not page.locator(f"input[name=reason_{a[1].pk}]").is_visible()
        steps = 0
        for m, reason in ((a[1], "生病住院"), (a[2], "外出务工")):
            page.click(f"label[for=s{m.pk}excused]")
            page.fill(f"input[name=reason_{m.pk}]", reason)
            steps += 2
        page.click(f"label[for=s{zhao.pk}absent]")
        with page.expect_navigation():
            page.click("button[name=save]")
        steps += 2
        assert steps <= 6
        html = page.content()
        assert "会议记录已保存" in html
        assert html.count("支委会到会委员2人") == 1  # the quorum warning once
        # every status button is at least 44 px tall on the phone
    finally:
        ctx.close()
    statuses = dict(Attendance.objects.values_list("member__name", "status"))
    assert statuses == {"张三": "present", "李四": "excused", "王五": "excused", "赵六": "absent", "陈五": "present"}


def test_choosing_a_group_keeps_the_typed_topic(world, live_server, browser):
    ctx, page = _phone_login(browser, live_server, "sec_a")
    try:
        page.goto(f"{live_server.url}/meetings/add/")
        page.fill("input[name=topic]", "我自己写的主题")
        page.fill("input[name=place]", "文化广场")
        # the select submits its form from app.js; select_option does not wait for that
        # navigation, so wait for the URL (and its load) before reading the restored form
        page.select_option("#pick-org", str(world.group_a.pk))
        page.wait_for_url(re.compile(rf"[?&]org={world.group_a.pk}(&|$)"))
        expect(page.locator("input[name=topic]")).to_have_value("我自己写的主题")
        expect(page.locator("input[name=place]")).to_have_value("文化广场")
        expect(page.locator("input[name=kinds][value=group_meeting]")).to_be_checked()
    finally:
        ctx.close()


def test_member_home_tiles_one_tap_each_and_large_print(world, live_server, browser):
    from dangjian.meetings import notices
    from dangjian.meetings.models import Kind

    n = notices.publish_notice(
        user=world.user("secretary_a"),
        data=notices.NoticeInput(
            org=world.branch_a,
            kinds=[Kind.THEME_DAY],
            date=timezone.localdate(),
            start_time=time(0, 0),
            end_time=time(23, 59),
            place="党群服务中心",
            topic="主题党日活动",
        ),
    )
    ctx, page = _phone_login(browser, live_server, "mem_a")
    try:
        assert page.url.endswith("/members/home/")
        for tile, target in (
            ("#tile-dues", "/dues/mine/"),
            ("#tile-points", "/points/mine/"),
            ("#tile-study", "/study/mine/"),
            ("#tile-meeting a.tile-link", "/meetings/mine/"),
        ):
            with page.expect_navigation():
                page.click(tile)  # one tap
            assert page.url.endswith(target), (tile, page.url)
            page.go_back()
            page.wait_for_load_state("networkidle")
        with page.expect_navigation():
            page.click("#tile-signin")
        with page.expect_navigation():
            page.click("#signin-button")
        assert "签到成功" in page.content()
        assert n.signins.count() == 1

        page.goto(f"{live_server.url}/members/home/")
        with page.expect_navigation():
            page.click("#large-print-toggle")
        size = page.evaluate("getComputedStyle(document.body).fontSize")
        assert size == "20px"
        box = page.locator("#large-print-toggle").bounding_box()
        assert box["height"] >= 48
    finally:
        ctx.close()


def test_dues_collection_asks_to_confirm_count_and_total_on_a_phone(world, live_server, browser):
    from dangjian.dues.models import Payment
    from dangjian.dues.services import BaseRow, set_bases

    set_bases(
        branch=world.branch_a,
        year=timezone.localdate().year,
        rows=[BaseRow(m.pk, "在职", "4000") for m in world.members_a],
    )
    ctx, page = _phone_login(browser, live_server, "com_a")
    try:
        page.goto(f"{live_server.url}/dues/collect/")
        box = page.locator("#collect-submit").bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"]  # the save bar is on screen
        tick = page.locator(f"#pay-{world.members_a[0].pk}").bounding_box()
        assert tick["width"] >= 26  # a large tick box
        page.click("#tick-all")
        expect(page.locator("#ticked")).to_have_text("5")  # dues.js, on the click
        with page.expect_navigation():
            page.click("#collect-submit")
        assert "将登记 5 人交纳党费，合计 200.00 元" in page.inner_text("#confirm-summary")
        assert not Payment.objects.exists()  # nothing saved before the confirmation
        with page.expect_navigation():
            page.click("#confirm-submit")
        assert "已登记 5 人" in page.content()
    finally:
        ctx.close()
    assert Payment.objects.count() == 5

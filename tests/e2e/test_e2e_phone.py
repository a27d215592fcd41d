"""Browser tests on a phone (390×844): a 会议通知 → members sign in → the secretary records the
meeting from the notice; a 支委会 with two 请假 and one 缺席 in ≤ 6 interactions (issue 17)."""

from datetime import date

import pytest
from django.utils import timezone

from dangjian.core.testing import make_member
from dangjian.meetings.models import Attendance, MeetingNotice
from dangjian.orgs.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _phone_login(browser, live_server, username, next_url=""):
    ctx = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(30000)
    page.goto(f"{live_server.url}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", "Test-pass-2023")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return ctx, page


def test_notice_then_members_sign_in_then_secretary_records_from_the_notice(world, live_server, browser):
    a = world.members_a
    sec_ctx, sec = _phone_login(browser, live_server, "sec_a")
    try:
        sec.goto(f"{live_server.url}/meetings/notices/")
        sec.click("#notice-add")
        sec.wait_for_load_state("networkidle")
        assert sec.locator("input[name=topic]").input_value() == f"{timezone.localdate().month}月主题党日"
        sec.fill("input[name=topic]", "学习贯彻全会精神")
        sec.fill("input[name=start_time]", "00:00")
        sec.fill("input[name=end_time]", "23:59")
        sec.fill("input[name=place]", "村委会二楼会议室")
        sec.click("button[name=save]")
        sec.wait_for_load_state("networkidle")
        assert "会议通知已发布" in sec.content()
        notice = MeetingNotice.objects.get(topic="学习贯彻全会精神")

        # a member sees it in 我的 with time and place, and signs in with one tap
        mem_ctx, mem = _phone_login(browser, live_server, "mem_a", "/meetings/mine/")
        try:
            card = mem.locator(f"#upcoming [data-notice='{notice.pk}']")
            assert "村委会二楼会议室" in card.inner_text() and "00:00" in card.inner_text()
            card.locator("a.btn").click()
            mem.wait_for_load_state("networkidle")
            mem.click("#signin-button")
            mem.wait_for_load_state("networkidle")
            assert "签到成功" in mem.content()
        finally:
            mem_ctx.close()

        # the secretary signs in 王五 (no smartphone), then records the meeting from the notice
        sec.goto(f"{live_server.url}/meetings/notices/{notice.pk}/")
        assert sec.locator("#signed-count").inner_text() == "1"
        sec.select_option("#proxy-member", str(a[2].pk))
        sec.fill("#proxy-reason", "没有智能手机")
        sec.click("form[action$='/proxy/'] button")
        sec.wait_for_load_state("networkidle")
        assert "已为王五代签" in sec.content()
        sec.click("#record-from-notice")
        sec.wait_for_load_state("networkidle")
        assert sec.locator("input[name=topic]").input_value() == "学习贯彻全会精神"
        assert sec.locator(f"#s{a[3].pk}present").is_checked()  # signed in on the phone
        assert sec.locator(f"#s{a[2].pk}present").is_checked()  # 代签
        assert sec.locator(f"#s{a[4].pk}absent").is_checked()  # not signed in
        for m in (a[0], a[1]):  # chair and recorder were there
            sec.click(f"label[for=s{m.pk}present]")
        sec.click(f"label[for=s{a[4].pk}excused]")
        sec.fill(f"input[name=reason_{a[4].pk}]", "外出务工")
        sec.click("button[name=save]")
        sec.wait_for_load_state("networkidle")
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
        page.click("button[name=save]")
        steps += 2
        page.wait_for_load_state("networkidle")
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
        page.select_option("#pick-org", str(world.group_a.pk))
        page.wait_for_load_state("networkidle")
        assert f"org={world.group_a.pk}" in page.url
        assert page.locator("input[name=topic]").input_value() == "我自己写的主题"
        assert page.locator("input[name=place]").input_value() == "文化广场"
        assert page.locator("input[name=kinds][value=group_meeting]").is_checked()
    finally:
        ctx.close()

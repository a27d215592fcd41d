from datetime import date, time

import pytest
from playwright.sync_api import expect


def _meeting(branch):
    from dangjian.meetings.models import Meeting, MeetingKindLink

    m = Meeting.objects.create(
        org=branch,
        branch=branch,
        date=date(2023, 12, 10),
        start_time=time(9),
        end_time=time(11),
        place="党员活动室",
        topic="支委会研究评议等次",
    )
    MeetingKindLink.objects.create(meeting=m, kind="committee_meeting", branch=branch, date=m.date)
    return m


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_runs_the_appraisal_main_path(world, login, live_server):
    meeting = _meeting(world.branch_a)
    page = login("sec_a")
    page.goto(f"{live_server.url}/reviews/?year=2023")
    with page.expect_navigation():
        page.click("text=开启2023年度评议")
    assert "学习教育" in page.content()
    page.fill("#study-note", "集中学习党章和支部工作条例")
    with page.expect_navigation():
        page.click("text=保存学习教育")
    assert "已登记学习教育" in page.content()
    # 个人自评 recorded by the secretary for 王五
    page.click("text=录入/修改自评 >> nth=2")
    page.fill("textarea[aria-label='王五的个人自评']", "本人积极参加组织生活和志愿服务。")
    with page.expect_navigation():
        page.click("text=保存王五的自评")
    assert "已录入王五的个人自评" in page.content()
    # 组织评定: 2 of 4 优秀 → the one-third reminder, saved anyway
    with page.expect_navigation():
        page.click("text=4. 组织评定")
    page.select_option("#decided-meeting", str(meeting.pk))
    for name, grade in (("张三", "优秀"), ("李四", "优秀"), ("王五", "合格"), ("赵六", "合格")):
        page.select_option(f"select[aria-label='{name}的等次']", grade)
    expect(page.locator("#grade-form")).to_contain_text("超过三分之一")  # live note from reviews.js, on change
    with page.expect_navigation():
        page.click("text=保存组织评定")
    assert "已保存组织评定结果" in page.content()
    assert page.locator("#excellent-warning").count() >= 1 or "三分之一" in page.content()
    assert "预备党员不评定等次" in page.content()
    page.on("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("text=完成本年度民主评议")
    assert "本年度民主评议党员已完成" in page.content()
    assert "优秀：2人" in page.inner_text("#grade-counts")

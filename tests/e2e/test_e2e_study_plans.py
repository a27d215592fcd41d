"""Browser: the township publishes a material and a plan item with it; a branch secretary
records the 集中学习 from the item; a member on a phone sees the month's item, opens the
document and sees their hours."""

import pytest
from django.utils import timezone

from dangjian.testsupport.browser import signed_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_plan_item_with_document_to_recorded_study_to_member_phone(world, login, live_server, browser):
    today = timezone.localdate()
    page = login("admin")
    # 1. the township publishes a document
    page.goto(f"{live_server.url}/study/materials/add/")
    page.fill("#m-title", "抓学习促提升工作方案")
    page.fill("#m-body", "各党支部每月至少组织一次集中学习。")
    with page.expect_navigation():
        page.click("button[type=submit].btn-party")
    assert "各党支部每月至少组织一次集中学习" in page.inner_text("#material-body")
    # 2. the township's plan for this year, with this month's item and the document
    page.goto(f"{live_server.url}/study/plans/?year={today.year}")
    with page.expect_navigation():
        page.click("#create-plan")
    with page.expect_navigation():
        page.click("#add-item")
    page.select_option("#i-from", str(today.month))
    page.fill("#i-topic", "学习工作方案")
    page.fill("#i-hours", "2")
    page.check("text=抓学习促提升工作方案")
    with page.expect_navigation():
        page.click("button[type=submit].btn-party")
    assert "学习工作方案" in page.inner_text("#plan-items")

    # 3. the branch secretary records the 集中学习 from the item
    sec_ctx, sec = signed_in(browser, live_server.url, "sec_a", phone=False, timeout=15000)
    sec.goto(f"{live_server.url}/study/plans/?year={today.year}")
    with sec.expect_navigation():
        sec.click("#plan-items a.record-from-item")
    assert "学习工作方案" in sec.inner_text("#from-plan-item")
    assert sec.input_value("#s-topic") == "学习工作方案"
    sec.fill("#s-date", today.isoformat())
    with sec.expect_navigation():
        sec.click("button[type=submit].btn-party")
    assert "5 名党员各计 2" in sec.content()
    sec.goto(f"{live_server.url}/study/plans/?year={today.year}")
    assert "已落实" in sec.inner_text("#plan-items")
    sec_ctx.close()

    # 4. a member on a phone: the month's item, the document, their hours
    ctx, phone = signed_in(browser, live_server.url, "mem_a", timeout=15000)
    phone.goto(f"{live_server.url}/study/mine/")
    assert "学习工作方案" in phone.inner_text("#month-items")
    assert "2.0 学时" in phone.inner_text("#my-central-hours")
    with phone.expect_navigation():
        phone.click("#month-items a")
    assert "每月至少组织一次集中学习" in phone.inner_text("#material-body")
    # readable on a phone: nothing wider than the screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    ctx.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_on_a_phone_records_a_meeting_that_carries_out_the_months_item(world, live_server, browser):
    """本月待办 → 记录会议 with the item chosen → the 落实情况 page shows it carried out."""
    from decimal import Decimal

    from dangjian.study import plan_services

    today = timezone.localdate()
    plan = plan_services.create_plan(org=world.township, year=today.year, today=today)
    plan_services.add_item(
        plan=plan,
        data=plan_services.ItemInput(
            month_from=today.month, month_to=today.month, topic="学习党章", hours=Decimal("2")
        ),
    )
    ctx, sec = signed_in(browser, live_server.url, "sec_a", timeout=15000)
    sec.goto(f"{live_server.url}/meetings/todo/")
    with sec.expect_navigation():
        sec.click("#todo-study a:has-text('记录会议')")
    assert "学习党章" in sec.inner_text("#id_plan_item option:checked")
    sec.fill("#id_topic", "集中学习党章")
    sec.click("details summary:has-text('议程、会议内容与决定')")
    sec.fill("#id_minutes", "集中学习党章总纲，逐条讨论了党员的义务和权利，每人谈了体会。")
    with sec.expect_navigation():
        sec.click("button[name=save]")
    assert "会议记录已保存" in sec.content()
    sec.goto(f"{live_server.url}/meetings/compliance/?year={today.year}")
    row = sec.inner_text("#plan-items")
    assert "学习党章" in row and "已落实" in row and "会议1次" in row
    assert sec.evaluate("document.documentElement.scrollWidth") <= 390
    ctx.close()

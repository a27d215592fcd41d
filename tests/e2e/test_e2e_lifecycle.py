import re

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_records_full_membership_for_due_probationer(world, login, live_server):
    page = login("sec_a")
    page.click("text=组织与党员")
    with page.expect_navigation():
        page.click("a.dropdown-item:has-text('预备党员转正')")
    row = page.locator("#probation-table tr", has_text="孙七")
    assert "已逾期" in row.inner_text()
    # the form's lifecycle.js runs at the end of the page: wait for its load before choosing
    with page.expect_navigation():
        row.locator("text=办理转正").click()
    page.select_option("select[name=outcome]", "按期转正")
    # lifecycle.js hides it for 转正 on the change: wait for that rather than read at once
    expect(page.locator("[data-field=extension_months]")).to_be_hidden()
    page.fill("input[name=vote_on]", "2024-03-05")
    page.fill("input[name=vote_agree]", "4")
    page.fill("input[name=vote_entitled]", "4")
    page.fill("input[name=vote_present]", "4")
    page.fill("input[name=approved_on]", "2024-03-25")
    with page.expect_navigation():
        page.click("#save")
    assert re.search(r"/lifecycle/members/\d+/$", page.url)
    assert page.locator("#member-kind").inner_text() == "正式党员"
    assert page.locator("#member-full-on").inner_text() == "2024年3月1日"
    assert "转正" in page.locator("#member-events").inner_text()
    page.goto(f"{live_server.url}/lifecycle/probation/")
    assert "孙七" not in page.locator("#probation-table").inner_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_blocked_vote_shows_the_article(world, login, live_server):
    page = login("sec_a")
    member = world.members_a[4]
    page.goto(f"{live_server.url}/lifecycle/probation/{member.pk}/")
    page.fill("input[name=vote_on]", "2024-03-05")
    page.fill("input[name=vote_agree]", "4")
    page.fill("input[name=vote_entitled]", "5")  # counts the 预备党员 as a voter
    page.fill("input[name=vote_present]", "5")
    page.fill("input[name=approved_on]", "2024-03-25")
    with page.expect_navigation():
        page.click("#save")
    assert "预备党员没有表决权" in page.locator("#form-errors").inner_text()
    assert "第七条" in page.locator("#form-errors").inner_text()

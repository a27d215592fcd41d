"""Browser: a secretary finds a member by pinyin initials, sees the ID masked, reveals it."""

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_finds_member_by_initials_and_reveals_id(world, login, live_server):
    member = world.members_a[0]  # 张三
    page = login("sec_a")
    page.goto(f"{live_server.url}/members/")
    page.fill("#id_q", "zs")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    links = page.locator("a.member-link")
    assert links.count() == 1 and links.first.inner_text() == "张三"
    with page.expect_navigation():
        links.first.click()
    cell = page.locator("#id-number-cell")
    assert member.id_number_mask in cell.inner_text()
    assert member.id_number not in page.content()
    page.click("#reveal-id")
    page.wait_for_selector("#id-number-cell .revealed")
    expect(cell).to_contain_text(member.id_number)  # swapped in by htmx
    assert "/members/" in page.url  # revealed in place (htmx), not on another page
    from dangjian.accounts.models import RevealEvent

    assert RevealEvent.objects.filter(member=member, user__username="sec_a", kind="id_number").count() == 1

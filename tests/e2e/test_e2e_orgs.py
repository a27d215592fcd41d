"""Browser: the administrator opens the organization tree, clicks a branch, sees its
committee and the 换届 warning."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.orgs.models import Term
from dangjian.rules.dates import add_months


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_admin_opens_tree_and_branch(world, login, live_server):
    end = timezone.localdate() + timedelta(days=60)
    start = add_months(end, -60)
    Term.objects.create(org=world.branch_a, started_on=start, years=5, ends_on=add_months(start, 60))
    page = login("admin")
    page.click("text=组织与党员")
    with page.expect_navigation():
        page.click("a.dropdown-item:has-text('组织架构')")
    assert page.url.endswith("/orgs/")
    tree = page.locator(".org-tree-root")
    assert "测试镇党委" in tree.inner_text()
    assert "换届即将到期" in tree.inner_text()
    with page.expect_navigation():
        page.click(".org-tree-root a:has-text('东街')")
    assert page.locator("h1").inner_text() == "东街社区党支部"
    committee = page.locator("#committee").inner_text()
    assert "书记" in committee and "张三" in committee and "组织委员" in committee and "李四" in committee
    warning = page.locator("#term-warning")
    assert warning.is_visible() and "换届提醒" in warning.inner_text()
    # phone-sized screen: the page still shows the committee without sideways scrolling
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("window.innerWidth === 390")  # the resize has reached the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    expect(page.locator("#committee")).to_be_visible()
    # end a post from the phone: open 离任, confirm
    page.locator("#committee details.end-post summary").nth(2).click()
    with page.expect_navigation():
        page.locator("#committee details.end-post[open] button[type=submit]").click()
    assert "已办理离任" in page.content()
    assert "王五" not in page.locator("#committee ul.list-group").inner_text()

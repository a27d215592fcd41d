"""Browser: a secretary records a study session with participants prefilled; the member sees it."""

import pytest
from django.utils import timezone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_records_study_and_member_sees_hours(world, login, live_server, browser):
    page = login("sec_a")
    page.goto(f"{live_server.url}/study/add/")
    page.fill("#s-date", f"{timezone.localdate().year}-01-15")
    page.fill("#s-hours", "3")
    page.fill("#s-topic", "学习党章")
    with page.expect_navigation():
        page.click("button[type=submit].btn-party")
    assert "5 名党员各计 3" in page.content()
    ctx = browser.new_context(locale="zh-CN")
    other = ctx.new_page()
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("#id_username", "mem_a")
    other.fill("#id_password", "Test-pass-2023")
    with other.expect_navigation():
        other.click("button[type=submit]")
    other.goto(f"{live_server.url}/study/mine/")
    assert "3.0 学时" in other.inner_text("#my-hours")
    ctx.close()

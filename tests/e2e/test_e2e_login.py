import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_logs_in_and_sees_chinese_home(world, login, live_server):
    page = login("sec_a")
    assert page.url == f"{live_server.url}/"
    assert "东街社区党支部" in page.content()
    assert page.locator("nav").inner_text().count("退出") == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password_is_refused_in_chinese(world, login):
    page = login("sec_a", "wrong-password")
    assert "用户名或密码不正确" in page.content()

"""Results as toasts, problems in the page (issue 17 §7): success and info messages become
toasts (a success hides itself, app.js), warnings and errors stay as alerts inside <main>."""

import lxml.html
import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import RequestContext, Template
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def page_with(world, *added):
    request = RequestFactory().get("/members/12/")
    request.user = world.user("secretary_a")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    for level, text in added:
        messages.add_message(request, level, text)
    html = Template(
        '{% extends "base.html" %}{% block title %}测试页{% endblock %}{% block content %}<p>正文</p>{% endblock %}'
    )
    return lxml.html.fromstring(html.render(RequestContext(request)))


def texts(nodes):
    return [n.text_content().strip() for n in nodes]


def test_results_are_toasts_and_problems_stay_in_the_page(world):
    doc = page_with(
        world,
        (messages.SUCCESS, "已保存 张三 的档案。"),
        (messages.INFO, "勾选的党员本月已交纳，未重复登记。"),
        (messages.WARNING, "有两名党员未填联系电话。"),
        (messages.ERROR, "验证码不对。"),
    )
    toasts = doc.xpath('//div[@id="result-toasts"]/div[contains(@class,"result-toast")]')
    assert texts(toasts) == ["已保存 张三 的档案。", "勾选的党员本月已交纳，未重复登记。"]
    # shown without scripts (class show); only the success hides itself
    assert all("show" in t.get("class").split() for t in toasts)
    assert toasts[0].get("data-autohide") == "5000" and toasts[1].get("data-autohide") is None
    assert all(t.get("role") == "status" for t in toasts)
    assert doc.xpath('//div[@id="result-toasts"]//button[@data-bs-dismiss="toast"][@aria-label="关闭"]')
    # warning and error: alerts inside main, before the page's content, never toasts
    alerts = doc.xpath('//main//div[contains(@class,"alert")][@role="alert"]')
    assert texts(alerts) == ["有两名党员未填联系电话。", "验证码不对。"]
    assert "alert-warning" in alerts[0].get("class") and "alert-danger" in alerts[1].get("class")
    assert not doc.xpath('//div[@id="result-toasts"]//*[contains(text(),"验证码")]')
    # below 党员名册, the page title ends the breadcrumbs (from its title block, no view code)
    assert texts(doc.xpath('//ol[@id="breadcrumbs"]/li'))[-2:] == ["党员名册", "测试页"]


def test_no_toast_container_without_messages(world):
    doc = page_with(world)
    assert not doc.xpath('//div[@id="result-toasts"]')

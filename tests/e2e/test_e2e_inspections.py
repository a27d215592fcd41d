from datetime import date, timedelta

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_inspector_closes_a_rectification_item(world, login, live_server, browser):
    from django.utils import timezone

    from dangjian.inspections import services

    insp = world.user("inspector")
    i = services.create_inspection(
        user=insp,
        org=world.township,
        title="三会一课暗访",
        on=date(2023, 10, 18),
        mode="暗访",
        team="组织委员",
        branches=[world.branch_a],
    )
    f = services.add_finding(
        user=insp,
        inspection=i,
        branch=world.branch_a,
        category="组织生活",
        description="党员大会无会议记录",
        measure="补齐记录",
        responsible="张三",
        deadline=timezone.localdate() - timedelta(days=2),
    )
    page = login("sec_a")
    page.goto(f"{live_server.url}/inspections/findings/{f.pk}/")
    assert "逾期" in page.inner_text("#item-status")
    assert page.locator("#close-item").count() == 0  # the branch cannot close
    page.fill("textarea[aria-label='整改情况']", "已补齐全部会议记录，经支委会审核确认。")
    page.check("#done")
    with page.expect_navigation():
        page.click("text=提交")
    assert "等待督查人员销号" in page.content()
    with page.expect_navigation():
        page.click("text=退出")
    page = login("inspector")
    page.goto(f"{live_server.url}/inspections/findings/{f.pk}/")
    page.fill("input[aria-label='销号意见']", "复查属实，同意销号")
    with page.expect_navigation():
        page.click("#close-item")
    assert "已销号" in page.content()
    assert "已完成" in page.inner_text("#item-status")

"""Browser: a member sees 我的积分 with the source of every point."""

from datetime import date

import pytest
from django.utils import timezone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_sees_points_with_sources(world, login, live_server):
    from dangjian.points import services

    y = timezone.localdate().year
    item = services.propose(
        member=world.members_a[3],
        year=y,
        code="volunteer",
        on=date(y, 3, 5),
        description="清扫社区街道",
        evidence="志愿服务签到表",
        user=world.user("committee_a"),
    )
    services.decide(item=item, user=world.user("secretary_a"), approve=True)
    page = login("mem_a")
    page.goto(f"{live_server.url}/points/mine/")
    text = page.inner_text("#point-lines")
    assert "基础分" in text and "清扫社区街道" in text and "志愿服务签到表" in text
    values = [int(v) for v in page.locator("#point-lines .point-value").all_inner_texts()]
    assert sum(values) == int(page.inner_text("#point-total")) == 62
    assert "不是评定等次" in page.content()

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dangjian.lifecycle import selectors, services
from dangjian.lifecycle.models import MobileContact
from dangjian.members.models import MemberEvent, Standing
from dangjian.orgs.selectors import overview
from dangjian.rules.dates import add_months


@pytest.mark.django_db
def test_contact_overdue_alert_on_home_and_list(world, client_for):
    today = timezone.localdate()
    m = world.members_a[3]
    services.register_mobile(
        member=m,
        since=add_months(today, -8),
        destination="新疆乌鲁木齐",
        host_org="某流动党支部",
        contact="微信",
        expected_version=m.version,
        user=world.user("secretary_a"),
        today=today,
    )
    m.refresh_from_db()
    assert m.is_mobile and MemberEvent.objects.filter(member=m, kind="外出流动").exists()
    rows = selectors.mobile_list(world.user("secretary_a"), today=today)
    assert [r.member for r in rows] == [m] and rows[0].overdue
    c = client_for("secretary_a")
    home = c.get("/").content.decode()
    assert "流动党员超过6个月未联系" in home
    page = c.get("/lifecycle/mobile/?overdue=1").content.decode()
    assert "赵六" in page and "超期" in page and "1 名超过6个月未联系" in page
    # a contact logged through the page clears the alert
    r = c.post(
        f"/lifecycle/members/{m.pk}/contact/", {"on": today.isoformat(), "method": "电话", "content": "在工地，身体好"}
    )
    assert r.status_code == 302
    assert MobileContact.objects.filter(member=m).count() == 1
    assert not selectors.mobile_list(world.user("secretary_a"), today=today)[0].overdue
    assert "流动党员超过6个月未联系" not in c.get("/").content.decode()
    assert selectors.mobile_list(world.user("secretary_b"), today=today) == []


@pytest.mark.django_db
def test_return_lost_found_suspend_restore_death_each_evented_and_audited(world):
    today = date(2026, 11, 29)
    m = world.members_a[3]
    ct = ContentType.objects.get_for_model(MemberEvent)

    def refresh():
        m.refresh_from_db()
        return m.version

    services.register_mobile(
        member=m,
        since=date(2026, 1, 1),
        destination="广州",
        host_org="",
        contact="",
        expected_version=refresh(),
        today=today,
    )
    services.return_mobile(member=m, on=date(2026, 6, 1), expected_version=refresh(), today=today)
    assert not m.is_mobile and m.mobile_since is None
    services.record_status(member=m, kind="失联", on=date(2026, 7, 1), expected_version=refresh(), today=today)
    refresh()
    assert m.is_lost and m.lost_on == date(2026, 7, 1)
    assert overview(world.township)["members"]["lost"] == 1
    services.record_status(member=m, kind="恢复联系", on=date(2026, 9, 1), expected_version=refresh(), today=today)
    refresh()
    assert not m.is_lost and m.lost_on is None
    services.record_status(member=m, kind="停止党籍", on=date(2026, 9, 2), expected_version=refresh(), today=today)
    refresh()
    assert m.standing == Standing.SUSPENDED
    services.record_status(member=m, kind="恢复党籍", on=date(2026, 9, 3), expected_version=refresh(), today=today)
    refresh()
    assert m.standing == Standing.NORMAL
    total = overview(world.township)["members"]["total"]
    services.record_status(member=m, kind="死亡", on=date(2026, 10, 3), expected_version=refresh(), today=today)
    refresh()
    assert not m.is_current and m.left_reason == "死亡"
    assert overview(world.township)["members"]["total"] == total - 1
    events = list(MemberEvent.objects.filter(member=m).order_by("date", "id").values_list("kind", flat=True))
    assert events == ["外出流动", "流动返回", "失联", "恢复联系", "停止党籍", "恢复党籍", "死亡"]
    for pk in MemberEvent.objects.filter(member=m).values_list("pk", flat=True):
        assert LogEntry.objects.filter(content_type=ct, object_pk=str(pk)).exists()
    with pytest.raises(services.LifecycleError):
        services.record_status(member=m, kind="失联", on=today, expected_version=refresh(), today=today)


@pytest.mark.django_db
def test_expulsion_needs_a_note_and_status_page(world, client_for):
    m = world.members_a[3]
    c = client_for("secretary_a")
    r = c.post(f"/lifecycle/members/{m.pk}/status/", {"version": m.version, "kind": "除名", "on": "2026-11-01"})
    assert r.status_code == 200 and "请在说明中写明" in r.content.decode()
    r = c.post(f"/lifecycle/members/{m.pk}/status/", {"version": m.version, "kind": "失联", "on": "2099-01-01"})
    assert r.status_code == 200 and "不能晚于今天" in r.content.decode()
    r = c.post(
        f"/lifecycle/members/{m.pk}/status/",
        {"version": m.version, "kind": "失联", "on": (timezone.localdate() - timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 302
    assert client_for("secretary_b").get(f"/lifecycle/members/{m.pk}/status/").status_code == 404

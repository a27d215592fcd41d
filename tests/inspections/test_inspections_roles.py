"""The 督查 role as named (issue 19): it writes inspections, findings, 销号 and signal
reviews, nothing else; an item is 销号 only after the branch reported it complete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dangjian.accounts.roles import WRITER_ROLES, Role
from dangjian.inspections import services
from dangjian.inspections.services import InspectionError
from dangjian.testsupport.scope import iter_urls
from tests.inspections.test_inspections_items import _finding

pytestmark = pytest.mark.django_db


def test_role_label_is_truthful():
    assert Role.INSPECTOR.label == "督查" and "只读" not in Role.INSPECTOR.label
    assert Role.INSPECTOR not in WRITER_ROLES  # every generic write view refuses it (403)


def test_no_close_while_only_in_progress(world, client_for):
    f = _finding(world, deadline=timezone.localdate() + timedelta(days=10))
    item = f.item
    services.report_progress(
        user=world.user("secretary_a"), item=item, note="正在整改", done=False, expected_version=item.version
    )
    item.refresh_from_db()
    assert item.status == "整改中" and item.reported_on is None
    with pytest.raises(InspectionError, match="尚未报告整改完成"):
        services.close_item(user=world.user("inspector"), item=item, note="", expected_version=item.version)
    r = client_for("inspector").post(
        f"/inspections/items/{item.pk}/close/", {"note": "x", "version": item.version}, follow=True
    )
    item.refresh_from_db()
    assert item.status == "整改中" and "尚未报告整改完成" in r.content.decode()


def test_inspector_cannot_run_the_signal_scan(world, client_for):
    assert client_for("inspector").post("/integrity/scan/", {"year": 2025}).status_code == 403


def test_the_views_an_inspector_may_write_through():
    """Every view the inspector can POST to that is not a generic write view (which refuses it),
    listed: the walk (tests/security) then checks each refuses the other roles' objects."""
    from dangjian.accounts.access import scoped  # noqa: F401 - the rule the walk reads

    may_post = set()
    for e in iter_urls():
        rule = e.rule
        if not rule or rule.get("public") or rule.get("write"):
            continue
        if Role.INSPECTOR in rule["roles"] and e.name.split(":")[0] in {"inspections", "integrity"}:
            may_post.add(e.name)
    assert {"inspections:new", "inspections:detail", "inspections:item_close", "integrity:signal"} <= may_post
    assert "integrity:scan" not in may_post

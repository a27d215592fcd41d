"""Optimistic locking: of two people editing the same record, the second save is refused
with a clear message and nothing is overwritten."""

from datetime import date

import pytest
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from dangjian.core.concurrency import CONFLICT_MESSAGE, EditConflict, save_versioned
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def test_service_level_member_conflict(world):
    m = world.members_a[0]
    a = Member.objects.get(pk=m.pk)
    b = Member.objects.get(pk=m.pk)
    a.address = "甲改的地址"
    save_versioned(a, expected_version=a.version)
    b.address = "乙改的地址"
    with pytest.raises(EditConflict) as exc:
        save_versioned(b, expected_version=b.version)
    assert exc.value.message == CONFLICT_MESSAGE and "未生效" in exc.value.message
    m.refresh_from_db()
    assert m.address == "甲改的地址" and m.version == 2


def test_service_level_org_conflict(world):
    a = Organization.objects.get(pk=world.branch_a.pk)
    b = Organization.objects.get(pk=world.branch_a.pk)
    a.contact_name = "甲"
    save_versioned(a, expected_version=a.version)
    b.contact_name = "乙"
    with pytest.raises(EditConflict):
        save_versioned(b, expected_version=b.version)
    assert Organization.objects.get(pk=a.pk).contact_name == "甲"


def _form_data(form) -> dict:
    """What a browser would post back for an unchanged form."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, Model):
            value = value.pk
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, date):
            value = value.isoformat()
        data[name] = "" if value is None else value
    return data


def _edit_twice(c1, c2, url, field, v1, v2):
    f1 = c1.get(url).context["form"]
    f2 = c2.get(url).context["form"]
    d1, d2 = _form_data(f1), _form_data(f2)
    assert d1.get("version") not in (None, ""), "the edit form must carry the version it was read at"
    d1[field], d2[field] = v1, v2
    r1 = c1.post(url, d1)
    assert r1.status_code == 302, r1.content.decode()[:2000]
    r2 = c2.post(url, d2)
    assert r2.status_code == 200
    assert CONFLICT_MESSAGE in r2.content.decode()


def _url(name, **kw):
    try:
        return reverse(name, kwargs=kw)
    except NoReverseMatch:
        pytest.fail(f"{name} does not exist")


def test_web_member_edit_conflict(world, client_for):
    m = world.members_a[3]
    url = _url("members:edit", member=m.pk)
    _edit_twice(client_for("secretary_a"), client_for("admin"), url, "address", "书记填的地址", "管理员填的地址")
    m.refresh_from_db()
    assert m.address == "书记填的地址"


def test_web_org_edit_conflict(world, client_for):
    url = _url("orgs:edit", org=world.branch_a.pk)
    _edit_twice(client_for("secretary_a"), client_for("admin"), url, "contact_name", "书记", "管理员")
    assert Organization.objects.get(pk=world.branch_a.pk).contact_name == "书记"

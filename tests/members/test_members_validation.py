"""Validation of one member's data (GB 11643-1999; 党章 Arts. 1 and 7) through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.core.concurrency import EditConflict
from dangjian.members.models import Member, MemberEvent
from dangjian.members.services import create_member, update_member
from dangjian.members.validation import check_member
from dangjian.rules.idcard import make_id

TODAY = date(2026, 11, 29)
BIRTH = date(1985, 3, 12)
ID_M = make_id("620102", BIRTH, 111)  # odd sequence → 男


def base(**over):
    d = dict(
        name="测试人",
        sex="男",
        ethnicity="汉族",
        id_number=ID_M,
        birth_date=BIRTH,
        education="大学本科",
        kind="正式党员",
        branch=object(),
        joined_on=date(2010, 7, 1),
        full_on=date(2011, 7, 1),
        probation_extension_months=0,
    )
    d.update(over)
    return d


def msgs(errors, field):
    return " ".join(errors.get(field, []))


def test_clean_record_has_no_errors():
    assert check_member(base(), today=TODAY) == {}


def test_id_checksum():
    bad = ID_M[:-1] + ("0" if ID_M[-1] != "0" else "1")
    e = check_member(base(id_number=bad), today=TODAY)
    assert "公民身份号码" in msgs(e, "id_number") and "校验位" in msgs(e, "id_number")


def test_id_lowercase_x_and_fullwidth_are_accepted():
    for seq in range(200):
        n = make_id("620102", BIRTH, seq * 2 + 1)
        if n.endswith("X"):
            break
    full = n[:-1].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) + "x"
    assert check_member(base(id_number=" " + full + " "), today=TODAY) == {}


def test_birth_date_must_match_id():
    e = check_member(base(birth_date=date(1985, 3, 13)), today=TODAY)
    assert "出生日期" in msgs(e, "birth_date") and "不一致" in msgs(e, "birth_date")


def test_sex_must_match_id():
    e = check_member(base(sex="女"), today=TODAY)
    assert "性别" in msgs(e, "sex") and "不一致" in msgs(e, "sex")


def test_joined_before_birth():
    e = check_member(base(joined_on=date(1980, 1, 1), full_on=date(1981, 1, 1)), today=TODAY)
    assert "出生日期应早于入党日期" in msgs(e, "birth_date")


def test_age_18_at_joining():
    e = check_member(base(joined_on=date(2002, 7, 1), full_on=date(2003, 7, 1)), today=TODAY)
    assert "十八岁" in msgs(e, "joined_on")


def test_full_one_year_after_joining():
    e = check_member(base(full_on=date(2011, 9, 1)), today=TODAY)
    assert "入党一年后" in msgs(e, "full_on")


def test_extension_allows_later_full_date_up_to_one_more_year():
    assert check_member(base(full_on=date(2012, 1, 1), probation_extension_months=6), today=TODAY) == {}
    e = check_member(base(full_on=date(2012, 9, 1), probation_extension_months=12), today=TODAY)
    assert "转为正式党员日期" in msgs(e, "full_on")
    e = check_member(base(full_on=date(2013, 1, 1), probation_extension_months=18), today=TODAY)
    assert "不超过一年" in msgs(e, "probation_extension_months")


def test_probationary_has_no_full_date_and_full_member_needs_one():
    e = check_member(base(kind="预备党员"), today=TODAY)
    assert "预备党员不应有转正日期" in msgs(e, "full_on")
    e = check_member(base(full_on=None), today=TODAY)
    assert "正式党员应填写转正日期" in msgs(e, "full_on")


def test_required_fields_named():
    e = check_member(base(name="", education=None, id_number=""), today=TODAY)
    assert msgs(e, "name").startswith("姓名")
    assert msgs(e, "education").startswith("学历")
    assert msgs(e, "id_number").startswith("公民身份号码")


# --- services ---------------------------------------------------------------------------


def fields(world, **over):
    d = base(branch=world.branch_a, **over)
    d.pop("id_number")
    return d


@pytest.mark.django_db
def test_create_member_and_audit(world, client_for):
    sec = world.user("secretary_a")
    m = create_member(user=sec, id_number=ID_M.lower(), phone="13912345678", **fields(world))
    assert m.pk and m.id_number == ID_M and m.id_number_mask == ID_M[:6] + "*" * 11 + ID_M[-1]
    assert m.phone_mask == "139****5678" and m.name_initials == "csr"
    from dangjian.core.audit import history_for

    entries = list(history_for(m))
    assert entries and entries[0].action == 0 and "name" in entries[0].changes


@pytest.mark.django_db
def test_id_unique_among_current_members(world):
    sec = world.user("secretary_a")
    existing = world.members_b[0]
    with pytest.raises(ValidationError) as exc:
        create_member(
            user=world.user("admin"),
            id_number=existing.id_number,
            **fields(world, birth_date=existing.birth_date, sex=existing.sex),
        )
    assert "重复" in " ".join(exc.value.message_dict["id_number"])
    # once that member has left, the number may be registered again
    Member.objects.filter(pk=existing.pk).update(is_current=False)
    m = create_member(
        user=sec, id_number=existing.id_number, **fields(world, birth_date=existing.birth_date, sex=existing.sex)
    )
    assert m.pk


@pytest.mark.django_db
def test_secretary_cannot_create_in_other_branch_and_inspector_cannot_write(world):
    with pytest.raises(ValidationError) as exc:
        create_member(user=world.user("secretary_a"), id_number=ID_M, **(fields(world) | {"branch": world.branch_b}))
    assert "所在党支部" in exc.value.message_dict["branch"][0]
    with pytest.raises(PermissionDenied):
        create_member(user=world.user("inspector"), id_number=ID_M, **fields(world))


@pytest.mark.django_db
def test_update_member_audit_before_after_and_branch_event(world):
    from dangjian.core.audit import history_for

    admin = world.user("admin")
    m = world.members_a[3]
    update_member(user=admin, member=m, expected_version=m.version, job="村医", branch=world.branch_b, group=None)
    m.refresh_from_db()
    assert m.branch == world.branch_b and m.version == 2
    entry = history_for(m)[0]
    assert entry.changes["job"] == ["", "村医"]
    assert entry.actor is None or entry.actor == admin
    ev = MemberEvent.objects.get(member=m)
    assert ev.kind == MemberEvent.Kind.BRANCH_CHANGE and "西街" in ev.note


@pytest.mark.django_db
def test_update_conflict(world):
    m = world.members_a[2]
    sec = world.user("secretary_a")
    stale = m.version
    update_member(user=sec, member=Member.objects.get(pk=m.pk), expected_version=stale, job="第一次")
    with pytest.raises(EditConflict) as exc:
        update_member(user=sec, member=Member.objects.get(pk=m.pk), expected_version=stale, job="第二次")
    assert "已被他人修改" in exc.value.message
    assert Member.objects.get(pk=m.pk).job == "第一次"


@pytest.mark.django_db
def test_update_validation_keeps_record(world):
    m = world.members_a[0]
    with pytest.raises(ValidationError) as exc:
        update_member(user=world.user("admin"), member=m, expected_version=m.version, full_on=None)
    assert "正式党员应填写转正日期" in exc.value.message_dict["full_on"][0]
    assert Member.objects.get(pk=m.pk).full_on is not None


@pytest.mark.django_db
def test_secretary_cannot_update_other_branch_member(world):
    with pytest.raises(PermissionDenied):
        m = world.members_b[1]
        update_member(user=world.user("secretary_a"), member=m, expected_version=m.version, job="x")

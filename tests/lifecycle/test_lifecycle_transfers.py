import io
from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from docx import Document

from dangjian.accounts.models import RevealEvent
from dangjian.lifecycle import services
from dangjian.lifecycle.models import Transfer
from dangjian.members.models import Member, MemberEvent
from dangjian.orgs.selectors import overview
from dangjian.rules.idcard import make_id

TODAY = date(2026, 11, 29)


def _letter_text(response) -> str:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    doc = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return "\n".join(p.text for p in doc.paragraphs)


@pytest.mark.django_db
def test_transfer_out_beyond_produces_letter_and_leaves_counts_keeping_history(world, client_for):
    m = world.members_a[3]  # 赵六
    total = overview(world.township)["members"]["total"]
    c = client_for("secretary_a")
    r = c.post(
        f"/lifecycle/members/{m.pk}/transfer-out/",
        {
            "version": m.version,
            "on": "2026-11-20",
            "reach": "县外",
            "other_org": "中共兰州市城关区某街道工委",
            "valid_days": 30,
            "dues_paid_to": "2026年11月",
            "reason": "工作调动",
        },
    )
    assert r.status_code == 302, r.content.decode()
    t = Transfer.objects.get(member=m)
    assert t.direction == "转出" and t.letter_number == "〔2026〕第001号"
    m.refresh_from_db()
    assert not m.is_current and m.left_reason == "转出" and m.left_on == date(2026, 11, 20)
    assert overview(world.township)["members"]["total"] == total - 1
    # history stays: the record, the event, the audit
    assert Member.objects.filter(pk=m.pk).exists()
    ev = MemberEvent.objects.get(member=m, kind=MemberEvent.Kind.TRANSFER_OUT)
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MemberEvent), object_pk=str(ev.pk)
    ).exists()
    assert c.get(f"/lifecycle/members/{m.pk}/").status_code == 200
    # the letter: masked ID by default
    text = _letter_text(c.get(f"/lifecycle/transfers/{t.pk}/letter.docx"))
    assert "中国共产党党员组织关系介绍信" in text and "赵六" in text and "〔2026〕第001号" in text
    assert "正式党员" in text and "中共兰州市城关区某街道工委" in text and "2026年11月" in text and "有效期30天" in text
    assert m.id_number_mask in text and m.id_number not in text
    assert not RevealEvent.objects.exists()
    # the full number for an entitled role, logged
    full_url = f"/lifecycle/transfers/{t.pk}/letter.docx?full=1"
    assert "用途（必填）" in c.get(full_url).content.decode() and not RevealEvent.objects.exists()
    text = _letter_text(c.post(full_url, {"purpose": "交本人持信报到"}))
    assert m.id_number in text
    assert RevealEvent.objects.filter(
        user=world.user("secretary_a"), member=m, kind=RevealEvent.Kind.EXPORT_IDS, purpose="交本人持信报到"
    ).exists()
    # committee may not see the full number: masked even when asked
    text = _letter_text(client_for("committee_a").get(f"/lifecycle/transfers/{t.pk}/letter.docx?full=1"))
    assert m.id_number not in text
    # other branch: 404
    assert client_for("secretary_b").get(f"/lifecycle/transfers/{t.pk}/letter.docx").status_code == 404
    # cannot act twice on a member who has left
    with pytest.raises(services.LifecycleError):
        services.transfer_out(member=m, on=TODAY, reach="县外", other_org="x", expected_version=m.version, today=TODAY)


@pytest.mark.django_db
def test_transfer_within_township_moves_branch(world):
    m = world.members_a[2]
    total = overview(world.township)["members"]["total"]
    t = services.transfer_out(
        member=m,
        on=date(2026, 10, 1),
        reach="本镇内",
        to_branch=world.branch_b,
        expected_version=m.version,
        user=world.user("secretary_a"),
        today=TODAY,
    )
    m.refresh_from_db()
    assert m.branch == world.branch_b and m.is_current and m.group is None
    assert overview(world.township)["members"]["total"] == total
    kinds = set(MemberEvent.objects.filter(member=m).values_list("kind", flat=True))
    assert {"转出", "转入"} <= kinds
    assert t.letter_no == 1 and t.to_branch == world.branch_b
    # the next letter of the same 党委 and year gets the next number
    t2 = services.transfer_out(
        member=world.members_a[3],
        on=date(2026, 10, 2),
        reach="本县内",
        other_org="某乡党委",
        expected_version=world.members_a[3].version,
        today=TODAY,
    )
    assert t2.letter_no == 2
    with pytest.raises(services.LifecycleError):
        services.transfer_out(
            member=world.members_b[1],
            on=TODAY,
            reach="本镇内",
            to_branch=world.branch_b,
            expected_version=world.members_b[1].version,
            today=TODAY,
        )


@pytest.mark.django_db
def test_transfer_in_new_and_reactivated(world, client_for):
    c = client_for("secretary_a")
    birth = date(1990, 8, 8)
    number = make_id("620103", birth, 21)
    total = overview(world.township)["members"]["total"]
    r = c.post(
        "/lifecycle/transfers/in/",
        {
            "branch": world.branch_a.pk,
            "on": "2026-09-01",
            "reach": "县外",
            "other_org": "中共某市某支部",
            "received_letter": "〔2026〕12号",
            "name": "转入甲",
            "sex": "男",
            "ethnicity": "汉族",
            "birth_date": "1990-08-08",
            "id_number": number,
            "education": "大学本科",
            "kind": "正式党员",
            "joined_on": "2015-07-01",
        },
    )
    assert r.status_code == 302, r.content.decode()
    m = Member.objects.get(name="转入甲")
    assert m.is_current and m.full_on == date(2016, 7, 1) and m.joined_org_type == "转入"
    assert overview(world.township)["members"]["total"] == total + 1
    # the same person again while current: refused
    with pytest.raises(services.LifecycleError):
        services.transfer_in(
            branch=world.branch_a,
            on=TODAY,
            reach="县外",
            other_org="x",
            name="转入甲",
            sex="男",
            birth_date=birth,
            id_number=number,
            kind="正式党员",
            joined_on=date(2015, 7, 1),
            education="大学本科",
            today=TODAY,
        )
    # leaves, then comes back: the old record is re-activated
    services.transfer_out(
        member=m, on=date(2026, 10, 1), reach="县外", other_org="y", expected_version=m.version, today=TODAY
    )
    t = services.transfer_in(
        branch=world.branch_a,
        on=date(2026, 11, 1),
        reach="县外",
        other_org="y",
        name="转入甲",
        sex="男",
        birth_date=birth,
        id_number=number,
        kind="正式党员",
        joined_on=date(2015, 7, 1),
        education="大学本科",
        today=TODAY,
    )
    assert t.member_id == m.pk
    assert MemberEvent.objects.filter(member=m, kind="转入").count() == 2
    # ID that disagrees with the birth date is refused in Chinese, no 500
    r = c.post(
        "/lifecycle/transfers/in/",
        {
            "branch": world.branch_a.pk,
            "on": "2026-09-01",
            "reach": "县外",
            "other_org": "x",
            "name": "乙",
            "sex": "男",
            "ethnicity": "汉族",
            "birth_date": "1991-08-08",
            "id_number": make_id("620103", birth, 23),
            "education": "大学本科",
            "kind": "正式党员",
            "joined_on": "2015-07-01",
        },
    )
    assert r.status_code == 200 and "出生日期" in r.content.decode()


@pytest.mark.django_db
def test_transfers_page_lists_scope_only(world, client_for):
    services.transfer_out(
        member=world.members_a[3],
        on=date(2026, 10, 2),
        reach="县外",
        other_org="某县",
        expected_version=world.members_a[3].version,
        today=TODAY,
    )
    assert "赵六" in client_for("secretary_a").get("/lifecycle/transfers/").content.decode()
    assert "赵六" not in client_for("secretary_b").get("/lifecycle/transfers/").content.decode()
    assert "赵六" in client_for("admin").get("/lifecycle/transfers/").content.decode()


def test_full_id_letter_rechecks_the_members_current_scope(world, client_for):
    """Issue 19: the transfer record stays in the old branch's scope, the member moved on."""
    from dangjian.accounts.models import RevealEvent

    m = world.members_a[2]
    c = client_for("secretary_a")
    r = c.post(
        f"/lifecycle/members/{m.pk}/transfer-out/",
        {
            "version": m.version,
            "on": "2026-11-20",
            "reach": "县外",
            "other_org": "外县某支部",
            "valid_days": 30,
            "dues_paid_to": "2026年11月",
            "reason": "工作调动",
        },
    )
    assert r.status_code == 302
    t = Transfer.objects.get(member=m)
    Member.objects.filter(pk=m.pk).update(branch=world.branch_b)  # now in another branch
    url = f"/lifecycle/transfers/{t.pk}/letter.docx?full=1"
    assert c.post(url, {"purpose": "交本人持信报到"}).status_code == 403
    assert not RevealEvent.objects.exists()
    masked = _letter_text(c.get(f"/lifecycle/transfers/{t.pk}/letter.docx"))
    assert m.id_number not in masked

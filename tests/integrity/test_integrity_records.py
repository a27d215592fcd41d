"""Issue 21: records that cannot be true, copies across branches with names changed, and
copies of published material — each flagged, explained in Chinese, linked to the records."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from dangjian.integrity import detectors, selectors, services
from dangjian.integrity.models import PublishedText, Signal, SignalKind
from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
from dangjian.testsupport.world import within_today

YEAR = 2023


def make_meeting(branch, members, d, kinds, *, minutes=None, created=None, absent=()):
    m = Meeting.objects.create(
        org=branch,
        branch=branch,
        date=d,
        start_time=time(9),
        end_time=time(11),
        place="党群服务中心",
        topic=f"{d:%m月}会议",
        minutes=minutes if minutes is not None else f"会议研究了{d.month}月份的工作，{members[0].name}作了发言。",
    )
    if created:
        Meeting.objects.filter(pk=m.pk).update(created_at=created)
    for k in kinds:
        MeetingKindLink.objects.create(meeting=m, kind=k, branch=branch, date=d)
    Attendance.objects.bulk_create(
        Attendance(meeting=m, member=mem, status="absent" if mem in absent else "present") for mem in members
    )
    return m


def kinds_found(root, detector, kind):
    return [f for f in detector(root, YEAR) if f.kind == kind]


def aware(d, h=9, m=0, s=0):
    return timezone.make_aware(datetime.combine(d, time(h, m, s)))


@pytest.mark.django_db
def test_meeting_dated_after_it_was_entered(world):
    d = date(YEAR, 6, 20)
    future = make_meeting(world.branch_a, world.members_a, d, [Kind.THEME_DAY], created=aware(d - timedelta(days=9)))
    make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 10), [Kind.THEME_DAY])  # entered on the day
    same_day = make_meeting(world.branch_b, world.members_b, date(YEAR, 7, 1), [Kind.THEME_DAY])
    Meeting.objects.filter(pk=same_day.pk).update(created_at=aware(date(YEAR, 7, 1), 7))  # entered that morning
    found = kinds_found(world.township, detectors.dated_after_entry, SignalKind.DATED_AFTER_ENTRY)
    assert [r["id"] for f in found for r in f.records] == [future.pk]
    f = found[0]
    assert "早9天" in f.explanation and f"已记了{len(world.members_a)}人出席" in f.explanation
    assert f.strength >= 0.8


@pytest.mark.django_db
def test_non_committee_member_signing_into_committee_meeting(world):
    a = world.members_a
    m = make_meeting(world.branch_a, a, date(YEAR, 4, 3), [Kind.COMMITTEE_MEETING])
    stamp = aware(date(YEAR, 4, 3), 8, 55)
    # Committee members a[0..2] sign in: expected. a[3] is an ordinary member: not expected.
    Attendance.objects.filter(meeting=m).update(signed_in_at=stamp)
    # A 主题党日 with the same people is fine: everyone is expected there.
    t = make_meeting(world.branch_a, a, date(YEAR, 4, 10), [Kind.THEME_DAY])
    Attendance.objects.filter(meeting=t).update(signed_in_at=stamp)
    found = kinds_found(world.township, detectors.unexpected_signin, SignalKind.UNEXPECTED_SIGNIN)
    assert len(found) == 1
    names = {r["label"] for r in found[0].records if r["type"] == "member"}
    assert names == {a[3].name, a[4].name}
    assert f"{a[3].name}不是支部委员，却在支委会签到（扫码签到）" in found[0].explanation
    assert {r["id"] for r in found[0].records if r["type"] == "meeting"} == {m.pk}


@pytest.mark.django_db
def test_sign_in_before_joining_or_after_leaving(world):
    b = world.members_b
    d = date(YEAR, 2, 15)  # b[4] joined on 2023-03-01
    m = make_meeting(world.branch_b, b, d, [Kind.THEME_DAY])
    Attendance.objects.filter(meeting=m, member=b[4]).update(signed_in_at=aware(d))
    left = b[3]
    type(left).objects.filter(pk=left.pk).update(is_current=False, left_on=date(YEAR, 1, 31), left_reason="转出")
    Attendance.objects.filter(meeting=m, member=left).update(signed_in_at=aware(d, 9, 1))
    # Rows entered by hand (no sign-in time) are the secretary's record, not a sign-in.
    Attendance.objects.filter(meeting=m, member=b[2]).update(signed_in_at=None)
    found = kinds_found(world.township, detectors.unexpected_signin, SignalKind.UNEXPECTED_SIGNIN)
    assert len(found) == 1
    text = found[0].explanation
    assert f"{b[4].name}的入党日期是2023年03月01日，会议时还不是党员" in text
    assert f"{left.name}已于2023年01月31日离开本组织" in text


@pytest.mark.django_db
def test_many_qr_sign_ins_in_seconds_from_one_phone(world):
    a = world.members_a
    d = date(YEAR, 5, 6)
    m = make_meeting(world.branch_a, a, d, [Kind.THEME_DAY])
    for i, mem in enumerate(a):
        Attendance.objects.filter(meeting=m, member=mem).update(
            signed_in_at=aware(d, 8, 58, 2 * i), signin_device="phone-of-secretary", signin_address="10.0.0.8"
        )
    honest = make_meeting(world.branch_b, world.members_b, d, [Kind.THEME_DAY])
    for i, mem in enumerate(world.members_b):
        # Own phones on the same village Wi-Fi, a minute or more apart.
        Attendance.objects.filter(meeting=honest, member=mem).update(
            signed_in_at=aware(d, 8, 40 + 2 * i), signin_device=f"own-{i}", signin_address="10.0.0.9"
        )
    found = kinds_found(world.township, detectors.signin_burst, SignalKind.SIGNIN_BURST)
    assert len(found) == 1
    f = found[0]
    assert {r["id"] for r in f.records if r["type"] == "meeting"} == {m.pk}
    assert "8秒内" in f.explanation and "同一部手机" in f.explanation and f"共{len(a)}人" in f.explanation


@pytest.mark.django_db
def test_many_sign_ins_in_seconds_from_one_address(world, settings):
    from dangjian.testsupport.world import make_member

    members = world.members_a + [make_member(world.branch_a) for _ in range(3)]
    d = date(YEAR, 5, 20)
    m = make_meeting(world.branch_a, members, d, [Kind.THEME_DAY])
    for i, mem in enumerate(members):
        Attendance.objects.filter(meeting=m, member=mem).update(
            signed_in_at=aware(d, 9, 0, 2 * i), signin_device=f"d{i}", signin_address="192.0.2.7"
        )
    found = kinds_found(world.township, detectors.signin_burst, SignalKind.SIGNIN_BURST)
    assert len(found) == 1 and "同一网络地址（192.0.2.7）" in found[0].title
    settings.DANGJIAN = {**settings.DANGJIAN, "SIGNIN_ADDRESS_MIN": 20}
    assert kinds_found(world.township, detectors.signin_burst, SignalKind.SIGNIN_BURST) == []


@pytest.mark.django_db
def test_sign_in_records_device_and_address(world, client_for):
    m = make_meeting(world.branch_a, world.members_a, timezone.localdate(), [Kind.THEME_DAY], absent=world.members_a)
    now = timezone.localtime()
    start, end = within_today(now, now - timedelta(minutes=5), now + timedelta(minutes=50))
    Meeting.objects.filter(pk=m.pk).update(start_time=start, end_time=end)
    client = client_for("member_a")
    resp = client.post(f"/meetings/{m.pk}/signin/", REMOTE_ADDR="198.51.100.4")
    assert resp.status_code == 302
    row = Attendance.objects.get(meeting=m, member=world.members_a[3])
    assert row.status == "present" and row.signin_address == "198.51.100.4" and len(row.signin_device) == 32
    # The same browser signing in a second account: the same device digest.
    cookie = resp.cookies["dj_signin_device"].value
    other = client_for("committee_a")
    other.cookies["dj_signin_device"] = cookie
    other.post(f"/meetings/{m.pk}/signin/", REMOTE_ADDR="198.51.100.4")
    assert Attendance.objects.get(meeting=m, member=world.members_a[1]).signin_device == row.signin_device


@pytest.mark.django_db
def test_a_quarter_entered_in_one_sitting(world):
    evening = aware(date(YEAR, 4, 2), 19, 10)
    ms = [
        make_meeting(
            world.branch_a,
            world.members_a,
            date(YEAR, mo, 12),
            [Kind.THEME_DAY],
            created=evening + timedelta(minutes=25 * i),
        )
        for i, mo in enumerate((1, 2, 3))
    ]
    # Branch B enters each month's meeting that month: honest.
    for mo in (1, 2, 3):
        make_meeting(
            world.branch_b, world.members_b, date(YEAR, mo, 12), [Kind.THEME_DAY], created=aware(date(YEAR, mo, 13), 20)
        )
    found = kinds_found(world.township, detectors.late_entry_patterns, SignalKind.QUARTER_SITTING)
    assert len(found) == 1
    assert {r["id"] for r in found[0].records} == {m.pk for m in ms}
    assert "第1季度的3次会议" in found[0].title


MINUTES_A = (
    "7月1日上午，东街社区党支部在党群服务中心开展七月主题党日活动。学习中，党员张三结合自己二十年种樱桃的经历，"
    "谈到合作社成立以前樱桃只能挑到镇上零卖，现在冷链车开到了地头。志愿服务环节，十二名党员分成三组，"
    "把通往三组的一公里生产路上的碎石清理干净，又帮两户缺劳力的人家摘了樱桃。支部书记李四要求党员在樱桃"
    "采摘季结束前轮流到收购点维持秩序，防止压级压价。会后，老党员王五提出路灯不亮的问题，支部当场记下。"
)
# Copied a week later by the other branch: sentences reordered, names, figures and places changed.
MINUTES_B = (
    "7月8日上午，西街社区党支部在党群服务中心开展七月主题党日活动。志愿服务环节，十名党员分成两组，"
    "把通往二组的两公里生产路上的碎石清理干净，又帮三户缺劳力的人家摘了樱桃。学习中，党员周八结合自己十五年"
    "种樱桃的经历，谈到合作社成立以前樱桃只能挑到镇上零卖，现在冷链车开到了地头。会后，老党员吴九提出路灯"
    "不亮的问题，支部当场记下。支部书记郑十要求党员在樱桃采摘季结束前轮流到收购点维持秩序，防止压级压价。"
)


@pytest.mark.django_db
def test_reordered_renamed_copy_across_branches_is_flagged_and_shown_side_by_side(world, client_for):
    a = make_meeting(world.branch_a, world.members_a, date(YEAR, 7, 1), [Kind.THEME_DAY], minutes=MINUTES_A)
    b = make_meeting(world.branch_b, world.members_b, date(YEAR, 7, 8), [Kind.THEME_DAY], minutes=MINUTES_B)
    found = kinds_found(world.township, detectors.near_duplicate_text, SignalKind.NEAR_DUPLICATE_TEXT)
    assert len(found) == 1
    f = found[0]
    assert [r["id"] for r in f.records] == [a.pk, b.pk]  # the earlier record first
    assert f.details["containment"] >= 0.6
    assert "部分语句调换了顺序" in f.explanation and "人名、数字、日期或地名有改动" in f.explanation
    services.run_scan(root=world.township, year=YEAR)
    signal = Signal.objects.get(kind=SignalKind.NEAR_DUPLICATE_TEXT)
    pair = selectors.text_pair(signal)
    marked_b = "".join(seg for seg, shared in pair[1]["runs"] if shared)
    # The moved sentence is highlighted although it comes first in B and second in A.
    assert "碎石清理干净，又帮" in marked_b and "冷链车开到了地头" in marked_b
    page = client_for("inspector").get(f"/integrity/{signal.pk}/").content.decode()
    assert f"/meetings/{a.pk}/" in page and f"/meetings/{b.pk}/" in page and "<mark>" in page


REFLECTION_TEMPLATE = "红色基因是中国共产党人的精神血脉。从南湖红船到井冈山，从长征路上到延安窑洞，一代代共产党人用鲜血和生命铸就了伟大的建党精神。新时代传承红色基因，就是要坚定理想信念，把对党忠诚落实到具体行动中；就是要践行初心使命，始终把人民群众放在心上；就是要发扬斗争精神，在急难险重任务面前冲锋在前。"


@pytest.mark.django_db
def test_published_material_pasted_as_minutes(world, client_for):
    PublishedText.objects.create(org=world.district, title="党课讲稿：传承红色基因", text=REFLECTION_TEMPLATE)
    pasted = make_meeting(
        world.branch_a,
        world.members_a,
        date(YEAR, 9, 1),
        [Kind.PARTY_LECTURE],
        minutes="支部书记讲党课。党课指出，" + REFLECTION_TEMPLATE + "党员们进行了讨论。",
    )
    own = make_meeting(
        world.branch_b,
        world.members_b,
        date(YEAR, 9, 2),
        [Kind.PARTY_LECTURE],
        minutes="支部书记讲党课，讲到红色基因是中国共产党人的精神血脉。党员周八说起爷爷当年给红军带路的事，"
        "党员吴九提出把村史馆的老照片重新整理，大家商定十月份请老党员来讲一次村里的革命故事。",
    )
    found = kinds_found(world.township, detectors.near_duplicate_text, SignalKind.COPIED_PUBLISHED)
    assert [f.records[1]["id"] for f in found] == [pasted.pk]
    assert "党课讲稿：传承红色基因" in found[0].title and "整段照抄" in found[0].explanation
    assert own.pk not in {r["id"] for f in found for r in f.records}
    services.run_scan(root=world.township, year=YEAR)
    signal = Signal.objects.get(kind=SignalKind.COPIED_PUBLISHED)
    pair = selectors.text_pair(signal)
    assert pair[0]["record"]["type"] == "published" and any(shared for _s, shared in pair[0]["runs"])
    assert client_for("inspector").get(f"/integrity/{signal.pk}/").status_code == 200


@pytest.mark.django_db
def test_published_material_is_entered_with_a_command(world, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    f = tmp_path / "讲稿.txt"
    f.write_text(REFLECTION_TEMPLATE, encoding="utf-8")
    out = StringIO()
    call_command(
        "integrity_published", "--org", str(world.township.pk), "--title", "党课讲稿", "--file", str(f), stdout=out
    )
    assert "已录入：党课讲稿" in out.getvalue()
    assert PublishedText.objects.get().org == world.township
    with pytest.raises(CommandError, match="没有编号为"):
        call_command("integrity_published", "--org", "999999", "--title", "x", "--file", str(f))
    with pytest.raises(CommandError, match="读不了正文文件"):
        call_command(
            "integrity_published", "--org", str(world.township.pk), "--title", "x", "--file", str(tmp_path / "无")
        )
    assert PublishedText.objects.count() == 1


@pytest.mark.django_db
def test_material_of_the_study_library_pasted_as_a_reflection_is_a_copy(world, client_for):
    """A 心得 that is mostly the text of a 学习资料 the township published is flagged, and the
    signal links to the material (issue 21 item 1 with the study issue's library)."""
    from decimal import Decimal

    from dangjian.study import plan_services
    from dangjian.study import services as study_services
    from dangjian.study.models import StudyRecord

    m = plan_services.publish_material(
        org=world.township,
        data=plan_services.MaterialInput(
            title="党课讲稿：传承红色基因", kind="讲话", published_on=date(YEAR, 1, 5), body=REFLECTION_TEMPLATE
        ),
        today=date(YEAR, 12, 31),
    )
    act = study_services.add_activity(
        org=world.branch_a,
        kind="集中学习",
        on=date(YEAR, 3, 3),
        hours=Decimal("2"),
        topic="传承红色基因",
        member_ids=[world.members_a[0].pk, world.members_a[1].pk],
        today=date(YEAR, 12, 31),
    )
    copied, honest = StudyRecord.objects.filter(activity=act).order_by("member_id")
    study_services.set_reflection(record=copied, text="学习体会：" + REFLECTION_TEMPLATE)
    study_services.set_reflection(
        record=honest,
        text="这次学习让我想起父亲当年在村里修水渠的事。今后我要带头把巷道的路灯修好，每周去看望独居的王大爷。",
    )
    found = kinds_found(world.township, detectors.near_duplicate_text, SignalKind.COPIED_PUBLISHED)
    assert [f.records[1]["id"] for f in found] == [copied.pk]
    assert found[0].records[0] == {"type": "material", "id": m.pk, "label": "学习资料《党课讲稿：传承红色基因》"}
    services.run_scan(root=world.township, year=YEAR)
    signal = Signal.objects.get(kind=SignalKind.COPIED_PUBLISHED)
    html = client_for("inspector").get(f"/integrity/{signal.pk}/").content.decode()
    assert f"/study/materials/{m.pk}/" in html

"""Detectors on hand-built records, the review queue, and the scan command."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.integrity import detectors, services
from dangjian.integrity.models import Signal, SignalKind
from dangjian.meetings.models import Attachment, Attendance, Kind, Meeting, MeetingKindLink

YEAR = 2023
MINUTES = (
    "会议传达了镇党委关于冬季防火的部署，{who}汇报了辖区{n}户独居老人的走访情况，"
    "大家讨论后决定由网格员每周入户检查一次电线和炉具，并在月底前把灭火器配到每个居民小组。"
)


def make_meeting(
    branch,
    members,
    d,
    kinds,
    *,
    start=time(9),
    end=time(11),
    place="党群服务中心",
    minutes=None,
    absent=(),
    excused=(),
    created=None,
):
    m = Meeting.objects.create(
        org=branch,
        branch=branch,
        date=d,
        start_time=start,
        end_time=end,
        place=place,
        topic=f"{d:%m月}会议",
        minutes=minutes if minutes is not None else MINUTES.format(who=members[0].name, n=d.month + d.day),
    )
    if created:
        Meeting.objects.filter(pk=m.pk).update(created_at=created)
    for k in kinds:
        MeetingKindLink.objects.create(meeting=m, kind=k, branch=branch, date=d)
    Attendance.objects.bulk_create(
        Attendance(
            meeting=m,
            member=mem,
            status="absent" if mem in absent else "excused" if mem in excused else "present",
            reason="外出" if mem in excused else "",
        )
        for mem in members
    )
    return m


def kinds_found(root, detector, kind):
    return [f for f in detector(root, YEAR) if f.kind == kind]


@pytest.mark.django_db
def test_member_at_two_overlapping_meetings_in_different_places(world):
    a, b = world.members_a, world.members_b
    m1 = make_meeting(world.branch_a, a, date(YEAR, 5, 8), [Kind.PARTY_LECTURE], place="东街会议室")
    m2 = make_meeting(
        world.branch_b, b, date(YEAR, 5, 8), [Kind.PARTY_LECTURE], start=time(10), end=time(12), place="西街文化站"
    )
    Attendance.objects.create(meeting=m2, member=a[2], status="present")
    found = kinds_found(world.township, detectors.overlapping_presence, SignalKind.OVERLAPPING_PRESENCE)
    assert len(found) == 1
    assert {r["id"] for r in found[0].records if r["type"] == "meeting"} == {m1.pk, m2.pk}
    assert a[2].name in found[0].title
    # Same place, or times that do not overlap, is not a signal.
    Meeting.objects.filter(pk=m2.pk).update(start_time=time(11), end_time=time(12))
    assert kinds_found(world.township, detectors.overlapping_presence, SignalKind.OVERLAPPING_PRESENCE) == []


@pytest.mark.django_db
def test_committee_meeting_without_quorum(world):
    committee = world.members_a[:3]
    make_meeting(world.branch_a, committee, date(YEAR, 3, 2), [Kind.COMMITTEE_MEETING], absent=committee[1:])
    make_meeting(world.branch_a, committee, date(YEAR, 4, 2), [Kind.COMMITTEE_MEETING], absent=committee[2:])
    found = kinds_found(world.township, detectors.committee_quorum, SignalKind.COMMITTEE_NO_QUORUM)
    assert len(found) == 1  # 1 of 3 present fails; 2 of 3 is more than half
    assert "1/3" in found[0].title
    assert "第十二条" in found[0].explanation


@pytest.mark.django_db
def test_short_minutes_use_the_setting(world, settings):
    make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 1), [Kind.THEME_DAY], minutes="学习。")
    make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 20), [Kind.THEME_DAY])
    found = kinds_found(world.township, detectors.short_minutes, SignalKind.SHORT_MINUTES)
    assert len(found) == 1 and "2字" in found[0].title
    settings.DANGJIAN = {**settings.DANGJIAN, "MINUTES_MIN_CHARS": 1}
    assert kinds_found(world.township, detectors.short_minutes, SignalKind.SHORT_MINUTES) == []


@pytest.mark.django_db
def test_late_batch_and_year_end_entry(world):
    stamp = timezone.make_aware(datetime(YEAR, 9, 1, 20))
    for i in range(5):
        make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 1 + i), [Kind.PARTY_LECTURE], created=stamp)
    found = kinds_found(world.township, detectors.late_entry_patterns, SignalKind.LATE_BATCH)
    assert len(found) == 1 and "5次" in found[0].title
    december = timezone.make_aware(datetime(YEAR, 12, 28, 9))
    for month in range(1, 10):
        make_meeting(world.branch_b, world.members_b, date(YEAR, month, 15), [Kind.THEME_DAY], created=december)
    found = detectors.late_entry_patterns(world.township, YEAR)
    kinds = sorted(f.kind for f in found if f.org_id == world.branch_b.pk)
    assert kinds == [SignalKind.YEAR_END_BATCH]  # reported once, not also as a late batch


@pytest.mark.django_db
def test_same_photo_exact_and_resaved(world):
    m1 = make_meeting(world.branch_a, world.members_a, date(YEAR, 2, 1), [Kind.THEME_DAY])
    m2 = make_meeting(world.branch_b, world.members_b, date(YEAR, 7, 1), [Kind.THEME_DAY])
    m3 = make_meeting(world.branch_b, world.members_b, date(YEAR, 8, 1), [Kind.THEME_DAY])
    common = dict(path="x", name="照片.jpg", content_type="image/jpeg", size=10)
    Attachment.objects.create(meeting=m1, sha256="a" * 64, phash="ffd8a0c0e0f01234", **common)
    Attachment.objects.create(meeting=m2, sha256="a" * 64, phash="ffd8a0c0e0f01234", **common)
    Attachment.objects.create(meeting=m3, sha256="b" * 64, phash="ffd8a0c0e0f01237", **common)  # 2 bits differ
    found = kinds_found(world.township, detectors.same_photo, SignalKind.SAME_PHOTO)
    pairs = sorted(tuple(sorted(r["id"] for r in f.records if r["type"] == "meeting")) for f in found)
    assert pairs == sorted([(m1.pk, m2.pk), (m1.pk, m3.pk), (m2.pk, m3.pk)])


@pytest.mark.django_db
def test_identical_lists_flagged_only_when_implausible(world):
    from dangjian.testsupport.world import make_member

    members = world.members_a + [make_member(world.branch_a) for _ in range(7)]
    # Honest variety: different people away each time.
    for month in range(1, 9):
        make_meeting(
            world.branch_a,
            members,
            date(YEAR, month, 5),
            [Kind.THEME_DAY],
            excused=[members[month % 12]],
            absent=[members[(month + 5) % 12]],
        )
    # The same list copied three times.
    fixed = dict(excused=[members[1], members[2]], absent=[members[3]])
    copies = [
        make_meeting(world.branch_a, members, date(YEAR, m, 25), [Kind.PARTY_LECTURE], **fixed) for m in (9, 10, 11)
    ]
    found = kinds_found(world.township, detectors.identical_attendance, SignalKind.IDENTICAL_ATTENDANCE)
    assert len(found) == 1
    assert {r["id"] for r in found[0].records} == {m.pk for m in copies}


@pytest.mark.django_db
def test_chronic_absentee_and_full_attendance_repeat_honestly(world):
    members = world.members_a
    for month in range(1, 12):
        make_meeting(world.branch_a, members, date(YEAR, month, 5), [Kind.THEME_DAY], absent=[members[4]])
    assert kinds_found(world.township, detectors.identical_attendance, SignalKind.IDENTICAL_ATTENDANCE) == []


@pytest.mark.django_db(transaction=True)  # committed writes move the data version (core.cache)
def test_review_keeps_decision_until_records_change(world):
    committee = world.members_a[:3]
    m = make_meeting(world.branch_a, committee, date(YEAR, 3, 2), [Kind.COMMITTEE_MEETING], absent=committee[1:])
    services.run_scan(root=world.township, year=YEAR)
    signal = Signal.objects.get(kind=SignalKind.COMMITTEE_NO_QUORUM)
    inspector = world.user("inspector")
    with pytest.raises(services.ReviewError, match="须写明理由"):
        services.mark_normal(user=inspector, signal=signal, reason=" ")
    with pytest.raises(services.ReviewError, match="督查人员"):
        services.mark_normal(user=world.user("secretary_a"), signal=signal, reason="看过了")
    services.mark_normal(user=inspector, signal=signal, reason="会议改期，书面征求了缺席委员意见")
    # "has data changed" is the cache's data version: the review itself was a write, so the
    # next scan runs once; after it nothing has changed and the incremental scan skips
    assert not services.run_scan(root=world.township, year=YEAR).skipped
    run = services.run_scan(root=world.township, year=YEAR)
    assert run.skipped
    services.run_scan(root=world.township, year=YEAR, force=True)
    signal.refresh_from_db()
    assert signal.status == Signal.Status.NORMAL
    # The record changes: the signal returns to the queue.
    Meeting.objects.filter(pk=m.pk).update(updated_at=timezone.now() + timedelta(seconds=5))
    services.run_scan(root=world.township, year=YEAR)
    signal.refresh_from_db()
    assert signal.status == Signal.Status.OPEN
    assert "重新待核查" in signal.review_reason


@pytest.mark.django_db
def test_scan_command_json(world):
    make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 1), [Kind.THEME_DAY], minutes="学习。")
    from io import StringIO

    out = StringIO()
    call_command("integrity_scan", "--year", str(YEAR), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data[0]["org"] == world.township.name
    assert data[0]["open_by_kind"] == {SignalKind.SHORT_MINUTES.label: 1}


@pytest.mark.django_db
def test_queue_is_for_township_roles_only(world, client_for):
    make_meeting(world.branch_a, world.members_a, date(YEAR, 6, 1), [Kind.THEME_DAY], minutes="学习。")
    services.run_scan(root=world.township, year=YEAR)
    signal = Signal.objects.get()
    assert client_for("inspector").get("/integrity/").status_code == 200
    assert client_for("secretary_a").get("/integrity/").status_code == 403
    assert client_for("secretary_a").get(f"/integrity/{signal.pk}/").status_code == 403
    page = client_for("inspector").get(f"/integrity/{signal.pk}/")
    assert "会议记录过于简短" in page.content.decode()
    resp = client_for("inspector").post(f"/integrity/{signal.pk}/", {"action": "normal", "reason": ""})
    assert "须写明理由" in resp.content.decode()
    signal.refresh_from_db()
    assert signal.status == Signal.Status.OPEN


@pytest.mark.django_db
def test_labelled_record_cases_score_at_least_point_nine():
    from dangjian.integrity.evaluation_db import evaluate_detectors

    results = evaluate_detectors(seed=3, branches=12, members=15)
    assert len(results) == 12
    for name, r in results.items():
        assert r["precision"] >= 0.9 and r["recall"] >= 0.9, (name, r)

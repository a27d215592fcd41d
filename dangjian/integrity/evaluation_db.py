"""Labelled cases for the record-based signals (attendance, times, entry dates, photos,
quorum, minutes length): a small synthetic township with honest records and planted cases,
built inside a transaction that is rolled back, scanned, and scored per signal."""

from __future__ import annotations

import hashlib
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from dangjian.integrity import detectors
from dangjian.integrity.models import SignalKind

YEAR = 2023
PLACES = ["党群服务中心会议室", "社区活动室", "村委会二楼", "文化广场", "新时代文明实践站"]


class _Rollback(Exception):
    pass


def evaluate_detectors(*, seed: int = 7, branches: int = 12, members: int = 15) -> dict:
    results: dict = {}
    try:
        with transaction.atomic():
            root, planted = _build(random.Random(seed), branches, members)
            for name, detector, kind in (
                ("出席名单完全相同", detectors.identical_attendance, SignalKind.IDENTICAL_ATTENDANCE),
                ("同一党员同时出现在两地", detectors.overlapping_presence, SignalKind.OVERLAPPING_PRESENCE),
                ("集中补录", detectors.late_entry_patterns, SignalKind.LATE_BATCH),
                ("年底集中录入", detectors.late_entry_patterns, SignalKind.YEAR_END_BATCH),
                ("流动党员长期全员出席", detectors.mobile_full_attendance, SignalKind.MOBILE_FULL_ATTENDANCE),
                ("不同会议使用同一照片", detectors.same_photo, SignalKind.SAME_PHOTO),
                ("支委会到会不足半数", detectors.committee_quorum, SignalKind.COMMITTEE_NO_QUORUM),
                ("会议记录过于简短", detectors.short_minutes, SignalKind.SHORT_MINUTES),
                ("记录日期晚于录入日期", detectors.dated_after_entry, SignalKind.DATED_AFTER_ENTRY),
                ("不应参会的人签到", detectors.unexpected_signin, SignalKind.UNEXPECTED_SIGNIN),
                ("同一设备批量签到", detectors.signin_burst, SignalKind.SIGNIN_BURST),
                ("一个季度一次录入", detectors.late_entry_patterns, SignalKind.QUARTER_SITTING),
            ):
                found = [f for f in detector(root, YEAR) if f.kind == kind]
                results[name] = _score(found, planted[kind])
            raise _Rollback
    except _Rollback:
        pass
    return results


def _score(found, cases: list[set[str]]) -> dict:
    def refs(f):
        return {f"{r['type']}:{r['id']}" for r in f.records}

    tp = sum(1 for f in found if any(refs(f) & case for case in cases))
    hit = sum(1 for case in cases if any(refs(f) & case for f in found))
    return {
        "planted": len(cases),
        "found": len(found),
        "precision": round(tp / len(found), 3) if found else 1.0,
        "recall": round(hit / len(cases), 3) if cases else 1.0,
    }


def _build(rng: random.Random, n_branches: int, n_members: int):
    from dangjian.meetings.models import Attachment, Attendance, Kind, Meeting, MeetingKindLink
    from dangjian.orgs.models import Organization, OrgCategory, OrgType, Post
    from dangjian.rules.structure import COMMITTEE_POSTS
    from dangjian.testsupport.world import make_member

    root = Organization.objects.add_root(dict(name="评估用区委", org_type=OrgType.HIGHER, category=OrgCategory.ORGAN))
    town = Organization.objects.add_child(
        root, dict(name="评估用镇党委", org_type=OrgType.COMMITTEE, category=OrgCategory.ORGAN)
    )
    planted: dict[str, list[set[str]]] = {k: [] for k in SignalKind.values}
    branches = []
    staff = {}
    for b in range(n_branches):
        br = Organization.objects.add_child(
            town, dict(name=f"评估第{b}党支部", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY)
        )
        ms = [
            make_member(
                br, name=f"评{b}员{i}", birth=date(1960 + i, 1 + i % 12, 1 + b % 27), is_mobile=i >= n_members - 3
            )
            for i in range(n_members)
        ]
        branches.append(br)
        staff[br.pk] = ms
        # The first five members are the 支委 (the quorum detector counts committee posts).
        for mem, kind in zip(ms[:5], COMMITTEE_POSTS[:5], strict=False):
            Post.objects.create(org=br, member=mem, kind=kind, started_on=date(YEAR - 3, 1, 1))
    photo_no = 0

    def meeting(br, d, kinds, *, start=time(9), end=time(11), place=None, minutes=None, created=None, status_of=None):
        nonlocal photo_no
        m = Meeting.objects.create(
            org=br,
            branch=br,
            date=d,
            start_time=start,
            end_time=end,
            place=place or PLACES[br.pk % len(PLACES)],
            topic=f"{br.name}{d:%m月}{kinds[0]}",
            minutes=minutes
            if minutes is not None
            else f"{br.name}于{d:%Y年%m月%d日}召开会议，研究{rng.choice(['防汛', '环境整治', '党费收缴', '樱桃销售'])}"
            f"工作，{rng.randint(2, 9)}名党员发言，提出{rng.randint(1, 5)}条具体建议并明确了责任人和完成时限，"
            f"会议决定由{staff[br.pk][rng.randrange(n_members)].name}牵头落实。",
        )
        stamp = created or timezone.make_aware(datetime.combine(d + timedelta(days=rng.randint(0, 3)), time(18)))
        Meeting.objects.filter(pk=m.pk).update(created_at=stamp)
        for k in kinds:
            MeetingKindLink.objects.create(meeting=m, kind=k, branch=br, date=d)
        pool = staff[br.pk][:5] if Kind.COMMITTEE_MEETING in kinds else staff[br.pk]
        rows = []
        for mem in pool:
            status = status_of(mem) if status_of else None
            if status is None:
                r = rng.random()
                # Honest: the away members mostly take part where they work or ask for leave.
                if mem.is_mobile:
                    status = "present_elsewhere" if r < 0.5 else ("excused" if r < 0.9 else "present")
                else:
                    status = "present" if r < 0.85 else ("excused" if r < 0.95 else "absent")
            rows.append(
                Attendance(
                    meeting=m,
                    member=mem,
                    status="present" if status == "present_elsewhere" else status,
                    attended_elsewhere=status == "present_elsewhere",
                    reason="外出" if status == "excused" else "",
                )
            )
        if Kind.COMMITTEE_MEETING in kinds and status_of is None:
            # Honest committee meetings are quorate (more than half of the committee present).
            for row in rows[: len(rows) // 2 + 1]:
                row.status, row.attended_elsewhere, row.reason = "present", False, ""
        # Honest QR sign-ins: each on their own phone, over the half hour around the start, on
        # the meeting room's shared network.
        start_at = timezone.make_aware(datetime.combine(d, start)) - timedelta(minutes=20)
        for row in rows:
            if row.status == "present" and not row.attended_elsewhere and rng.random() < 0.6:
                row.signed_in_at = start_at + timedelta(seconds=rng.randint(0, 35 * 60))
                row.signin_device = f"phone-{row.member.pk}"
                row.signin_address = f"10.0.{br.pk % 250}.1"
        Attendance.objects.bulk_create(rows)
        return m

    def photo(m, data: bytes, phash: str):
        Attachment.objects.create(
            meeting=m,
            path="eval/none",
            name="照片.jpg",
            content_type="image/jpeg",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            phash=phash,
        )

    for bi, br in enumerate(branches):
        for month in range(1, 13):
            d = date(YEAR, month, 10 + bi % 10)
            m1 = meeting(br, d, [Kind.THEME_DAY, Kind.MEMBER_MEETING])
            m2 = meeting(br, d + timedelta(days=3), [Kind.COMMITTEE_MEETING], start=time(15), end=time(16))
            seedbytes = f"{br.pk}-{month}".encode()
            photo(m1, seedbytes, f"{rng.getrandbits(64):016x}")
            del m2
    # --- planted cases -----------------------------------------------------------------------
    # identical lists: the same two away, one absent, three times
    for br in branches[:3]:
        fixed = {staff[br.pk][5].pk: "excused", staff[br.pk][6].pk: "excused", staff[br.pk][7].pk: "absent"}
        ms = [
            meeting(
                br, date(YEAR, mo, 25), [Kind.PARTY_LECTURE], status_of=lambda mem, f=fixed: f.get(mem.pk, "present")
            )
            for mo in (3, 6, 9)
        ]
        planted[SignalKind.IDENTICAL_ATTENDANCE].append({f"meeting:{m.pk}" for m in ms})
    # one member at two places at once
    for br, other in zip(branches[3:6], branches[6:9]):
        mem = staff[br.pk][8]
        d = date(YEAR, 5, 27)
        a = meeting(br, d, [Kind.PARTY_LECTURE], start=time(9), end=time(11), place="甲地会议室")
        b = meeting(other, d, [Kind.PARTY_LECTURE], start=time(10), end=time(12), place="乙地文化站")
        Attendance.objects.filter(meeting=a, member=mem).update(status="present", attended_elsewhere=False)
        Attendance.objects.create(meeting=b, member=mem, status="present")
        planted[SignalKind.OVERLAPPING_PRESENCE].append({f"meeting:{a.pk}", f"meeting:{b.pk}"})
    # late batch: six meetings typed in one day, two months later
    for br in branches[9:11]:
        stamp = timezone.make_aware(datetime(YEAR, 9, 18, 20))
        ms = [meeting(br, date(YEAR, 6, 1 + 3 * i), [Kind.PARTY_LECTURE], created=stamp) for i in range(6)]
        planted[SignalKind.LATE_BATCH].append({f"meeting:{m.pk}" for m in ms})
    # a whole year typed in December
    br = branches[11]
    Meeting.objects.filter(branch=br, date__lt=date(YEAR, 11, 1)).update(
        created_at=timezone.make_aware(datetime(YEAR, 12, 20, 9))
    )
    planted[SignalKind.YEAR_END_BATCH].append(
        {f"meeting:{i}" for i in Meeting.objects.filter(branch=br).values_list("id", flat=True)}
    )
    # the same photo twice, and a re-saved copy (a few bits of the perceptual hash differ)
    for i in range(3):
        ma = meeting(branches[i], date(YEAR, 4, 3), [Kind.THEME_DAY])
        mb = meeting(branches[i + 4], date(YEAR, 8, 3), [Kind.THEME_DAY])
        base = rng.getrandbits(64)
        data = f"photo-{i}".encode()
        photo(ma, data, f"{base:016x}")
        if i == 2:
            photo(mb, data + b"resaved", f"{base ^ 0b1010001:016x}")
        else:
            photo(mb, data, f"{base:016x}")
        planted[SignalKind.SAME_PHOTO].append({f"meeting:{ma.pk}", f"meeting:{mb.pk}"})
    # 支委会 with most of the committee away
    for br in branches[4:7]:
        m = meeting(
            br,
            date(YEAR, 10, 8),
            [Kind.COMMITTEE_MEETING],
            start=time(15),
            end=time(16),
            status_of=lambda mem: "absent" if mem.name.endswith(("员0", "员1", "员2")) else "present",
        )
        planted[SignalKind.COMMITTEE_NO_QUORUM].append({f"meeting:{m.pk}"})
    # minutes that record nothing
    for br in branches[7:10]:
        m = meeting(br, date(YEAR, 11, 20), [Kind.THEME_DAY], minutes="学习。")
        planted[SignalKind.SHORT_MINUTES].append({f"meeting:{m.pk}"})
    # a meeting entered ten days before it was held
    for br in branches[2:4]:
        d = date(YEAR, 7, 27)
        m = meeting(br, d, [Kind.PARTY_LECTURE], created=timezone.make_aware(datetime(YEAR, 7, 17, 10)))
        planted[SignalKind.DATED_AFTER_ENTRY].append({f"meeting:{m.pk}"})
    # a non-committee member signing into a 支委会; a member signing in before joining the Party
    for br in branches[5:7]:
        d = date(YEAR, 3, 22)
        m = meeting(br, d, [Kind.COMMITTEE_MEETING], start=time(15), end=time(16))
        outsider = staff[br.pk][8]
        Attendance.objects.create(
            meeting=m, member=outsider, status="present", signed_in_at=timezone.make_aware(datetime(YEAR, 3, 22, 15))
        )
        planted[SignalKind.UNEXPECTED_SIGNIN].append({f"meeting:{m.pk}"})
    newcomer = make_member(branches[7], name="评新党员", birth=date(1995, 2, 2), joined_on=date(YEAR, 9, 1))
    m = meeting(branches[7], date(YEAR, 6, 26), [Kind.PARTY_LECTURE])
    Attendance.objects.create(
        meeting=m, member=newcomer, status="present", signed_in_at=timezone.make_aware(datetime(YEAR, 6, 26, 9))
    )
    planted[SignalKind.UNEXPECTED_SIGNIN].append({f"meeting:{m.pk}"})
    # one phone signs in ten members within a dozen seconds
    for br in branches[8:10]:
        d = date(YEAR, 10, 28)
        m = meeting(br, d, [Kind.PARTY_LECTURE], status_of=lambda mem: "present")
        t0 = timezone.make_aware(datetime(YEAR, 10, 28, 8, 57))
        rows = list(Attendance.objects.filter(meeting=m).order_by("id")[:10])
        for i, row in enumerate(rows):
            row.signed_in_at, row.signin_device, row.signin_address = t0 + timedelta(seconds=i), "one-phone", None
        Attendance.objects.bulk_update(rows, ["signed_in_at", "signin_device", "signin_address"])
        planted[SignalKind.SIGNIN_BURST].append({f"meeting:{m.pk}"})
    # a whole third quarter typed in one evening at the start of October
    for br in branches[2:4]:
        evening = timezone.make_aware(datetime(YEAR, 10, 2, 19, 30))
        ids = list(
            Meeting.objects.filter(
                branch=br, date__month__in=(7, 8, 9), kind_links__kind__in=[Kind.THEME_DAY, Kind.COMMITTEE_MEETING]
            )
            .exclude(kind_links__kind=Kind.PARTY_LECTURE)
            .distinct()
            .order_by("date")
            .values_list("id", flat=True)
        )
        for i, mid in enumerate(ids):
            Meeting.objects.filter(pk=mid).update(created_at=evening + timedelta(minutes=12 * i))
        planted[SignalKind.QUARTER_SITTING].append({f"meeting:{i}" for i in ids})
    # away members always "present here" in two branches
    for br in branches[1:3]:
        Attendance.objects.filter(meeting__branch=br, member__is_mobile=True).update(
            status="present", attended_elsewhere=False
        )
        planted[SignalKind.MOBILE_FULL_ATTENDANCE].append({f"member:{m.pk}" for m in staff[br.pk] if m.is_mobile})
    return town, planted

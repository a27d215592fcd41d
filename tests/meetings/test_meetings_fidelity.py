"""Issue 20: what feeds the Art. 9 alerts and the compliance figures (database)."""

from datetime import date, time

import pytest

from dangjian.meetings import selectors, services
from dangjian.meetings.models import Attendance, Kind, KindRequirement, Talk
from dangjian.members.models import MemberKind, Standing
from dangjian.orgs.models import Organization, OrgCategory, OrgType, Post
from dangjian.testsupport.world import make_member

pytestmark = pytest.mark.django_db
S = Attendance.Status


def _data(org, kinds, day, rows):
    return services.MeetingInput(
        org=org,
        kinds=list(kinds),
        date=day,
        start_time=time(9),
        end_time=time(10),
        place="活动室",
        topic="测试",
        attendance=rows,
    )


def test_a_list_missing_a_member_records_them_absent_and_art9_counts_it(world):
    b = world.branch_b
    left_out = world.members_b[3]
    named = [m for m in world.members_b if m != left_out]
    for mo in range(1, 7):  # six months in which the member was left off every list
        day = date(2024, mo, 10)
        rows = [services.AttendanceInput(m.id) for m in named]
        _m, warnings = services.record_meeting(
            user=world.user("secretary_b"), data=_data(b, [Kind.THEME_DAY], day, rows), today=day
        )
        assert any(left_out.name in w and "缺席" in w for w in warnings)
        assert Attendance.objects.get(meeting=_m, member=left_out).status == S.ABSENT
    alerts = {a["member_id"]: a for a in selectors.art9_members(b, today=date(2024, 6, 30))}
    assert alerts[left_out.id]["gap_months"] == 6 and alerts[left_out.id]["status"].is_over
    after5 = {a["member_id"]: a for a in selectors.art9_members(b, today=date(2024, 5, 31))}
    assert after5[left_out.id]["status"].is_warning  # five months: the warning, not yet the line


def test_member_meeting_quorum_counts_entitled_voters_not_rows(world):
    b = world.branch_b
    full = [m for m in world.members_b if m.kind == MemberKind.FULL]  # 4 正式党员
    suspended = full[3]
    suspended.standing = Standing.SUSPENDED
    suspended.save()
    day = date(2024, 3, 5)
    # two of the three voters present: over half of 3 (停止党籍 not a voter) — no warning
    rows = [services.AttendanceInput(full[0].id), services.AttendanceInput(full[1].id)]
    _m, warnings = services.record_meeting(
        user=world.user("secretary_b"), data=_data(b, [Kind.MEMBER_MEETING], day, rows), today=day
    )
    assert not any("半数" in w for w in warnings)
    assert not Attendance.objects.filter(meeting=_m, member=suspended).exists()  # not expected
    # exactly half of a branch with 4 voters: warning
    suspended.standing = Standing.NORMAL
    suspended.save()
    rows = [services.AttendanceInput(full[0].id), services.AttendanceInput(full[1].id)]
    _m, warnings = services.record_meeting(
        user=world.user("secretary_b"), data=_data(b, [Kind.MEMBER_MEETING], day, rows), today=day
    )
    assert any("未超过4人的半数" in w for w in warnings)
    assert not any("细则" in w for w in warnings)  # not a 接收 vote


def test_committee_meeting_not_owed_without_a_committee(world):
    small = Organization.objects.add_child(
        world.township, dict(name="小支部", org_type=OrgType.BRANCH, category=OrgCategory.VILLAGE)
    )
    ms = [make_member(small, name=f"小{i}") for i in range(6)]
    Post.objects.create(org=small, member=ms[0], kind=Post.Kind.SECRETARY, started_on=date(2020, 1, 1))
    rows = {r["kind_code"] for r in selectors.compliance_rows(small, 2023, today=date(2024, 1, 10))}
    assert "committee_meeting" not in rows  # 6 正式党员, only a 书记
    make_member(small, name="小6")  # the seventh 正式党员: a committee is required
    rows = {r["kind_code"] for r in selectors.compliance_rows(small, 2023, today=date(2024, 1, 10))}
    assert "committee_meeting" in rows


def test_group_meetings_counted_per_group(world, record):
    a = world.branch_a
    g2 = Organization.objects.add_child(
        a, dict(name="东街第二党小组", org_type=OrgType.GROUP, category=OrgCategory.COMMUNITY)
    )
    m = world.members_a[3]
    m.group = g2
    m.save()
    record(world.group_a, [Kind.GROUP_MEETING], date(2023, 1, 10))  # only group 1 meets in January
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(a, 2023, today=date(2023, 2, 15))}
    gm = rows["group_meeting"]
    assert (gm["required"], gm["held"]) == (1, 0)
    assert gm["missing"] == ["2023年1月（东街第二党小组未开）"]
    record(g2, [Kind.GROUP_MEETING], date(2023, 1, 20))
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(a, 2023, today=date(2023, 2, 15))}
    assert (rows["group_meeting"]["required"], rows["group_meeting"]["held"]) == (1, 1)


def test_talk_local_setting_is_honoured(world):
    b = world.branch_b
    KindRequirement.objects.create(org=world.township, kind="heart_talk", period="quarter", minimum=1)
    giver = world.members_b[0]
    for m in world.members_b[1:]:
        Talk.objects.create(branch=b, date=date(2023, 2, 1), from_member=giver, to_member=m)
    Talk.objects.create(branch=b, date=date(2023, 2, 2), from_member=world.members_b[1], to_member=giver)
    # the two 委员 talk with each other too (支委之间, Art. 19)
    Talk.objects.create(branch=b, date=date(2023, 3, 1), from_member=world.members_b[2], to_member=world.members_b[1])
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2023, 7, 10))}
    talk = rows["heart_talk"]
    assert talk["period"] == "每季度"
    assert (talk["required"], talk["held"]) == (2, 1)  # Q1 done, Q2 no talk at all
    assert talk["missing"] == ["2023年第2季度（5名党员未谈话，支委之间有3对未谈心谈话）"]


def test_founding_mid_quarter_default_and_setting(world, record, settings):
    b = world.branch_b
    b.founded_on = date(2023, 5, 15)
    b.save()
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2024, 1, 10))}
    assert rows["member_meeting"]["required"] == 2  # Q3, Q4: Q2 (founded mid-quarter) not owed by default
    settings.DANGJIAN = {**settings.DANGJIAN, "FOUNDED_MID_PERIOD_OWES": True}
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2024, 1, 10))}
    assert rows["member_meeting"]["required"] == 3


def test_integrity_committee_quorum_counts_committee_only(world):
    from dangjian.integrity.detectors import committee_quorum

    a = world.branch_a
    committee = set(services.committee_members(a, date(2024, 3, 1)))  # 3 支委
    day = date(2024, 3, 1)
    rows = []
    for m in world.members_a:
        present = m not in committee or m == world.members_a[0]  # one 支委 of three present
        rows.append(services.AttendanceInput(m.id, S.PRESENT if present else S.EXCUSED, "" if present else "外出"))
    meeting, warnings = services.record_meeting(
        user=world.user("secretary_a"),
        data=_data(a, [Kind.COMMITTEE_MEETING, Kind.MEMBER_MEETING], day, rows),
        today=day,
    )
    assert any("支委会到会委员1人" in w for w in warnings)
    found = [
        f
        for f in committee_quorum(world.township, 2024)
        if {"type": "meeting", "id": meeting.pk} in [{"type": r["type"], "id": r["id"]} for r in f.records]
    ]
    assert found and "1/3" in found[0].title


def test_talks_among_committee_members_are_checked(world):
    """Branch B's committee: 书记 members_b[0], 组织委员 [1], 宣传委员 [2]. The 书记 talks with every
    member, but the two 委员 never talk with each other: the year is not done (第十九条)."""
    b = world.branch_b
    sec, org_w, prop_w = world.members_b[:3]
    for m in world.members_b[1:]:
        Talk.objects.create(branch=b, date=date(2023, 4, 1), from_member=sec, to_member=m)
    Talk.objects.create(branch=b, date=date(2023, 4, 2), from_member=org_w, to_member=sec)
    row = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2024, 1, 5))}["heart_talk"]
    assert row["committee_pairs"] == 3
    assert (row["required"], row["held"]) == (1, 0)
    assert row["missing"] == ["2023年（支委之间有1对未谈心谈话）"]
    assert row["periods"][0]["committee_pairs_missing"] == 1
    # either of the two may start the talk; on 31 December it still counts for the year
    Talk.objects.create(branch=b, date=date(2023, 12, 31), from_member=prop_w, to_member=org_w)
    row = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2024, 1, 5))}["heart_talk"]
    assert (row["required"], row["held"]) == (1, 1) and row["missing"] == []


def test_a_former_committee_member_is_not_owed_talks(world):
    b = world.branch_b
    post = Post.objects.get(org=b, member=world.members_b[2])
    post.ended_on = date(2022, 12, 31)
    post.save()
    sec, org_w = world.members_b[:2]
    for m in world.members_b[1:]:
        Talk.objects.create(branch=b, date=date(2023, 5, 1), from_member=sec, to_member=m)
    Talk.objects.create(branch=b, date=date(2023, 5, 2), from_member=org_w, to_member=sec)
    row = {r["kind_code"]: r for r in selectors.compliance_rows(b, 2023, today=date(2024, 1, 5))}["heart_talk"]
    assert row["committee_pairs"] == 1 and (row["required"], row["held"]) == (1, 1)


def test_talks_page_names_committee_pairs_who_have_not_talked(world, client_for):
    b = world.branch_b
    sec, org_w, prop_w = world.members_b[:3]
    year = date.today().year
    Talk.objects.create(branch=b, date=date(year, 1, 2), from_member=sec, to_member=org_w)
    Talk.objects.create(branch=b, date=date(year, 1, 2), from_member=prop_w, to_member=sec)
    cov = selectors.talk_coverage(b, year)
    assert [(p["a"].pk, p["b"].pk) for p in cov["committee_pairs_missing"]] == [tuple(sorted((org_w.pk, prop_w.pk)))]
    page = client_for("secretary_b").get(f"/meetings/talks/?branch={b.pk}&year={year}").content.decode()
    assert "支委之间今年还没有谈心谈话的" in page
    names = sorted([org_w, prop_w], key=lambda m: m.pk)
    assert f"{names[0].name} 与 {names[1].name}" in page

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import figures
from dangjian.meetings import selectors
from dangjian.meetings.models import Kind, Talk

pytestmark = pytest.mark.django_db


def _pattern_b(world, record):
    b = world.branch_b
    for mo in range(1, 11):  # 支委会 Jan–Oct only
        record(b, [Kind.COMMITTEE_MEETING], date(2023, mo, 5))
    for mo in range(1, 13):  # 主题党日 every month; 党员大会 in Mar, Jun, Sep only
        kinds = [Kind.THEME_DAY] + ([Kind.MEMBER_MEETING] if mo in (3, 6, 9) else [])
        if mo in (2, 3, 8):
            kinds.append(Kind.PARTY_LECTURE)  # 党课 twice in Q1, once in Q3
        record(b, kinds, date(2023, mo, 20))
    record(b, [Kind.LIFE_MEETING, Kind.APPRAISAL], date(2023, 12, 26))
    giver = world.members_b[0]
    for m in world.members_b[1:4]:  # 3 of 5 members had a talk; 2 had none
        Talk.objects.create(branch=b, date=date(2023, 6, 1), from_member=giver, to_member=m)
    Talk.objects.create(branch=b, date=date(2023, 6, 2), from_member=world.members_b[1], to_member=giver)


def test_compliance_matches_the_rules_for_a_known_pattern(world, record):
    _pattern_b(world, record)
    s = selectors.compliance_summary(world.branch_b, 2023, today=date(2024, 1, 10))
    rows = {r["kind_code"]: r for r in s.branches}
    assert set(rows) == {
        "member_meeting",
        "committee_meeting",
        "party_lecture",
        "theme_day",
        "life_meeting",
        "appraisal",
        "heart_talk",
    }  # no 党小组会: branch B has no 党小组 (Art. 13)
    assert (rows["committee_meeting"]["required"], rows["committee_meeting"]["held"]) == (12, 10)
    assert rows["committee_meeting"]["missing"] == ["2023年11月", "2023年12月"]
    assert (rows["theme_day"]["required"], rows["theme_day"]["held"]) == (12, 12)
    assert (rows["member_meeting"]["required"], rows["member_meeting"]["held"]) == (4, 3)
    assert rows["member_meeting"]["missing"] == ["2023年第4季度"]
    assert (rows["party_lecture"]["required"], rows["party_lecture"]["held"], rows["party_lecture"]["meetings"]) == (
        4,
        2,
        3,
    )
    assert (rows["life_meeting"]["held"], rows["appraisal"]["held"]) == (1, 1)
    assert (rows["heart_talk"]["required"], rows["heart_talk"]["held"], rows["heart_talk"]["covered"]) == (1, 0, 4)
    assert s.rate == pytest.approx(29 / 35)
    assert s.party_lectures == 3
    assert s.meetings_by_kind["支委会"] == 10
    assert s.heatmap["rows"][0]["cells"] == [2] * 10 + [1, 2]  # Dec: 主题党日 + 组织生活会


def test_current_year_counts_only_ended_periods_and_those_already_met(world, record):
    _pattern_b(world, record)
    rows = {r["kind_code"]: r for r in selectors.compliance_rows(world.branch_b, 2023, today=date(2023, 5, 15))}
    assert (rows["committee_meeting"]["required"], rows["committee_meeting"]["held"]) == (5, 5)  # May already met
    assert (rows["member_meeting"]["required"], rows["member_meeting"]["held"]) == (1, 1)
    assert rows["member_meeting"]["current"]["deadline"] == date(2023, 6, 30)
    todo = selectors.todo(world.branch_b, today=date(2023, 5, 15))
    kinds = {i["kind_code"] for i in todo}
    assert "member_meeting" in kinds and "theme_day" in kinds and "committee_meeting" not in kinds


def test_township_heatmap_sorted_by_gaps_and_links_to_records(world, record, client_for):
    _pattern_b(world, record)
    s = selectors.compliance_summary(world.township, 2023, today=date(2024, 1, 10))
    assert [r["branch"] for r in s.heatmap["rows"]] == ["东街", "西街"]  # A held nothing: most gaps first
    assert {r["branch_id"] for r in s.branches} == {world.branch_a.id, world.branch_b.id}


def _add_branches(world, n, record):
    from dangjian.orgs.models import Organization, OrgCategory, OrgType
    from dangjian.testsupport.world import make_member

    for i in range(n):
        b = Organization.objects.add_child(
            world.township, dict(name=f"新增支部{i}", org_type=OrgType.BRANCH, category=OrgCategory.COMMUNITY)
        )
        g = Organization.objects.add_child(b, dict(name=f"新增支部{i}党小组", org_type=OrgType.GROUP))
        for _ in range(3):
            make_member(b, group=g)
        for mo in (1, 2, 3):
            record(b, [Kind.THEME_DAY, Kind.MEMBER_MEETING], date(2023, mo, 10))
            record(g, [Kind.GROUP_MEETING], date(2023, mo, 12))


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_compliance_query_count_is_fixed(world, record):
    _pattern_b(world, record)

    def run():
        # one request: the figures (core.figures) read the data version once
        with figures.scope():
            selectors.compliance_summary(world.township, 2023, today=date(2024, 1, 10))
            selectors.member_attendance(world.township, 2023, today=date(2024, 1, 10))
            selectors.todo(world.township, today=date(2023, 5, 10))

    small = _count(run)
    _add_branches(world, 6, record)
    assert _count(run) == small
    assert small <= 24  # _compute: +1 query for 党小组会 per group, +1 for committee posts (issue 20)


def test_member_attendance_counts_excused_and_elsewhere_apart(world, record):
    from dangjian.meetings.models import Attendance

    S = Attendance.Status
    a = world.members_a
    for mo in (1, 2, 3, 4):
        record(
            world.branch_a,
            [Kind.THEME_DAY],
            date(2023, mo, 10),
            {a[1].id: (S.EXCUSED, "外出务工"), a[2].id: (S.ABSENT, "")},
            elsewhere={a[3].id} if mo == 1 else set(),
        )
    stats = selectors.member_attendance(world.township, 2023, today=date(2023, 12, 31))
    assert stats[a[0].id].as_dict() == {
        "attended": 4,
        "excused": 0,
        "unexcused": 0,
        "expected": 4,
        "rate": 1.0,
        "longest_gap": 0,
    }
    assert stats[a[1].id].excused == 4 and stats[a[1].id].longest_gap == 0
    assert stats[a[2].id].unexcused == 4 and stats[a[2].id].longest_gap == 4 and stats[a[2].id].rate == 0
    assert stats[world.members_b[0].id].expected == 0 and stats[world.members_b[0].id].rate is None


def test_a_past_years_talk_coverage_counts_that_years_members(world):
    """谈心谈话 (Art. 19) is owed to the members of the year: someone who joined the branch
    after it does not enter that year's denominator; someone who left since still does."""
    from dangjian.testsupport.world import make_member

    make_member(world.branch_b, name="新来", joined_on=date(2024, 5, 1))
    make_member(world.branch_b, name="又来", joined_on=date(2024, 6, 1))
    gone = world.members_b[3]
    type(gone).objects.filter(pk=gone.pk).update(is_current=False, left_on=date(2024, 2, 1))

    def talk_row(year):
        rows = selectors.compliance_summary.uncached(world.township, year, today=date(2024, 11, 30)).branches
        return next(r for r in rows if r["branch_id"] == world.branch_b.pk and r["kind_code"] == "heart_talk")

    assert talk_row(2023)["members"] == 5  # the five of 2023, 钱一 included, not the newcomers
    assert talk_row(2024)["members"] == 6  # 钱一 gone, two arrived


def test_a_district_sized_page_lists_the_worst_rows_and_townships_first(world, record, client_for, monkeypatch):
    """At county scale (1,000 branches) the page lists the worst COMPLIANCE_PAGE_ROWS rows of each
    table and says how many more; the picker offers the townships (PICKER_MAX). Both limits
    are lowered here so the two-branch world stands in for a district."""
    from dangjian.meetings import views

    monkeypatch.setattr(views, "COMPLIANCE_PAGE_ROWS", 1)
    monkeypatch.setattr(views, "PICKER_MAX", 1)
    _pattern_b(world, record)
    record(world.branch_a, [Kind.THEME_DAY], date(2023, 5, 20))
    c = client_for("admin")
    r = c.get("/meetings/compliance/?year=2023")
    html = r.content.decode()
    heat = html.split('id="heatmap"')[1].split("</table>")[0]
    assert heat.count("<tr data-branch=") == 1
    assert "另有 1 个支部未列出（以上是缺口最多的 1 个）" in html
    assert [o.pk for o in r.context["branches"]] == [world.township.pk]  # townships, not 1,000 branches
    # choosing the township in the meeting list lists the meetings of its branches
    from dangjian.meetings.models import Meeting

    listed = c.get(f"/meetings/?branch={world.township.pk}&year=2023").context["page"].paginator.count
    assert listed == Meeting.objects.filter(date__year=2023).count() > 1
    only_a = c.get(f"/meetings/?branch={world.branch_a.pk}&year=2023").context["page"].paginator.count
    assert only_a == Meeting.objects.filter(date__year=2023, branch=world.branch_a).count() == 1
    # with the real limits a township shows every branch and no note
    monkeypatch.setattr(views, "COMPLIANCE_PAGE_ROWS", 100)
    monkeypatch.setattr(views, "PICKER_MAX", 150)
    html = c.get("/meetings/compliance/?year=2023").content.decode()
    assert "未列出" not in html
    assert html.split('id="heatmap"')[1].split("</table>")[0].count("<tr data-branch=") == 2


def test_a_talk_covers_a_member_of_the_branch_it_was_held_in_not_one_who_moved_away(world):
    """Art. 19 谈心谈话: branch B's coverage is of B's members on the judging day. A talk held
    in B with a member who has since moved to A covers nobody in B (it used to count as if it
    covered one of B's members, so B could look done while one of its members had no talk),
    and the county's figure is the townships' added up (selectors._composed_summary)."""
    giver, moved = world.members_b[0], world.members_b[1]
    for m in world.members_b[2:]:
        Talk.objects.create(branch=world.branch_b, date=date(2023, 6, 1), from_member=giver, to_member=m)
    Talk.objects.create(branch=world.branch_b, date=date(2023, 6, 1), from_member=giver, to_member=moved)
    type(moved).objects.filter(pk=moved.pk).update(branch=world.branch_a)

    def talks(root):
        rows = selectors.compliance_summary.uncached(root, 2023, today=date(2024, 1, 10)).branches
        return next(r for r in rows if r["branch_id"] == world.branch_b.pk and r["kind_code"] == "heart_talk")

    row = talks(world.township)
    assert row["members"] == len(world.members_b) - 1  # the moved member is A's now
    assert row["covered"] == len(world.members_b) - 2  # everyone but the giver, not the moved member
    assert row["held"] == 0 and row["missing"][0].startswith("2023年（1名党员未谈话")
    assert talks(world.district) == row

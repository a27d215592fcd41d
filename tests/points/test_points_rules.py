"""党员量化积分: sources add up, manual items need another person's approval, no formalism
rules, rankings off by default and for leaders only, coverage."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.points import selectors, services
from dangjian.points.models import ManualPoint
from dangjian.rules.points import FORMALISM_MESSAGE


def _year():
    return timezone.localdate().year


@pytest.fixture
def facts(world):
    """A meeting attended by member A0, absent A1; dues paid by A0 for January; a study record."""
    from datetime import time
    from decimal import Decimal

    from dangjian.dues.services import BaseRow, record_payment, set_bases
    from dangjian.meetings.models import Attendance, Kind, Meeting, MeetingKindLink
    from dangjian.study.services import add_activity

    y = _year()
    d = date(y, 2, 10)
    m = Meeting.objects.create(
        org=world.branch_a,
        branch=world.branch_a,
        date=d,
        start_time=time(9),
        end_time=time(11),
        place="活动室",
        topic="党员大会",
    )
    MeetingKindLink.objects.create(meeting=m, kind=Kind.MEMBER_MEETING, branch=world.branch_a, date=d)
    Attendance.objects.create(meeting=m, member=world.members_a[0], status=Attendance.Status.PRESENT)
    Attendance.objects.create(meeting=m, member=world.members_a[1], status=Attendance.Status.ABSENT)
    set_bases(branch=world.branch_a, year=y, rows=[BaseRow(x.pk, "农民", None) for x in world.members_a])
    record_payment(member=world.members_a[0], months=[date(y, 1, 1)], paid_on=date(y, 1, 20))
    add_activity(
        org=world.branch_a,
        kind="集中学习",
        on=date(y, 3, 1),
        hours=Decimal("8"),
        topic="学习",
        member_ids=[world.members_a[0].pk],
    )
    return world


def _approve_one(world, member, code="volunteer"):
    item = services.propose(
        member=member,
        year=_year(),
        code=code,
        on=date(_year(), 5, 1),
        description="清扫街道",
        evidence="签到表",
        user=world.user("committee_a"),
    )
    return services.decide(item=item, user=world.user("secretary_a"), approve=True)


def test_points_shown_add_up_to_their_sources(facts):
    w = facts
    _approve_one(w, w.members_a[0])
    lines = selectors.member_points(w.members_a[0], _year())
    by = {item.code: (count, pts, src) for item, count, pts, src in lines}
    assert by["attend"][:2] == (1, 2) and "出席" in by["attend"][2]
    assert by["dues_on_time"][0] == 1 and "党费台账" in by["dues_on_time"][2]
    assert by["study"][:2] == (8, 2)
    assert by["volunteer"][:2] == (1, 2) and "清扫街道" in by["volunteer"][2] and "签到表" in by["volunteer"][2]
    total = sum(p for _, _, p, _ in lines)
    assert selectors.points_summary(w.branch_a, _year()).member_totals[w.members_a[0].pk] == total
    absent = {i.code: p for i, _, p, _ in selectors.member_points(w.members_a[1], _year())}
    assert absent["absent"] == -3


def test_manual_item_waits_for_approval_by_someone_else(facts):
    w = facts
    item = services.propose(
        member=w.members_a[2],
        year=_year(),
        code="pioneer",
        on=date(_year(), 6, 1),
        description="调解纠纷",
        evidence="支委会记录",
        user=w.user("committee_a"),
    )
    codes = {i.code: c for i, c, _, _ in selectors.member_points(w.members_a[2], _year())}
    assert codes["pioneer"] == 0  # pending: not yet effective
    with pytest.raises(services.PointsError, match="提出人不能审核"):
        services.decide(item=item, user=w.user("committee_a"), approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ManualPoint.objects.filter(pk=item.pk).update(decided_by=w.user("committee_a"))
    services.decide(item=item, user=w.user("secretary_a"), approve=True)
    codes = {i.code: c for i, c, _, _ in selectors.member_points(w.members_a[2], _year())}
    assert codes["pioneer"] == 1


def test_manual_items_need_evidence_and_a_manual_code(world):
    with pytest.raises(services.PointsError, match="依据"):
        services.propose(
            member=world.members_a[0],
            year=_year(),
            code="volunteer",
            on=date(_year(), 1, 5),
            description="x",
            evidence="",
            user=world.user("committee_a"),
        )
    with pytest.raises(services.PointsError, match="台账自动计算"):
        services.propose(
            member=world.members_a[0],
            year=_year(),
            code="attend",
            on=date(_year(), 1, 5),
            description="x",
            evidence="y",
            user=world.user("committee_a"),
        )
    with pytest.raises(services.PointsError):
        services.propose(
            member=world.members_a[0],
            year=_year(),
            code="volunteer",
            on=date(_year(), 1, 5),
            description="x",
            evidence="y",
            user=world.user("member_a"),
        )


@pytest.mark.parametrize(
    ("code", "label", "basis"),
    [
        ("login", "每日登录", ""),
        ("x1", "在线学习时长", ""),
        ("likes", "点赞", ""),
        ("read", "阅读", "浏览文章次数"),
        ("online_time", "学习", ""),
    ],
)
def test_no_rule_can_reference_logins_or_time_online(world, code, label, basis):
    rows = [
        services.RuleRow("base", "基础分", 60, None, "derived", is_base=True),
        services.RuleRow(code, label, 1, 10, "manual", basis=basis),
    ]
    with pytest.raises(services.PointsError) as exc:
        services.save_ruleset(org=world.township, year=_year(), rows=rows, ranking_enabled=False)
    assert exc.value.message == FORMALISM_MESSAGE


def test_admin_edits_the_rule_set_and_members_follow_it(facts, client_for):
    w = facts
    c = client_for("admin")
    r = c.post(
        "/points/rules/",
        {
            "year": _year(),
            "count": 2,
            "code_0": "base",
            "label_0": "基础分",
            "points_0": 50,
            "per_0": 1,
            "source_0": "derived",
            "code_1": "attend",
            "label_1": "参加组织生活",
            "points_1": 5,
            "per_1": 1,
            "cap_1": "",
            "source_1": "derived",
        },
    )
    assert r.status_code == 302
    lines = selectors.member_points(w.members_a[0], _year())
    assert [(i.code, p) for i, _, p, _ in lines] == [("base", 50), ("attend", 5)]
    r = c.post(
        "/points/rules/",
        {
            "year": _year(),
            "count": 1,
            "code_0": "clicks",
            "label_0": "点击",
            "points_0": 1,
            "per_0": 1,
            "source_0": "manual",
        },
    )
    assert r.status_code == 200 and "指尖上的形式主义" in r.content.decode()
    assert client_for("secretary_a").get("/points/rules/").status_code == 403


def test_rankings_off_by_default_and_only_for_leaders(facts, client_for):
    w = facts
    assert client_for("admin").get("/points/ranking/").status_code == 404
    rows = [services.RuleRow("base", "基础分", 60, None, "derived", is_base=True)]
    services.save_ruleset(org=w.township, year=_year(), rows=rows, ranking_enabled=True)
    assert client_for("admin").get("/points/ranking/").status_code == 200
    assert client_for("secretary_a").get("/points/ranking/").status_code == 200
    assert client_for("committee_a").get("/points/ranking/").status_code == 403
    assert client_for("member_a").get("/points/ranking/").status_code == 403
    assert client_for("inspector").get("/points/ranking/").status_code == 403


def test_coverage_counts_branches_that_apply_points(facts):
    w = facts
    s = selectors.points_summary(w.township, _year())
    assert (s.branches, s.branches_applied, s.coverage) == (2, 0, 0.0)
    _approve_one(w, w.members_a[0])
    s = selectors.points_summary(w.township, _year())
    assert s.branches_applied == 1 and s.coverage == 0.5 and s.branches_not_applied == ["西街"]
    services.confirm_year(branch=w.branch_b, year=_year(), user=w.user("secretary_b"))
    assert selectors.points_summary(w.township, _year()).coverage == 1.0


def test_member_sees_only_their_own_points_and_secretary_only_their_branch(facts, client_for):
    w = facts
    c = client_for("member_a")
    r = c.get("/points/mine/")
    assert r.status_code == 200 and r.context["member"] == w.members_a[3]
    assert r.context["total"] == sum(p for _, _, p, _ in r.context["lines"])
    assert c.get(f"/points/member/{w.members_a[0].pk}/").status_code == 403
    s = client_for("secretary_a")
    assert s.get(f"/points/member/{w.members_a[0].pk}/").status_code == 200
    assert s.get(f"/points/member/{w.members_b[0].pk}/").status_code == 404
    assert s.get(f"/points/?branch={w.branch_b.pk}").status_code == 404
    item = services.propose(
        member=w.members_b[1],
        year=_year(),
        code="volunteer",
        on=date(_year(), 5, 1),
        description="x",
        evidence="y",
        user=w.user("secretary_b"),
    )
    assert s.post(f"/points/item/{item.pk}/decide/", {"approve": "1"}).status_code == 404


def test_points_list_query_count_is_fixed(facts, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.testsupport.world import make_member

    w = facts
    c = client_for("secretary_a")
    url = f"/points/?branch={w.branch_a.pk}"
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    n = len(small)  # now: the query log is a bounded deque
    for i in range(8):
        m = make_member(w.branch_a, name=f"积分{i}")
        _approve_one(w, m)
    c.get(url)  # the yearly figures are cached (core.figures): compare warm with warm
    with CaptureQueriesContext(connection) as large:
        c.get(url)
    assert len(large) == n

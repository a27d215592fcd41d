"""学时: recorded study plus 党课 meetings counted automatically (never typed twice)."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.study import selectors, services
from dangjian.study.models import StudyActivity, StudyRecord
from dangjian.testsupport.world import make_member


def _year():
    return timezone.localdate().year


def test_party_lecture_meeting_counts_hours_without_retyping(world, lecture):
    hours = selectors.member_hours(world.township, _year())
    a = world.members_a
    assert hours[a[0].pk] == Decimal("2.5") and a[3].pk not in hours
    items = selectors.member_study(a[0], _year())["items"]
    assert items[0]["kind"] == "党课" and "自动计入" in items[0]["source"]
    assert StudyActivity.objects.count() == 0  # nothing was created to get there


def test_recorded_study_adds_up_against_the_yearly_requirement(world, lecture, settings):
    settings.DANGJIAN = {**settings.DANGJIAN, "STUDY_HOURS_PER_YEAR": 10}
    a = world.members_a
    services.add_activity(
        org=world.branch_a,
        kind="集中学习",
        on=date(_year(), 4, 1),
        hours=Decimal("8"),
        topic="学习党章",
        member_ids=[a[0].pk, a[1].pk, world.members_b[0].pk],
    )
    hours = selectors.member_hours(world.branch_a, _year())
    assert hours[a[0].pk] == Decimal("10.5") and world.members_b[0].pk not in hours  # B is outside the org
    s = selectors.study_summary(world.township, _year())
    assert s.sessions == 2 and s.members_meeting_target == 2 and s.members == 10
    a_row = next(b for b in s.by_branch if b.branch_id == world.branch_a.pk)
    assert a_row.completion == pytest.approx(2 / 5)
    mine = selectors.member_study(a[0], _year())
    assert mine["total"] == Decimal("10.5") and mine["shortfall"] == 0


def test_a_lecture_meeting_cannot_be_entered_again_as_study(world, lecture):
    with pytest.raises(services.StudyError, match="自动计入"):
        services.add_activity(
            org=world.branch_a,
            kind="党课",
            on=lecture.date,
            hours=Decimal("2"),
            topic="x",
            member_ids=[world.members_a[0].pk],
            meeting=lecture,
        )
    for bad in (Decimal("0"), Decimal("81"), None):
        with pytest.raises(services.StudyError):
            services.add_activity(
                org=world.branch_a,
                kind="自学",
                on=date(_year(), 1, 2),
                hours=bad,
                topic="x",
                member_ids=[world.members_a[0].pk],
            )


def test_add_view_prefills_participants_and_records_in_one_submit(world, client_for):
    c = client_for("secretary_a")
    r = c.get("/study/add/")
    assert r.status_code == 200 and r.context["ticked"] == {m.pk for m in world.members_a}
    r = c.post(
        "/study/add/",
        {
            "org": world.branch_a.pk,
            "kind": "警示教育",
            "date": f"{_year()}-02-03",
            "hours": "2",
            "topic": "观看警示教育片",
            "members": [m.pk for m in world.members_a],
        },
    )
    assert r.status_code == 302
    assert StudyRecord.objects.filter(activity__topic="观看警示教育片").count() == 5
    assert client_for("secretary_b").get(f"/study/add/?org={world.branch_a.pk}").status_code == 404
    assert client_for("inspector").get("/study/add/").status_code == 403


def test_member_sees_only_their_own_study(world, lecture, client_for):
    c = client_for("member_a")
    r = c.get("/study/mine/")
    assert r.status_code == 200 and r.context["member"] == world.members_a[3]
    assert r.context["total"] == 0  # member 3 was absent from the lecture
    assert c.get("/study/").status_code == 403
    r = client_for("secretary_a").get(f"/study/?branch={world.branch_b.pk}")
    assert r.status_code == 404


def test_list_query_count_is_fixed(world, lecture, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for("secretary_a")
    url = f"/study/?branch={world.branch_a.pk}"
    c.get(url)
    with CaptureQueriesContext(connection) as small:
        c.get(url)
    n = len(small)  # now: the query log is a bounded deque
    for i in range(10):
        m = make_member(world.branch_a, name=f"学员{i}")
        services.add_activity(
            org=world.branch_a,
            kind="自学",
            on=date(_year(), 1, 2 + i),
            hours=Decimal("1"),
            topic=f"自学{i}",
            member_ids=[m.pk],
        )
    c.get(url)  # the yearly figures are cached (core.figures): compare warm with warm
    with CaptureQueriesContext(connection) as large:
        c.get(url)
    assert len(large) == n


def test_meeting_hours_rounding():
    assert selectors.meeting_hours(time(9), time(10, 59)) == Decimal("1.5")
    assert selectors.meeting_hours(time(9), time(9, 10)) == Decimal("0.5")
    assert selectors.meeting_hours(time(9), time(8)) == Decimal("0.5")

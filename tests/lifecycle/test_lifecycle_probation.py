from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from dangjian.lifecycle import selectors, services
from dangjian.lifecycle.models import ProbationDecision
from dangjian.members.models import Member, MemberEvent, MemberKind
from dangjian.orgs.selectors import overview
from dangjian.rules.dates import add_months
from dangjian.testsupport.world import make_member

TODAY = date(2026, 11, 29)
Outcome = ProbationDecision.Outcome


def _decide(member, outcome, **kw):
    member.refresh_from_db()
    args = {
        "vote_on": date(2024, 3, 5),
        "vote_agree": 3,
        "vote_entitled": 4,
        "vote_present": 4,
        "approved_on": date(2024, 3, 20),
    }
    args.update(kw)
    return services.record_probation_decision(
        member=member, outcome=outcome, expected_version=member.version, today=TODAY, **args
    )


@pytest.mark.django_db
def test_due_list_matches_dates(world):
    soon = make_member(
        world.branch_a,
        name="近期",
        kind=MemberKind.PROBATIONARY,
        joined_on=add_months(TODAY, -12) + timedelta(days=20),
        birth=date(1998, 1, 1),
    )
    later = make_member(
        world.branch_a,
        name="稍后",
        kind=MemberKind.PROBATIONARY,
        joined_on=add_months(TODAY, -12) + timedelta(days=50),
        birth=date(1998, 1, 1),
    )
    far = make_member(
        world.branch_a, name="远期", kind=MemberKind.PROBATIONARY, joined_on=date(2026, 6, 30), birth=date(1998, 1, 1)
    )
    rows = selectors.probation_due(world.user("secretary_a"), today=TODAY)
    by_name = {r.member.name: r for r in rows}
    assert set(by_name) == {"孙七", "近期", "稍后", "远期"}  # B's 吴九… not in A's scope
    assert by_name["孙七"].due_on == date(2024, 3, 1) and by_name["孙七"].status == "已逾期"
    assert by_name["近期"].due_on == TODAY + timedelta(days=20) and by_name["近期"].status == "30天内到期"
    assert by_name["稍后"].due_on == TODAY + timedelta(days=50) and by_name["稍后"].status == "60天内到期"
    assert by_name["远期"].due_on == date(2027, 6, 30) and by_name["远期"].status == ""
    assert [r.member.name for r in rows] == ["孙七", "近期", "稍后", "远期"]  # soonest first
    del soon, later, far


@pytest.mark.django_db
def test_full_on_is_the_day_probation_ends_not_the_vote(world):
    m = world.members_a[4]  # joined 2023-03-01
    result = _decide(m, Outcome.FULL, vote_on=date(2024, 3, 5), approved_on=date(2024, 4, 2))
    m.refresh_from_db()
    assert m.kind == MemberKind.FULL and m.full_on == date(2024, 3, 1)
    assert result.obj.effective_on == date(2024, 3, 1) and result.obj.vote_agree == 3 and result.obj.vote_entitled == 4
    event = MemberEvent.objects.get(member=m, kind=MemberEvent.Kind.FULL)
    assert event.date == date(2024, 3, 1)
    for obj in (m, event, result.obj):
        ct = ContentType.objects.get_for_model(type(obj))
        assert LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk)).exists()
    assert m not in [r.member for r in selectors.probation_due(world.user("secretary_a"), today=TODAY)]


@pytest.mark.django_db
def test_probationers_have_no_vote(world):
    m = world.members_a[4]
    with pytest.raises(services.StepBlocked) as exc:
        _decide(m, Outcome.FULL, vote_entitled=5, vote_agree=4)
    assert "预备党员没有表决权" in exc.value.message and "第七条" in exc.value.message
    with pytest.raises(services.StepBlocked):
        _decide(m, Outcome.FULL, vote_agree=2, vote_entitled=4)
    m.refresh_from_db()
    assert m.kind == MemberKind.PROBATIONARY and not ProbationDecision.objects.exists()


@pytest.mark.django_db
def test_extension_moves_the_due_date_once(world):
    m = world.members_a[4]
    with pytest.raises(services.StepBlocked) as exc:
        _decide(m, Outcome.EXTEND, extension_months=3)
    assert "不能少于半年" in exc.value.message
    _decide(m, Outcome.EXTEND, extension_months=8)
    m.refresh_from_db()
    assert m.probation_extension_months == 8 and m.kind == MemberKind.PROBATIONARY
    assert services.probation_due_on(m) == date(2024, 11, 1)
    assert MemberEvent.objects.filter(
        member=m, kind=MemberEvent.Kind.PROBATION_EXTENDED, date=date(2024, 11, 1)
    ).exists()
    with pytest.raises(services.StepBlocked):
        _decide(m, Outcome.EXTEND, extension_months=6, vote_on=date(2024, 11, 5), approved_on=date(2024, 11, 20))
    _decide(m, Outcome.FULL, vote_on=date(2024, 11, 5), approved_on=date(2024, 11, 20))
    m.refresh_from_db()
    assert m.full_on == date(2024, 11, 1)


@pytest.mark.django_db
def test_cancel_leaves_current_counts(world):
    m = world.members_a[4]
    total = overview(world.township)["members"]["total"]
    _decide(m, Outcome.CANCEL, vote_agree=3)
    m.refresh_from_db()
    assert not m.is_current and m.left_reason == "取消预备党员资格" and m.left_on == date(2024, 3, 20)
    assert overview(world.township)["members"]["total"] == total - 1
    assert MemberEvent.objects.filter(member=m, kind=MemberEvent.Kind.PROBATION_CANCELLED).exists()


@pytest.mark.django_db
def test_probation_page_and_decision_form(world, client_for):
    c = client_for("secretary_a")
    r = c.get("/lifecycle/probation/")
    assert r.status_code == 200 and "孙七" in r.content.decode() and "已逾期" in r.content.decode()
    m = world.members_a[4]
    r = c.get(f"/lifecycle/probation/{m.pk}/")
    assert r.status_code == 200 and "预备党员没有表决权" in r.content.decode()
    r = c.post(
        f"/lifecycle/probation/{m.pk}/",
        {
            "version": m.version,
            "outcome": "按期转正",
            "vote_on": "2024-03-05",
            "vote_agree": 4,
            "vote_entitled": 4,
            "vote_present": 4,
            "approved_on": "2024-03-25",
        },
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.kind == MemberKind.FULL and m.full_on == date(2024, 3, 1)
    assert client_for("secretary_b").get(f"/lifecycle/probation/{m.pk}/").status_code == 404
    assert client_for("inspector").post(f"/lifecycle/probation/{world.members_b[4].pk}/", {}).status_code == 403


@pytest.mark.django_db
def test_stale_member_version_conflict_shows_message(world, client_for):
    m = world.members_a[4]
    r = client_for("secretary_a").post(
        f"/lifecycle/probation/{m.pk}/",
        {
            "version": m.version - 1 if m.version > 1 else 99,
            "outcome": "按期转正",
            "vote_on": "2024-03-05",
            "vote_agree": 4,
            "vote_entitled": 4,
            "vote_present": 4,
            "approved_on": "2024-03-25",
        },
    )
    assert r.status_code == 200 and "已被他人修改" in r.content.decode()
    assert Member.objects.get(pk=m.pk).kind == MemberKind.PROBATIONARY

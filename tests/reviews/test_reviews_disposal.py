"""不合格党员处置 (《中国共产党不合格党员组织处置办法》, RULES.md §3): nothing automatic."""

from datetime import date

import pytest

from dangjian.members.models import Member, MemberEvent
from dangjian.reviews import selectors, services
from dangjian.reviews.services import ReviewError

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(world, meeting_a):
    sec = world.user("secretary_a")
    a = services.open_appraisal(user=sec, branch=world.branch_a, year=2023)
    entry = a.entries.get(member=world.members_a[2])
    services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={entry.pk: "不合格"})
    entry.refresh_from_db()
    return entry


def test_disposal_only_after_a_recorded_failing_grade(world, meeting_a):
    sec = world.user("secretary_a")
    a = services.open_appraisal(user=sec, branch=world.branch_a, year=2023)
    entry = a.entries.get(member=world.members_a[1])
    with pytest.raises(ReviewError, match="组织评定为“不合格”"):
        services.start_disposal(user=sec, entry=entry, measure="限期改正", reason="理由")
    services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={entry.pk: "合格"})
    entry.refresh_from_db()
    with pytest.raises(ReviewError, match="组织评定为“不合格”"):
        services.start_disposal(user=sec, entry=entry, measure="限期改正", reason="理由")


def test_correction_deadline_defaults_to_six_months_at_most_a_year(world, failed):
    sec = world.user("secretary_a")
    with pytest.raises(ReviewError, match="最长不超过1年"):
        services.start_disposal(
            user=sec, entry=failed, measure="限期改正", reason="不参加组织生活", months=13, started_on=date(2024, 1, 10)
        )
    d = services.start_disposal(
        user=sec, entry=failed, measure="限期改正", reason="不参加组织生活", started_on=date(2024, 1, 10)
    )
    assert d.deadline == date(2024, 7, 10) and d.correction_months == 6
    assert [s.name for s in d.steps.all()] == [
        "支委会提出处置意见",
        "报基层党委备案",
        "调查核实",
        "党员大会讨论决定",
        "基层党委审批",
    ]


def test_expulsion_steps_in_order_and_leaving_only_on_confirmation(world, failed, meeting_a):
    sec = world.user("secretary_a")
    member = failed.member
    d = services.start_disposal(
        user=sec, entry=failed, measure="除名", reason="经教育仍不改正", started_on=date(2024, 1, 10)
    )
    steps = list(d.steps.all())
    with pytest.raises(ReviewError, match="按顺序"):
        services.record_step(
            user=sec, step=steps[2], done_on=date(2024, 2, 1), decision="调查", expected_version=steps[2].version
        )
    for i, s in enumerate(steps[:4]):
        services.record_step(
            user=sec, step=s, done_on=date(2024, 1, 15 + i), decision=f"第{i + 1}步决定", expected_version=s.version
        )
    d.refresh_from_db()
    with pytest.raises(ReviewError, match="完成全部程序"):
        services.record_final_decision(
            user=sec, disposal=d, decided_on=date(2024, 3, 1), decision="除名", expected_version=d.version
        )
    services.record_step(
        user=sec, step=steps[4], done_on=date(2024, 2, 20), decision="党委批准", expected_version=steps[4].version
    )
    d.refresh_from_db()
    services.record_final_decision(
        user=sec, disposal=d, decided_on=date(2024, 3, 1), decision="予以除名", expected_version=d.version
    )
    member.refresh_from_db()
    assert member.is_current  # a final decision alone changes nothing on the member
    assert not MemberEvent.objects.filter(member=member).exists()
    assert selectors.rejoin_ban_until(member) == date(2029, 3, 1)
    d.refresh_from_db()
    services.confirm_leaving(user=sec, disposal=d)
    member = Member.objects.get(pk=member.pk)
    assert not member.is_current and member.left_reason == "除名"
    assert MemberEvent.objects.get(member=member).kind == "除名"


def test_disposal_pages_are_scoped_and_show_the_rejoin_rule(world, failed, client_for):
    sec = world.user("secretary_a")
    d = services.start_disposal(
        user=sec, entry=failed, measure="劝其退党", reason="理想信念动摇", started_on=date(2024, 1, 10)
    )
    page = client_for("secretary_a").get(f"/reviews/disposals/{d.pk}/")
    assert page.status_code == 200 and "5年内不得重新入党" in page.content.decode()
    assert client_for("secretary_b").get(f"/reviews/disposals/{d.pk}/").status_code == 404
    step = d.steps.first()
    r = client_for("secretary_b").post(
        f"/reviews/steps/{step.pk}/", {"done_on": "2024-01-12", "decision": "x", "version": step.version}
    )
    assert r.status_code == 404
    r = client_for("inspector").post(
        f"/reviews/steps/{step.pk}/", {"done_on": "2024-01-12", "decision": "x", "version": step.version}
    )
    assert r.status_code == 403


def test_step_reminders_reach_the_home_page(world, failed, client_for):
    sec = world.user("secretary_a")
    services.start_disposal(user=sec, entry=failed, measure="限期改正", reason="不交党费", started_on=date(2024, 1, 10))
    html = client_for("secretary_a").get("/").content.decode()
    assert "不合格党员处置提醒" in html
    assert "不合格党员处置提醒" not in client_for("secretary_b").get("/").content.decode()

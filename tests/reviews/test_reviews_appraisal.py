"""民主评议党员: the end-to-end service path and its rules (RULES.md §2)."""

from datetime import date

import pytest

from dangjian.reviews import services
from dangjian.reviews.models import Appraisal, BallotTally, VoterFlag
from dangjian.reviews.services import ReviewError

pytestmark = pytest.mark.django_db


def _open(world):
    return services.open_appraisal(user=world.user("secretary_a"), branch=world.branch_a, year=2023)


def _entries(a):
    return {e.member.name: e for e in a.entries.select_related("member")}


def test_secretary_runs_a_branch_appraisal_end_to_end(world, meeting_a):
    sec = world.user("secretary_a")
    a = _open(world)
    assert a.entries.count() == 5  # 4 正式 + 1 预备 take part
    services.record_study(user=sec, appraisal=a, note="学习党章和支部工作条例", expected_version=a.version)
    a.refresh_from_db()
    assert a.step == Appraisal.Step.SELF
    e = _entries(a)
    # the member writes her own self-assessment; the secretary records one for another
    services.record_self_assessment(
        user=world.user("member_a"), entry=e["赵六"], text="一年来按时参加组织生活，认真学习。"
    )
    services.record_self_assessment(user=sec, entry=e["王五"], text="书记代录：本人积极参加志愿服务活动。")
    e["赵六"].refresh_from_db()
    assert e["赵六"].self_by_member and not _entries(a)["王五"].self_by_member
    services.set_voting(user=sec, appraisal=a, open_=True)
    a.refresh_from_db()
    n = services.cast_ballot(
        user=world.user("member_a"), appraisal=a, grades={e["张三"].pk: "优秀", e["李四"].pk: "合格"}
    )
    assert n == 2
    services.record_paper_counts(user=sec, appraisal=a, counts={e["王五"].pk: {"合格": 3, "基本合格": 1}})
    warning = services.set_grades(
        user=sec,
        appraisal=a,
        meeting=meeting_a,
        grades={e["张三"].pk: "优秀", e["李四"].pk: "合格", e["王五"].pk: "合格", e["赵六"].pk: "基本合格"},
    )
    assert warning == ""
    services.complete_appraisal(user=sec, appraisal=a, on=date(2023, 12, 20))
    a.refresh_from_db()
    assert a.step == Appraisal.Step.DONE
    graded = {x.member.name: (x.grade, x.decided_meeting_id) for x in a.entries.select_related("member")}
    assert graded["张三"] == ("优秀", meeting_a.pk)
    assert graded["孙七"] == ("", None)  # 预备党员: no grade


def test_ballots_are_anonymous_and_once_only(world):
    a = _open(world)
    sec = world.user("secretary_a")
    services.set_voting(user=sec, appraisal=a, open_=True)
    a.refresh_from_db()
    e = _entries(a)
    services.cast_ballot(user=world.user("member_a"), appraisal=a, grades={e["张三"].pk: "优秀"})
    # tallies carry no voter; the flag carries no grade
    field_names = {f.name for f in BallotTally._meta.get_fields()}
    assert not field_names & {"voter", "member", "user", "created_at", "updated_at"}
    assert {f.name for f in VoterFlag._meta.get_fields()} == {"id", "appraisal", "voter"}
    assert BallotTally.objects.get(entry=e["张三"], source="online", grade="优秀").count == 1
    # no audit row was written for the tally increment (it would reveal actor + choice)
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    assert not LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(BallotTally)).exists()
    with pytest.raises(ReviewError, match="已经参加过"):
        services.cast_ballot(user=world.user("member_a"), appraisal=a, grades={e["李四"].pk: "合格"})
    with pytest.raises(ReviewError, match="只能评价本支部的其他党员"):
        services.cast_ballot(user=world.user("secretary_a"), appraisal=a, grades={e["张三"].pk: "优秀"})


def test_probationary_member_votes_not_and_gets_no_grade(world, meeting_a):
    from dangjian.testsupport.world import make_user

    a = _open(world)
    sec = world.user("secretary_a")
    e = _entries(a)
    with pytest.raises(ReviewError, match="预备党员"):
        services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={e["孙七"].pk: "合格"})
    e["孙七"].refresh_from_db()
    assert e["孙七"].grade == ""
    services.set_voting(user=sec, appraisal=a, open_=True)
    a.refresh_from_db()
    probationer = make_user("sun7", "member", member=e["孙七"].member)
    with pytest.raises(ReviewError, match="预备党员"):
        services.cast_ballot(user=probationer, appraisal=a, grades={e["张三"].pk: "合格"})


def test_no_grade_and_no_failing_grade_without_the_deciding_meeting(world, meeting_b, meeting_factory):
    a = _open(world)
    sec = world.user("secretary_a")
    e = _entries(a)
    with pytest.raises(ReviewError, match="支委会或党员大会"):
        services.set_grades(user=sec, appraisal=a, meeting=None, grades={e["王五"].pk: "不合格"})
    with pytest.raises(ReviewError, match="支委会或党员大会"):
        services.set_grades(user=sec, appraisal=a, meeting=None, grades={e["张三"].pk: "合格"})
    # another branch's meeting is not a decision of this branch
    with pytest.raises(ReviewError, match="不是本支部"):
        services.set_grades(user=sec, appraisal=a, meeting=meeting_b, grades={e["王五"].pk: "不合格"})
    # a 党课 is not a 支委会/党员大会
    lecture = meeting_factory(world.branch_a, kind="party_lecture")
    with pytest.raises(ReviewError, match="不是本支部的支委会或党员大会"):
        services.set_grades(user=sec, appraisal=a, meeting=lecture, grades={e["王五"].pk: "不合格"})
    e["王五"].refresh_from_db()
    assert e["王五"].grade == ""


def test_one_third_warning_appears_only_above_the_cap_and_never_blocks(world, meeting_a):
    a = _open(world)
    sec = world.user("secretary_a")
    e = _entries(a)
    # 4 正式党员: 1 优秀 is within a third
    assert services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={e["张三"].pk: "优秀"}) == ""
    # 2 of 4 exceeds it: a warning, and the grades are saved anyway
    warning = services.set_grades(user=sec, appraisal=a, meeting=meeting_a, grades={e["李四"].pk: "优秀"})
    assert "超过了正式党员（4人）的三分之一" in warning and "本地做法" in warning and "第十八条" not in warning
    assert a.entries.filter(grade="优秀").count() == 2


def test_only_writers_in_scope_open_appraisals(world):
    with pytest.raises(ReviewError):
        services.open_appraisal(user=world.user("secretary_b"), branch=world.branch_a, year=2023)
    with pytest.raises(ReviewError):
        services.open_appraisal(user=world.user("inspector"), branch=world.branch_a, year=2023)
    _open(world)
    with pytest.raises(ReviewError, match="已经开启"):
        _open(world)

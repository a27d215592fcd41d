from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from dangjian.lifecycle import services
from dangjian.lifecycle.models import DevelopmentCase, DevelopmentStep, Stage
from dangjian.members.models import Member, MemberEvent, MemberKind

K = DevelopmentStep.Kind
TODAY = date(2026, 11, 29)


def _step(case, kind, on, user, **kw):
    case.refresh_from_db()
    return services.record_step(
        case=case, kind=kind, on=on, expected_version=case.version, user=user, today=TODAY, **kw
    )


@pytest.mark.django_db
def test_applicant_under_18_is_refused_citing_article(world):
    with pytest.raises(services.StepBlocked) as exc:
        services.create_case(
            branch=world.branch_a, name="少年", sex="男", birth_date=date(2008, 6, 1), applied_on=date(2026, 5, 31)
        )
    assert "未满18周岁" in exc.value.message
    assert not DevelopmentCase.objects.exists()


@pytest.mark.django_db
def test_probationary_introducer_blocks_candidate_step(world, make_case):
    case = make_case(upto="activist")
    probationer = world.members_a[4]  # 孙七, 预备党员
    assert probationer.kind == MemberKind.PROBATIONARY
    with pytest.raises(services.StepBlocked) as exc:
        _step(
            case,
            K.CANDIDATE,
            date(2024, 3, 1),
            world.user("secretary_a"),
            introducers=(world.members_a[0], probationer),
        )
    assert "入党介绍人必须是正式党员" in exc.value.message
    assert "《中国共产党发展党员工作细则》" in exc.value.message
    case.refresh_from_db()
    assert case.stage == Stage.ACTIVIST and case.candidate_on is None
    assert not case.steps.filter(kind=K.CANDIDATE).exists()


@pytest.mark.django_db
def test_one_introducer_only_blocks(world, make_case):
    case = make_case(upto="activist")
    with pytest.raises(services.StepBlocked) as exc:
        _step(case, K.CANDIDATE, date(2024, 3, 1), world.user("secretary_a"), introducers=(world.members_a[0], None))
    assert "入党介绍人应为两名" in exc.value.message


@pytest.mark.django_db
def test_less_than_a_year_as_activist_blocks(world, make_case):
    case = make_case(upto="activist")  # activist since 2023-02-01
    with pytest.raises(services.StepBlocked) as exc:
        _step(
            case,
            K.CANDIDATE,
            date(2024, 1, 31),
            world.user("secretary_a"),
            introducers=(world.members_a[0], world.members_a[1]),
        )
    assert "不满一年" in exc.value.message
    assert DevelopmentCase.objects.get(pk=case.pk).stage == Stage.ACTIVIST


@pytest.mark.django_db
def test_blocked_step_through_the_page_shows_the_rule(world, make_case, client_for):
    case = make_case(upto="activist")
    c = client_for("secretary_a")
    r = c.post(
        f"/lifecycle/cases/{case.pk}/step/?step=candidate",
        {
            "version": case.version,
            "on": "2024-03-01",
            "introducer_1": world.members_a[0].pk,
            "introducer_2": world.members_a[4].pk,
        },
    )
    assert r.status_code == 200
    text = r.content.decode()
    assert "入党介绍人必须是正式党员" in text
    assert DevelopmentCase.objects.get(pk=case.pk).stage == Stage.ACTIVIST


@pytest.mark.django_db
def test_full_pipeline_creates_probationary_member_with_event_and_audit(world, make_case):
    user = world.user("secretary_a")
    case = make_case(upto="candidate")
    assert case.stage == Stage.CANDIDATE
    # A vote before political review and training cannot pass.
    with pytest.raises(services.StepBlocked) as exc:
        _step(case, K.VOTE, date(2024, 6, 1), user, vote_agree=3, vote_entitled=4, vote_present=4)
    assert "政治审查" in exc.value.message and "集中培训" in exc.value.message
    _step(case, K.POLITICAL_REVIEW, date(2024, 4, 1), user, decision="政审合格")
    _step(case, K.TRAINING, date(2024, 4, 20), user, training_days=Decimal("3"))
    # 预备党员 have no vote: branch A has 4 正式党员 and 1 预备党员, so 5 entitled is refused.
    with pytest.raises(services.StepBlocked) as exc:
        _step(case, K.VOTE, date(2024, 6, 1), user, vote_agree=3, vote_entitled=5, vote_present=4)
    assert "预备党员没有表决权" in exc.value.message and "《中国共产党章程》第七条" in exc.value.message
    # Two of four is not more than half.
    with pytest.raises(services.StepBlocked) as exc:
        _step(case, K.VOTE, date(2024, 6, 1), user, vote_agree=2, vote_entitled=4, vote_present=4)
    assert "未超过有表决权党员" in exc.value.message
    _step(case, K.VOTE, date(2024, 6, 1), user, vote_agree=3, vote_entitled=4, vote_present=4)
    before = Member.objects.count()
    result = _step(case, K.APPROVAL, date(2024, 10, 8), user)  # more than 3 months: warns, does not block
    assert any("《中国共产党发展党员工作细则》" in w.message and "审批" in w.message for w in result.warnings)
    member = result.obj
    assert isinstance(member, Member) and Member.objects.count() == before + 1
    assert member.kind == MemberKind.PROBATIONARY and member.joined_on == date(2024, 6, 1)
    assert member.full_on is None and member.branch == world.branch_a and member.is_current
    assert member.introducers == "张三、李四"
    case.refresh_from_db()
    assert case.stage == Stage.PROBATIONARY and case.member == member
    event = MemberEvent.objects.get(member=member)
    assert event.kind == MemberEvent.Kind.DEVELOPED and event.date == date(2024, 6, 1)
    for obj in (member, event):
        ct = ContentType.objects.get_for_model(type(obj))
        assert LogEntry.objects.filter(content_type=ct, object_pk=str(obj.pk), action=LogEntry.Action.CREATE).exists()
    # every step is on record
    kinds = list(case.steps.values_list("kind", flat=True))
    assert kinds == [
        K.APPLY,
        K.TALK,
        K.ACTIVIST,
        K.REVIEW,
        K.REVIEW,
        K.CANDIDATE,
        K.POLITICAL_REVIEW,
        K.TRAINING,
        K.VOTE,
        K.APPROVAL,
    ]


@pytest.mark.django_db
def test_soft_rule_warns_but_saves(world, make_case):
    case = make_case(upto="applicant", applied_on=date(2026, 1, 5))
    result = _step(case, K.TALK, date(2026, 3, 1), world.user("secretary_a"))
    assert result.warnings and "谈话超过一个月" in result.warnings[0].message
    case.refresh_from_db()
    assert case.talk_on == date(2026, 3, 1)
    assert "《中国共产党发展党员工作细则》" in case.steps.get(kind=K.TALK).warnings


@pytest.mark.django_db
def test_stale_version_is_refused(world, make_case):
    from dangjian.core.concurrency import EditConflict

    case = make_case(upto="applicant")
    with pytest.raises(EditConflict):
        services.record_step(
            case=case, kind=K.TALK, on=date(2023, 1, 20), expected_version=case.version - 1, today=TODAY
        )


@pytest.mark.django_db
def test_pipeline_page_and_case_page(world, make_case, client_for):
    case = make_case(upto="activist")
    c = client_for("secretary_a")
    r = c.get("/lifecycle/")
    assert r.status_code == 200 and "申请人甲" in r.content.decode()
    r = c.get(f"/lifecycle/cases/{case.pk}/")
    text = r.content.decode()
    assert r.status_code == 200 and "确定为发展对象" in text and "培养考察" in text


@pytest.mark.django_db
def test_new_case_through_the_page(world, client_for):
    from dangjian.rules.idcard import make_id

    c = client_for("secretary_a")
    r = c.post(
        "/lifecycle/cases/new/",
        {
            "branch": world.branch_a.pk,
            "name": "王新",
            "sex": "女",
            "ethnicity": "回族",
            "birth_date": "2000-02-02",
            "id_number": make_id("620102", date(2000, 2, 2), 12),
            "education": "大学本科",
            "applied_on": "2026-11-01",
        },
    )
    assert r.status_code == 302
    case = DevelopmentCase.objects.get(name="王新")
    assert case.stage == Stage.APPLICANT and case.id_number_mask.startswith("620102")
    # bad date: no 500, a Chinese message
    r = c.post(
        "/lifecycle/cases/new/",
        {
            "branch": world.branch_a.pk,
            "name": "x",
            "sex": "女",
            "birth_date": "bad",
            "ethnicity": "汉族",
            "applied_on": "2026-11-01",
        },
    )
    assert r.status_code == 200


@pytest.mark.django_db
def test_scope_other_branch_cannot_see_case(world, make_case, client_for):
    case = make_case(upto="applicant")
    assert client_for("secretary_b").get(f"/lifecycle/cases/{case.pk}/").status_code == 404
    assert (
        client_for("secretary_b").post(f"/lifecycle/cases/{case.pk}/step/?step=talk", {"on": "2023-01-20"}).status_code
        == 404
    )
    assert "申请人甲" not in client_for("secretary_b").get("/lifecycle/").content.decode()
    assert client_for("inspector").get(f"/lifecycle/cases/{case.pk}/").status_code == 200
    assert (
        client_for("inspector").post(f"/lifecycle/cases/{case.pk}/step/?step=talk", {"on": "2023-01-20"}).status_code
        == 403
    )
    assert client_for("member_a").get("/lifecycle/").status_code == 403

"""抓学习促提升: yearly plans the township publishes and branches carry out, the materials
library (scoped, published downward, never editable from below), 培训班 with attendance and
paper-test scores, and the rule that nothing counts reading time or clicks."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.accounts.scope import editable_by, visible_to
from dangjian.study import plan_selectors, plan_services, services
from dangjian.study.models import Material, PlanItem, StudyKind, StudyPlan

YEAR = 2024


def _item(data, **kw):
    base = dict(month_from=3, month_to=3, topic="学习党章", hours=Decimal("2"))
    return plan_services.ItemInput(**{**base, **kw})


def test_plan_item_inputs_are_refused_with_a_clear_message(world, plan):
    p, _ = plan
    for kw, msg in [
        ({"month_from": 0}, "月份"),
        ({"month_from": 13}, "月份"),
        ({"month_from": 5, "month_to": 4}, "结束月份不能早于开始月份"),
        ({"topic": "  "}, "学习专题"),
        ({"hours": Decimal("0")}, "学时"),
        ({"hours": None}, "学时"),
        ({"kind": "打卡"}, "学习形式"),
    ]:
        with pytest.raises(plan_services.PlanError, match=msg):
            plan_services.add_item(plan=p, data=_item(None, **kw))
    assert PlanItem.objects.filter(plan=p).count() == 3  # nothing added by refused input
    with pytest.raises(plan_services.PlanError, match="已有2024年学习计划"):
        plan_services.create_plan(org=world.township, year=YEAR, today=date(2024, 12, 31))


def test_branch_plan_is_the_townships_items_plus_its_own(world, plan):
    p, items = plan
    own = plan_services.create_plan(org=world.branch_a, year=YEAR, today=date(2024, 12, 31))
    extra = plan_services.add_item(plan=own, data=_item(None, month_from=4, month_to=5, topic="本支部专题"))
    a = [i.pk for i in plan_selectors.items_for_branch(world.branch_a, YEAR)]
    b = [i.pk for i in plan_selectors.items_for_branch(world.branch_b, YEAR)]
    assert a == [items[0].pk, extra.pk, items[1].pk, items[2].pk]  # by month
    assert b == [i.pk for i in items]  # branch B does not get A's own item
    assert extra.period == "4—5月" and items[0].period == "3月"


def test_progress_counts_due_items_done_by_study_records_or_meetings(world, plan, carry_out):
    p, items = plan
    a = world.branch_a
    # A records March as a study; B holds a 主题党日 meeting linked to June.
    carry_out(items, meeting_branch=world.branch_b, meeting_topic="主题党日")

    mid_year = plan_selectors.plan_progress(world.township, YEAR, as_of=date(YEAR, 7, 1))
    by = {b.branch_id: b for b in mid_year.branches}
    # July 1st: March and June are due, November is not.
    assert [s.due for s in by[a.pk].items] == [True, True, False]
    assert [s.done for s in by[a.pk].items] == [True, False, False]
    assert [s.done for s in by[world.branch_b.pk].items] == [False, True, False]
    assert by[a.pk].missed[0].topic == "6月专题" and by[world.branch_b.pk].missed[0].topic == "3月专题"
    assert (mid_year.due, mid_year.done_due) == (4, 2) and mid_year.rate == 0.5

    year_end = plan_selectors.plan_progress(world.township, YEAR, as_of=date(YEAR + 1, 1, 5))
    assert year_end.due == 6 and year_end.done_due == 2
    assert [b.branch for b in year_end.lagging] == ["东街", "西街"]

    branch_only = plan_selectors.plan_progress(a, YEAR, as_of=date(YEAR + 1, 1, 5))
    assert [b.branch_id for b in branch_only.branches] == [a.pk]
    assert branch_only.branches[0].items[0].activity_ids  # links back to the record


def test_a_township_activity_linked_to_an_item_counts_for_every_branch_under_it(world, plan):
    _, items = plan
    services.add_activity(
        org=world.township,
        kind=StudyKind.TRAINING,
        on=date(YEAR, 11, 10),
        hours=Decimal("6"),
        topic="冬训",
        member_ids=[m.pk for m in world.members_a + world.members_b],
        plan_item=items[2],
        today=date(2024, 12, 31),
    )
    prog = plan_selectors.plan_progress(world.township, YEAR, as_of=date(YEAR + 1, 1, 1))
    assert all(b.items[2].done for b in prog.branches)


def test_study_recorded_from_an_item_must_fit_its_year_and_organization(world, plan):
    _, items = plan
    with pytest.raises(services.StudyError, match="不在2024年"):
        services.add_activity(
            org=world.branch_a,
            kind=StudyKind.CENTRAL,
            on=date(2025, 3, 1),
            hours=Decimal("2"),
            topic="x",
            member_ids=[world.members_a[0].pk],
            plan_item=items[0],
            today=date(2025, 12, 31),
        )
    own = plan_services.create_plan(org=world.branch_b, year=YEAR, today=date(2024, 12, 31))
    b_item = plan_services.add_item(plan=own, data=_item(None))
    with pytest.raises(services.StudyError, match="不适用"):
        services.add_activity(
            org=world.branch_a,
            kind=StudyKind.CENTRAL,
            on=date(YEAR, 3, 1),
            hours=Decimal("2"),
            topic="x",
            member_ids=[world.members_a[0].pk],
            plan_item=b_item,
            today=date(2024, 12, 31),
        )


def test_materials_are_published_downward_and_editable_only_by_their_level(world):
    t = plan_services.publish_material(
        org=world.township,
        data=plan_services.MaterialInput(title="工作方案", kind="文件", published_on=date(2024, 2, 1), body="正文"),
        today=date(2024, 12, 31),
    )
    b = plan_services.publish_material(
        org=world.branch_b,
        data=plan_services.MaterialInput(title="西街资料", kind="文件", published_on=date(2024, 2, 1), body="正文"),
        today=date(2024, 12, 31),
    )
    sec_a, mem_a, sec_b = world.user("secretary_a"), world.user("member_a"), world.user("secretary_b")
    assert set(visible_to(sec_a, Material)) == {t}  # the township's, not branch B's
    assert set(visible_to(mem_a, Material)) == {t}
    assert set(visible_to(sec_b, Material)) == {t, b}
    assert set(editable_by(sec_b, Material)) == {b}  # never the township's
    assert set(editable_by(world.user("admin"), Material)) == {t, b}
    # the same for plans
    p = plan_services.create_plan(org=world.township, year=YEAR, today=date(2024, 12, 31))
    assert list(visible_to(sec_a, StudyPlan)) == [p] and not editable_by(sec_a, StudyPlan).exists()


def test_material_input_is_checked(world):
    ok = dict(title="资料", kind="文件", published_on=date(2024, 2, 1), body="正文")
    for kw, msg in [
        ({"title": ""}, "标题"),
        ({"published_on": date(2099, 1, 1)}, "不能晚于今天"),
        ({"kind": "视频链接", "body": "x"}, "视频地址"),
        ({"link": "javascript:alert(1)"}, "http"),
        ({"body": ""}, "至少一项"),
    ]:
        with pytest.raises(plan_services.PlanError, match=msg):
            plan_services.publish_material(
                org=world.township, data=plan_services.MaterialInput(**{**ok, **kw}), today=date(2024, 12, 31)
            )
    assert not Material.objects.exists()


def test_material_upload_is_checked_by_content(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("方案.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(plan_services.PlanError, match="文件类型不支持"):
        plan_services.publish_material(
            org=world.township,
            data=plan_services.MaterialInput(title="方案", kind="文件", published_on=date(2024, 2, 1)),
            upload=bad,
            today=date(2024, 12, 31),
        )
    good = SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    m = plan_services.publish_material(
        org=world.township,
        data=plan_services.MaterialInput(title="方案", kind="文件", published_on=date(2024, 2, 1)),
        upload=good,
        today=date(2024, 12, 31),
    )
    assert m.file.name.endswith(".pdf") and m.file_name == "方案.pdf"


def test_material_pages_in_scope_and_file_served_only_in_scope(world, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    m = plan_services.publish_material(
        org=world.branch_b,
        data=plan_services.MaterialInput(title="西街学习资料", kind="文件", published_on=date(2024, 2, 1)),
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%x\n"),
        today=date(2024, 12, 31),
    )
    assert client_for("member_b").get(reverse("study:material_file", args=[m.pk])).status_code == 200
    assert client_for("member_a").get(reverse("study:material", args=[m.pk])).status_code == 404
    assert client_for("member_a").get(reverse("study:material_file", args=[m.pk])).status_code == 404
    page = client_for("member_b").get(reverse("study:materials")).content.decode()
    assert "西街学习资料" in page


def test_training_course_totals_feed_the_candidate_check(world):
    from dangjian.lifecycle.models import DevelopmentCase, Stage
    from dangjian.rules.development import check_training

    case = DevelopmentCase.objects.create(
        branch=world.branch_a,
        name="陈一",
        sex="男",
        birth_date=date(1995, 1, 1),
        applied_on=date(2022, 1, 1),
        stage=Stage.CANDIDATE,
    )
    other = DevelopmentCase.objects.create(
        branch=world.branch_a,
        name="陈二",
        sex="女",
        birth_date=date(1996, 1, 1),
        applied_on=date(2022, 1, 1),
        stage=Stage.CANDIDATE,
    )
    course = plan_services.create_course(org=world.township, title="发展对象培训班", audience="发展对象", year=2024)
    plan_services.enroll(course=course, cases=[case, other])
    sessions = [
        plan_services.add_session(
            course=course, on=date(2024, 3, d), hours=Decimal("8"), topic=f"第{d}课", today=date(2024, 12, 31)
        )
        for d in (11, 12, 13)
    ]
    enrolled = {e.case_id: e.pk for e in course.enrollments.all()}
    for i, s in enumerate(sessions):
        ids = [enrolled[case.pk]] + ([enrolled[other.pk]] if i < 2 else [])
        plan_services.record_attendance(session=s, present_ids=ids)
    plan_services.record_scores(course=course, scores={enrolled[case.pk]: Decimal("85"), enrolled[other.pk]: None})
    totals = plan_selectors.training_totals([case.pk, other.pk])
    assert (totals[case.pk].days, totals[case.pk].hours, totals[case.pk].passed) == (3, Decimal("24"), True)
    assert (totals[other.pk].days, totals[other.pk].hours, totals[other.pk].passed) == (2, Decimal("16"), False)
    assert check_training(totals[case.pk].days, totals[case.pk].hours).ok
    assert not check_training(totals[other.pk].days, totals[other.pk].hours).ok
    # the 发展党员 pipeline's own check reads the course: nothing typed on the case
    from dangjian.lifecycle.services import case_checks

    def training_check(c):
        return next(x for x in case_checks(c, today=date(2024, 12, 31)) if "集中培训" in x.message)

    assert case.training_days is None and training_check(case).ok
    assert not training_check(other).ok
    with pytest.raises(plan_services.PlanError, match="0至100"):
        plan_services.record_scores(course=course, scores={enrolled[case.pk]: Decimal("120")})
    with pytest.raises(plan_services.PlanError, match="尚未报名"):
        plan_services.enroll(course=course, cases=[case])
    with pytest.raises(plan_services.PlanError, match="不能晚于今天"):
        plan_services.add_session(course=course, on=date(2099, 1, 1), hours=Decimal("8"), topic="x")


def test_views_render_and_writes_are_refused_to_read_only_roles(world, client_for, plan):
    p, items = plan
    for who in ("admin", "secretary_a", "inspector"):
        c = client_for(who)
        assert c.get(reverse("study:plans") + f"?year={YEAR}").status_code == 200
        assert c.get(reverse("study:item", args=[items[0].pk])).status_code == 200
        assert c.get(reverse("study:courses")).status_code == 200
    html = client_for("admin").get(reverse("study:plans") + f"?year={YEAR}").content.decode()
    assert "3月专题" in html and "各支部落实情况" in html
    # a branch secretary cannot add items to the township's plan
    r = client_for("secretary_a").post(
        reverse("study:item_add", args=[p.pk]), {"month_from": 5, "topic": "x", "hours": "2"}
    )
    assert r.status_code in (403, 404) and PlanItem.objects.filter(plan=p).count() == 3
    r = client_for("inspector").post(reverse("study:plan_create"), {"org": world.township.pk, "year": 2025})
    assert r.status_code == 403


def test_nothing_measures_reading_time_or_clicks(world, client_for):
    """No model stores reading time, opens or clicks, and opening a material writes nothing."""
    from django.apps import apps

    from dangjian.testsupport.scope import db_digest

    words = ("read_seconds", "reading", "clicks", "views", "opened", "duration_online", "time_online")
    for model in apps.get_app_config("study").get_models():
        for f in model._meta.get_fields():
            assert not any(w in f.name for w in words), f"{model.__name__}.{f.name}"
    m = plan_services.publish_material(
        org=world.township,
        data=plan_services.MaterialInput(title="方案", kind="文件", published_on=date(2024, 2, 1), body="正文"),
        today=date(2024, 12, 31),
    )
    before = db_digest()
    assert client_for("member_a").get(reverse("study:material", args=[m.pk])).status_code == 200
    assert db_digest() == before


def test_the_survey_report_states_plan_progress_and_names_lagging_branches(world, plan):
    """The report's 学习教育 says how much of the plan was carried out, and a branch that skipped
    items is a problem with the items named (抓学习促提升: 重工作、轻学习)."""
    from dangjian.reports.survey import build_report

    _, items = plan
    for it in items:  # branch A carries out every item, branch B none
        services.add_activity(
            org=world.branch_a,
            kind=StudyKind.CENTRAL,
            on=date(YEAR, it.month_from, 15),
            hours=Decimal("2"),
            topic=it.topic,
            member_ids=[m.pk for m in world.members_a],
            plan_item=it,
            today=date(2024, 12, 31),
        )
    report = build_report(world.township, YEAR, today=date(2025, 1, 10))
    text = report.text()
    assert "到期应学6项（支部×计划项），已落实3项，落实率50" in text
    problem = next(p for p in report.problems if p.title == "学习计划落实不到位")
    assert problem.branches == ["西街"] and "3月3月专题" in problem.evidence

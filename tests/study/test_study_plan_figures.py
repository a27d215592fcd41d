"""抓学习促提升 measured the same way everywhere: the branch's plan, its meetings and its members'
hours agree on the 学习计划 page, the 落实情况 page, the dashboard, the xlsx ledger and the
report; a meeting records the plan item it carried out from its own form; 培训班 completion is
judged by the 发展对象 rule (3 days or 24 学时)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dangjian.meetings.models import Kind, Meeting
from dangjian.study import plan_selectors, plan_services, services
from dangjian.study.models import PlanItemMeeting, StudyKind

YEAR = 2024
AFTER = date(2025, 1, 10)


@pytest.fixture
def plan(plan, world, carry_out):
    """conftest's plan, carried out: branch A does March (a study record) and June (a meeting); branch B nothing."""
    carry_out(plan[1], meeting_branch=world.branch_a, meeting_topic="6月专题")
    return plan


def test_the_compliance_page_shows_plan_items_per_branch_linked_to_the_records(world, client_for, plan):
    _, items = plan
    c = client_for("admin")
    html = c.get(reverse("meetings:compliance") + f"?year={YEAR}").content.decode()
    assert 'id="study-plan"' in html
    assert "已到期 6 项，已落实 2 项" in html  # 2 branches × 3 items, all due in a past year
    # the lagging branches with the items they missed, each a link to the item's page
    town_rows = html.split('id="plan-branches"')[1].split("</table>")[0]
    assert "西街" in town_rows and "东街" in town_rows
    assert reverse("study:item", args=[items[2].pk]) in town_rows

    page = c.get(reverse("meetings:compliance") + f"?year={YEAR}&branch={world.branch_a.pk}").content.decode()
    rows = page.split('id="plan-items"')[1].split("</table>")[0]
    assert rows.count("已落实") == 2 and rows.count("未落实") == 1
    assert "学习活动1次，会议0次" in rows and "学习活动0次，会议1次" in rows


def test_dashboard_ledger_and_report_agree_with_the_plan_page(world, client_for, plan):
    from dangjian.reports import dashboard
    from dangjian.reports.survey import build_report

    progress = plan_selectors.plan_progress(world.township, YEAR, as_of=AFTER)
    by = {b.branch: b for b in progress.branches}
    assert (by["东街"].done_due, by["东街"].due, by["西街"].done_due) == (2, 3, 0)

    charts = {ch["id"]: ch for ch in dashboard.build(world.township, YEAR, today=AFTER)["charts"]}
    sp = charts["study_plan"]
    rates = dict(zip(sp["labels"], sp["series"][0]["data"], strict=True))
    assert rates == {"东街": round(2 / 3 * 100, 1), "西街": 0.0}
    assert sp["note"] == "已落实 2/6 项" and not sp["empty"]
    assert "study_target" in charts and charts["study_target"]["series"][0]["name"] == "达标率%"

    resp = client_for("admin").get(reverse("study:plans") + f"?year={YEAR}&export=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(BytesIO(resp.content)).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]]
    assert len(rows) == 6  # a row per branch and item
    status = {(r[0], r[2]): r[5] for r in rows}
    assert status[("东街", "3月专题")] == "已落实" and status[("东街", "11月专题")] == "未落实"
    assert sum(1 for v in status.values() if v == "已落实") == progress.done_due
    assert ws["A1"].value.startswith("学习计划落实台账")

    text = build_report(world.township, YEAR, today=AFTER).text()
    assert f"到期应学{progress.due}项" in text and f"已落实{progress.done_due}项" in text


def test_a_meeting_records_the_plan_item_it_carried_out_from_its_own_form(world, client_for):
    """The meeting form offers the items that apply to the branch this year; choosing one links
    the meeting (the item becomes 已落实), changing it relinks, an item of another year is refused."""
    today = timezone.localdate()
    p = plan_services.create_plan(org=world.township, year=today.year, today=today)
    first, second = (
        plan_services.add_item(
            plan=p, data=plan_services.ItemInput(month_from=1, month_to=today.month, topic=t, hours=Decimal("2"))
        )
        for t in ("学习党章", "学习条例")
    )
    old = plan_services.create_plan(org=world.township, year=today.year - 1, today=today)
    stale = plan_services.add_item(
        plan=old, data=plan_services.ItemInput(month_from=1, month_to=12, topic="去年专题", hours=Decimal("2"))
    )
    a = world.members_a
    c = client_for("secretary_a")
    page = c.get(reverse("meetings:add") + f"?org={world.branch_a.pk}&plan_item={first.pk}").content.decode()
    assert 'id="plan-item-box"' in page and f'<option value="{first.pk}" selected>' in page
    post = {
        "org": world.branch_a.pk,
        "kinds": [Kind.THEME_DAY],
        "date": today.isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
        "place": "党群服务中心",
        "topic": "集中学习党章",
        "host": a[0].pk,
        "recorder": a[2].pk,
        "minutes": "集中学习了党章总纲和第一章，大家结合工作谈了体会。",
        "plan_item": stale.pk,
        "save": "1",
    }
    before = Meeting.objects.count()
    resp = c.post(reverse("meetings:add"), post)
    assert resp.status_code == 200 and Meeting.objects.count() == before  # refused, nothing saved
    err = resp.content.decode().split('id="plan-item-box"')[1].split("</div>\n    </div>")[0]
    assert "text-danger" in err, err  # not one of the items offered (last year's plan)
    from dangjian.meetings.forms import MeetingForm

    form = MeetingForm(post, members=a, plan_items=[(stale.pk, today.year - 1, "去年专题")])
    assert not form.is_valid() and "与会议日期不符" in form.errors["plan_item"][0]

    post["plan_item"] = first.pk
    resp = c.post(reverse("meetings:add"), post)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    meeting = Meeting.objects.latest("id")
    assert list(PlanItemMeeting.objects.filter(meeting=meeting).values_list("item_id", flat=True)) == [first.pk]
    progress = plan_selectors.plan_progress(world.branch_a, today.year, as_of=today)
    done = {s.item_id: s for s in progress.branches[0].items}
    assert done[first.pk].done and done[first.pk].meeting_ids == (meeting.pk,) and not done[second.pk].done

    # editing the meeting to the other item moves the link; the form shows the current one
    edit = c.get(reverse("meetings:edit", args=[meeting.pk])).content.decode()
    assert f'<option value="{first.pk}" selected>' in edit
    post.update(plan_item=second.pk, version=Meeting.objects.get(pk=meeting.pk).version)
    post.pop("save")
    resp = c.post(reverse("meetings:edit", args=[meeting.pk]), post)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert list(PlanItemMeeting.objects.filter(meeting=meeting).values_list("item_id", flat=True)) == [second.pk]
    # and clearing it unlinks
    post.update(plan_item="", version=Meeting.objects.get(pk=meeting.pk).version)
    c.post(reverse("meetings:edit", args=[meeting.pk]), post)
    assert not PlanItemMeeting.objects.filter(meeting=meeting).exists()


def test_training_completion_follows_the_candidate_rule_and_attendance(world):
    from dangjian.lifecycle.models import DevelopmentCase, Stage

    def case(name, branch):
        return DevelopmentCase.objects.create(
            branch=branch,
            name=name,
            sex="男",
            birth_date=date(1995, 1, 1),
            applied_on=date(2022, 1, 1),
            stage=Stage.CANDIDATE,
        )

    full, partial, elsewhere = case("陈一", world.branch_a), case("陈二", world.branch_a), case("陈三", world.branch_b)
    course = plan_services.create_course(org=world.township, title="发展对象培训班", audience="发展对象", year=YEAR)
    plan_services.enroll(course=course, cases=[full, partial, elsewhere])
    sessions = [
        plan_services.add_session(
            course=course, on=date(YEAR, 3, d), hours=Decimal("8"), topic=f"第{d}课", today=date(2024, 12, 31)
        )
        for d in (11, 12, 13)
    ]
    e = {x.case_id: x.pk for x in course.enrollments.all()}
    for i, s in enumerate(sessions):
        plan_services.record_attendance(
            session=s, present_ids=[e[full.pk], e[elsewhere.pk]] + ([e[partial.pk]] if i < 2 else [])
        )
    plan_services.record_scores(course=course, scores={e[full.pk]: Decimal("85"), e[partial.pk]: Decimal("50")})

    town = plan_selectors.training_summary(world.township, YEAR)
    (c,) = town.courses
    assert (c.enrolled, c.completed, c.tested, c.passed) == (3, 2, 2, 1)
    a = plan_selectors.training_summary(world.branch_a, YEAR)  # only branch A's people
    assert (a.enrolled, a.completed, a.passed) == (2, 1, 1)
    assert plan_selectors.training_summary(world.township, YEAR + 1).courses == ()

    activists = plan_services.create_course(
        org=world.township, title="积极分子培训班", audience="入党积极分子", year=YEAR
    )
    plan_services.enroll(course=activists, cases=[partial])
    s1, _s2 = (
        plan_services.add_session(
            course=activists, on=date(YEAR, 5, d), hours=Decimal("4"), topic="课", today=date(2024, 12, 31)
        )
        for d in (1, 2)
    )
    plan_services.record_attendance(session=s1, present_ids=[activists.enrollments.get().pk])
    by = {x.title: x for x in plan_selectors.training_summary(world.township, YEAR).courses}
    assert by["积极分子培训班"].completed == 0  # missed one of two sessions

    from dangjian.reports.survey import build_report

    text = build_report(world.township, YEAR, today=AFTER).text()
    assert "培训班2期，参训4人次，按规定完成集中培训2人次，考试合格1人次" in text


def test_the_months_topic_is_on_the_todo_page_with_links_to_record_it(world, client_for):
    today = timezone.localdate()
    p = plan_services.create_plan(org=world.township, year=today.year, today=today)
    item = plan_services.add_item(
        plan=p,
        data=plan_services.ItemInput(
            month_from=today.month, month_to=today.month, topic="本月专题", hours=Decimal("2")
        ),
    )
    html = client_for("secretary_a").get(reverse("meetings:todo")).content.decode()
    box = html.split('id="todo-study"')[1].split("</ul>")[0]
    assert "本月专题" in box
    assert f"{reverse('meetings:add')}?org={world.branch_a.pk}&plan_item={item.pk}" in box
    assert f"{reverse('study:add')}?org={world.branch_a.pk}&plan_item={item.pk}" in box


def test_member_hours_agree_on_the_page_the_summary_and_the_ledger(world, client_for):
    """A past year counts that year's members: one who left in 2025 is in the 2024 list and
    ledger, one who joined in 2025 is not; 自学 is shown apart and never toward the 32 学时."""
    from dangjian.members.models import Member
    from dangjian.study.selectors import branch_member_hours, study_summary

    a = world.branch_a
    left = world.members_a[4]
    newcomer = Member.objects.create(
        name="新党员", sex="男", birth_date=date(1999, 1, 1), kind="预备党员", branch=a, joined_on=date(2025, 6, 1)
    )
    ids = [m.pk for m in world.members_a]
    services.add_activity(
        org=a, kind=StudyKind.CENTRAL, on=date(YEAR, 4, 1), hours=Decimal("32"), topic="集中轮训",
        member_ids=ids, today=date(2024, 12, 31),
    )  # fmt: skip
    services.add_activity(
        org=a, kind=StudyKind.SELF, on=date(YEAR, 5, 1), hours=Decimal("3"), topic="自学党章",
        member_ids=ids[:2], today=date(2024, 12, 31),
    )  # fmt: skip
    Member.objects.filter(pk=left.pk).update(is_current=False, left_on=date(2025, 3, 1))  # moved away later
    rows = branch_member_hours(a, YEAR, today=AFTER)
    names = {r["name"] for r in rows}
    assert left.name in names and newcomer.name not in names
    s = study_summary(a, YEAR, today=AFTER)
    assert len(rows) == s.members and sum(r["done"] for r in rows) == s.members_meeting_target == len(ids)
    by = {r["member_id"]: r for r in rows}
    assert by[ids[0]]["self_study"] == Decimal("3") and by[ids[0]]["hours"] == Decimal("32")

    resp = client_for("secretary_a").get(reverse("study:list") + f"?year={YEAR}&export=xlsx")
    ws = load_workbook(BytesIO(resp.content)).active
    ledger = [r for r in ws.iter_rows(min_row=3, values_only=True) if r[1]]
    assert len(ledger) == s.members
    row = next(r for r in ledger if r[1] == world.members_a[0].name)
    assert (row[2], row[3], row[6]) == (32, 3, "是")


def test_an_item_is_due_once_its_last_day_is_over(world):
    p = plan_services.create_plan(org=world.township, year=YEAR, today=date(2024, 12, 31))
    plan_services.add_item(
        plan=p, data=plan_services.ItemInput(month_from=11, month_to=12, topic="年末专题", hours=Decimal("2"))
    )
    feb = plan_services.add_item(
        plan=p, data=plan_services.ItemInput(month_from=2, month_to=2, topic="二月专题", hours=Decimal("2"))
    )

    def due(on):
        return {s.topic: s.due for s in plan_selectors.plan_progress(world.branch_a, YEAR, as_of=on).branches[0].items}

    assert due(date(2024, 12, 30)) == {"年末专题": False, "二月专题": True}
    assert due(date(2024, 12, 31)) == {"年末专题": True, "二月专题": True}  # the year judged at its last day
    assert due(date(2024, 2, 28))[feb.topic] is False and due(date(2024, 2, 29))[feb.topic] is True  # leap year

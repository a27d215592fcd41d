"""The survey report: every figure from the data, missing figures flagged, problems only
with evidence, the official document's structure."""

import io
from dataclasses import replace
from datetime import date, time
from decimal import Decimal

import pytest
from docx import Document

from dangjian.actions.types import TaskRow, TaskSummary
from dangjian.dues.types import BranchDues, DuesSummary
from dangjian.inspections.types import InspectionSummary, OverdueItem
from dangjian.integrity.types import SignalSummary
from dangjian.lifecycle.types import LifecycleSummary
from dangjian.meetings.types import Art9Counts, ComplianceSummary, MemberAttendance
from dangjian.orgs.models import Organization
from dangjian.points.types import PointsSummary
from dangjian.reports import sources
from dangjian.reports.official_doc import docx_bytes, xlsx_bytes
from dangjian.reports.survey import build_report
from dangjian.reports.testing import build_township, load_stats_demo
from dangjian.reviews.types import AppraisalSummary, RatingSummary
from dangjian.stats.models import SpecialtyIndustry, TownshipYearStats
from dangjian.study.types import StudySummary

TODAY = date(2026, 11, 29)


@pytest.fixture
def township(db):
    t = build_township()
    load_stats_demo([t])
    return t


def _docx_text(report) -> tuple[str, list]:
    doc = Document(io.BytesIO(docx_bytes(report)))
    return "\n".join(p.text for p in doc.paragraphs), doc


def test_demo_2023_report_states_the_source_figures_from_the_data(township):
    report = build_report(township, 2023, today=TODAY)
    text, doc = _docx_text(report)
    for phrase in (
        "17个社区居委会",
        "106个居民小组",
        "户籍人口20669户72341人",
        "常住人口28441户99544人",
        "党支部40个",
        "机关党支部1个",
        "社区党支部39个",
        "党员1494名",
        "2022年全镇实现生产总值5.08亿元",
        "居民人均可支配收入26987元",
        "非公有制企业3392家",
        "从业人员13980人",
        "净利润7590万元",
        "花椒421亩",
        "油橄榄3342亩",
        "樱桃2500亩",
        "油橄榄收入1340万元",
        "樱桃收入986万元",
        "输出劳动力1349人",
        "输出前技能培训468人",
        "引导性培训185人",
        "劳务收入852万元",
        "数据缺失：2022年花椒收入",
    ):
        assert phrase in text, phrase
    assert "花椒收入万元" not in text and "花椒收入数据缺失" in text  # flagged, never a blank
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、基本情况", "二、工作开展情况", "三、存在问题", "四、下一步打算"]


def test_changing_a_statistic_changes_the_report(township):
    s = TownshipYearStats.objects.get(org=township, year=2022)
    s.gdp = Decimal("5.31")
    s.save()
    ind = SpecialtyIndustry.objects.get(stats=s, crop="花椒")
    ind.revenue = Decimal("190")
    ind.save()
    text = build_report(township, 2023, today=TODAY).text()
    assert "生产总值5.31亿元" in text and "5.08" not in text
    assert "花椒收入190万元" in text and "数据缺失：2022年花椒收入" not in text


def test_deleting_a_meeting_changes_the_report(world):
    from dangjian.meetings.models import Meeting, MeetingKindLink

    def meeting(day, kind):
        m = Meeting.objects.create(
            org=world.branch_a,
            branch=world.branch_a,
            date=day,
            start_time=time(9),
            end_time=time(10),
            place="会议室",
            topic="学习",
        )
        MeetingKindLink.objects.create(meeting=m, kind=kind, branch=world.branch_a, date=day)
        return m

    meeting(date(2023, 3, 1), "party_lecture")
    last = meeting(date(2023, 4, 1), "party_lecture")
    before = build_report(world.township, 2023, today=TODAY).text()
    assert "党课2次" in before
    last.delete()
    after = build_report(world.township, 2023, today=TODAY).text()
    assert "党课1次" in after and "党课2次" not in after


# --- problems: only from data, each with evidence ------------------------------------------


def _complete(branches):
    """Every contract answering as a township whose records are complete (typed results)."""
    names = [b.name for b in branches]
    return {
        "compliance_summary": ComplianceSummary(
            year=2023,
            as_of=TODAY,
            meetings_by_kind={"支部党员大会": 8, "党课": 8},
            party_lectures=8,
            meetings=16,
            rate=1.0,
            required_periods=8,
            held_periods=8,
            branches=[
                {
                    "branch_id": b.id,
                    "branch": b.name,
                    "kind": "党课",
                    "period": "quarter",
                    "required": 4,
                    "held": 4,
                    "shortfall": 0,
                }
                for b in branches
            ],
            art9=Art9Counts(0, 0),
            heatmap={"months": ["1月"], "rows": []},
        ),
        "member_attendance": {1: MemberAttendance(attended=1, expected=1, rate=1.0)},
        "art9_members": [],
        "dues_summary": DuesSummary(
            year=2023,
            through=date(2023, 12, 1),
            due=Decimal("120"),
            paid=Decimal("120"),
            rate=1.0,
            members_in_arrears=0,
            arrears_amount=Decimal("0"),
            art9_over=0,
            art9_warning=0,
            by_branch=[BranchDues(b.id, b.name, Decimal("60"), Decimal("60"), 1.0) for b in branches],
        ),
        "study_summary": StudySummary(
            year=2023,
            required=32.0,
            sessions=24,
            hours_total=400.0,
            members=10,
            members_meeting_target=10,
            by_branch=[],
            member_hours={},
        ),
        "points_summary": PointsSummary(
            year=2023,
            branches=2,
            branches_applied=2,
            coverage=1.0,
            branches_not_applied=[],
            branch_ids_not_applied=[],
            member_totals={},
        ),
        "appraisal_summary": AppraisalSummary(branches=2, branches_done=2, grades={"优秀": 2, "合格": 8}, not_done=[]),
        "rating_summary": RatingSummary(rated=2, stars={5: 1}, model_branches=names[:1]),
        "inspection_summary": InspectionSummary(
            inspections=3, findings=4, carried_over=0, closed=4, open=0, overdue=[]
        ),
        "task_summary": TaskSummary(tasks=5, carried_over=0, done=5, in_progress=0, overdue=[], stalled=[]),
        "signal_summary": SignalSummary(open=0, total=0, by_kind={}),
        "lifecycle_summary": LifecycleSummary(
            applicants=3,
            activists=2,
            candidates=1,
            developed=1,
            probation_due=0,
            transfers_in=1,
            transfers_out=0,
            mobile=0,
            mobile_contact_overdue=0,
            lost=0,
        ),
    }


def _empty():
    """Every contract answering for a township that recorded nothing this year."""
    return {
        "compliance_summary": ComplianceSummary(
            year=2023,
            as_of=TODAY,
            meetings_by_kind={"党课": 0},
            party_lectures=0,
            meetings=0,
            rate=1.0,
            required_periods=0,
            held_periods=0,
            branches=[],
            art9=Art9Counts(0, 0),
            heatmap={"months": [], "rows": []},
        ),
        "member_attendance": {},
        "art9_members": [],
        "dues_summary": DuesSummary(2023, None, Decimal("0"), Decimal("0"), 0.0, 0, Decimal("0"), 0, 0, []),
        "study_summary": StudySummary(2023, 32.0, 0, 0.0, 0, 0, [], {}),
        "points_summary": PointsSummary(2023, 2, 0, 0.0, [], [], {}),
        "appraisal_summary": AppraisalSummary(2, 0, {"优秀": 0}, []),
        "rating_summary": RatingSummary(0, {}, []),
        "inspection_summary": InspectionSummary(0, 0, 0, 0, 0, []),
        "task_summary": TaskSummary(0, 0, 0, 0, [], []),
        "signal_summary": SignalSummary(0, 0, {}),
        "lifecycle_summary": LifecycleSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    }


# where each contract is read from (reports.sources imports these modules directly)
_OWNERS = {
    "compliance_summary": sources.meetings,
    "member_attendance": sources.meetings,
    "art9_members": sources.meetings,
    "dues_summary": sources.dues,
    "study_summary": sources.study,
    "points_summary": sources.points,
    "appraisal_summary": sources.reviews,
    "rating_summary": sources.reviews,
    "inspection_summary": sources.inspections,
    "task_summary": sources.actions,
    "signal_summary": sources.integrity,
    "lifecycle_summary": sources.lifecycle,
}


@pytest.fixture
def fake_sources(monkeypatch):
    """Answer every contract from a dict of typed results (the selectors are replaced)."""
    answers: dict = _empty()
    for name, module in _OWNERS.items():
        monkeypatch.setattr(module, name, lambda *a, _name=name, **k: answers[_name])
    return answers


def test_complete_records_get_no_invented_problems(world, fake_sources):
    fake_sources.update(_complete([world.branch_a, world.branch_b]))
    report = build_report(world.township, 2023, today=TODAY)
    assert report.problems == []
    assert report.unavailable == []
    text = report.text()
    assert "未发现需要指出的问题" in text
    assert "全年共召开支部党员大会8次、党课8次" in text and "组织生活落实率为100%" in text


def test_each_problem_names_branches_or_counts_and_its_figure(world, fake_sources):
    data = _complete([world.branch_a, world.branch_b])
    c = data["compliance_summary"]
    c.branches[1].update(held=1, shortfall=3)
    data["compliance_summary"] = replace(c, rate=0.625, art9=Art9Counts(over=1, warning=1))
    data["art9_members"] = [
        {"member_id": 1, "name": "周八", "branch": "西街", "gap_months": 7, "status": "达到六个月"},
        {"member_id": 2, "name": "吴九", "branch": "西街", "gap_months": 4, "status": "预警"},
    ]
    d = data["dues_summary"]
    data["dues_summary"] = replace(
        d,
        paid=Decimal("90"),
        rate=0.75,
        members_in_arrears=2,
        arrears_amount=Decimal("30"),
        by_branch=[d.by_branch[0], replace(d.by_branch[1], paid=Decimal("30"), rate=0.5)],
    )
    data["points_summary"] = replace(
        data["points_summary"], branches_applied=1, coverage=0.5, branches_not_applied=["西街社区党支部"]
    )
    data["inspection_summary"] = replace(
        data["inspection_summary"],
        open=1,
        closed=3,
        overdue=[OverdueItem(branch="东街社区党支部", title="会议记录不全", deadline=date(2023, 6, 30))],
    )
    data["task_summary"] = replace(
        data["task_summary"],
        done=4,
        overdue=[TaskRow(title="建设党群服务站", org="东街社区党支部", deadline=date(2023, 9, 1), last_report_on=None)],
    )
    data["signal_summary"] = SignalSummary(open=2, total=2, by_kind={"会议记录雷同": 2})
    fake_sources.update(data)
    report = build_report(world.township, 2023, today=TODAY)
    by_title = {p.title: p for p in report.problems}
    org_life = by_title["组织生活制度落实不到位"]
    assert "西街社区党支部" in org_life.evidence and "应开4次、实开1次，少3次" in org_life.evidence
    assert "62.5%" in org_life.evidence and "东街社区党支部" not in org_life.evidence
    art9 = by_title["部分党员长期不参加组织生活"]
    assert "1名党员已连续6个月以上" in art9.evidence and "1名党员接近6个月" in art9.evidence
    assert "西街党支部" in art9.evidence and "第九条" in art9.evidence
    dues = by_title["党费收缴不及时"]
    assert "2名党员欠缴党费，合计30元" in dues.evidence and "西街社区党支部（50%）" in dues.evidence
    assert "西街社区党支部" in by_title["党员量化积分管理制度落实不严格"].evidence
    assert "会议记录不全" in by_title["督查发现问题整改不及时"].evidence
    assert "2023年6月30日" in by_title["督查发现问题整改不及时"].evidence
    assert "建设党群服务站" in by_title["“三抓三促”任务推进较慢"].evidence
    assert "2条" in by_title["部分工作记录存在形式主义疑点"].evidence
    assert len(report.problems) == 7
    # 四、下一步打算: one measure per problem, naming the branches concerned
    text = report.text()
    plans = text.split("四、下一步打算")[1]
    for p in report.problems:
        assert p.measure in plans
    assert "督促西街社区党支部对照规定频次，逐项补齐3次组织生活" in plans


def test_missing_capabilities_are_said_to_have_no_data(world, fake_sources):
    report = build_report(world.township, 2023, today=TODAY)  # every contract: no record this year
    text = report.text()
    assert report.problems == []
    assert "系统中暂无组织生活（会议记录）数据" in text and "系统中暂无党费收缴数据" in text
    assert "暂无数据：组织生活（三会一课）" in text
    assert "系统中暂无本级年度统计数据" in text


def test_a_crashing_source_fails_loudly_with_a_chinese_message(world, monkeypatch, client_for):
    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(sources.dues, "dues_summary", broken)
    with pytest.raises(sources.SourceError) as err:
        build_report(world.township, 2023, today=TODAY)
    assert isinstance(err.value.__cause__, RuntimeError)
    assert "党费收缴" in err.value.message
    # the user sees which capability could not be read — never a figure made up from it
    resp = client_for("admin").get("/reports/report/?year=2023&preview=1")
    assert resp.status_code == 500
    assert "读取“党费收缴”的数据时出错" in resp.content.decode()


def test_branch_report_is_an_annual_work_summary(world, fake_sources):
    fake_sources.update(_complete([world.branch_a]))
    report = build_report(world.branch_a, 2023, today=TODAY)
    assert report.title == "东街社区党支部2023年度工作总结"
    text = report.text()
    from dangjian.members.selectors import members_as_of

    n = members_as_of(world.branch_a, date(2023, 12, 31)).count()
    assert f"截至2023年12月31日，东街社区党支部有党员{n}名" in text and "经济社会发展" not in text


def test_district_report_covers_several_townships(db):
    t1 = build_township(members=40, communities=2, groups=4, community_branches=3)
    t2 = build_township(
        members=20,
        communities=1,
        groups=2,
        community_branches=1,
        district=Organization.objects.get_parent(t1),
        name="第二镇党委",
        area="620103",
    )
    load_stats_demo([t1, t2])
    report = build_report(Organization.objects.get_parent(t1), 2023, today=TODAY)
    text = report.text()
    assert "全区下辖2个镇（乡、街道）党委" in text and "党员60名" in text
    assert "区委下辖党支部6个" in text
    assert f"居民人均可支配收入{t1.name}26987元" in text


def test_docx_is_an_official_document(township):
    report = build_report(township, 2023, today=TODAY)
    doc = Document(io.BytesIO(docx_bytes(report)))
    sec = doc.sections[0]
    assert round(sec.page_width.mm) == 210 and round(sec.page_height.mm) == 297
    assert [round(x.mm) for x in (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)] == [
        37,
        35,
        28,
        26,
    ]

    def east_asia(style):
        return style.element.rPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}rFonts").get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )

    assert east_asia(doc.styles["公文标题"]) == "方正小标宋简体" and doc.styles["公文标题"].font.size.pt == 22
    assert east_asia(doc.styles["Heading 1"]) == "黑体" and doc.styles["Heading 1"].font.size.pt == 16
    assert east_asia(doc.styles["Heading 2"]) == "楷体_GB2312"
    assert east_asia(doc.styles["Normal"]) == "仿宋_GB2312" and doc.styles["Normal"].font.size.pt == 16
    assert doc.paragraphs[0].style.name == "公文标题"
    levels = [p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert levels[0] == "Heading 1" and levels[1] == "Heading 2"
    # 一、 is always Heading 1 and （一） always Heading 2, in the document's order
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            assert p.text[1] == "、"
        if p.style.name == "Heading 2":
            assert p.text.startswith("（")
    footer_xml = sec.footer._element.xml
    assert "PAGE" in footer_xml and "— " in footer_xml
    font_table = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml").blob.decode()
    assert "仿宋_GB2312" in font_table and "FangSong" in font_table


def test_report_xlsx_holds_the_tables_behind_it(township):
    from openpyxl import load_workbook

    report = build_report(township, 2023, today=TODAY)
    wb = load_workbook(io.BytesIO(xlsx_bytes(report)))
    assert {"基本情况", "经济统计", "特色产业", "存在问题", "数据说明"} <= set(wb.sheetnames)
    basic = {r[0]: r[1] for r in wb["基本情况"].iter_rows(min_row=3, values_only=True)}
    assert basic["户籍人口"] == 72341 and basic["党员"] == 1494
    crops = {r[1]: r[3] for r in wb["特色产业"].iter_rows(min_row=3, values_only=True)}
    assert crops["花椒"] == "数据缺失" and crops["樱桃"] == 986
    notes = [r[1] for r in wb["数据说明"].iter_rows(min_row=3, values_only=True)]
    assert "2022年花椒收入" in notes


def test_docx_converts_to_pdf_with_libreoffice(township, tmp_path):
    import shutil
    import subprocess

    from dangjian.testsupport.world import require_or_skip

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require_or_skip(
        soffice is not None, "未安装 LibreOffice（apt-get install -y libreoffice-writer-nogui），跳过 PDF 转换测试"
    )
    src = tmp_path / "report.docx"
    src.write_bytes(docx_bytes(build_report(township, 2023, today=TODAY)))
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 5000

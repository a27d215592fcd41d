"""The 2023 report of the real demo township (all apps' demo steps)."""

import io
from datetime import date

import pytest
from docx import Document

from dangjian.reports.official_doc import docx_bytes
from dangjian.reports.survey import build_report


@pytest.fixture
def demo_township(db):
    import importlib

    from dangjian.demo.context import DEMO_STEPS, DemoContext

    ctx = DemoContext(scale="township", password="Demo-pass-2023", today=date(2026, 11, 29))
    for step in DEMO_STEPS:
        try:
            module = importlib.import_module(step)
        except ModuleNotFoundError as exc:
            if exc.name == step:
                continue
            raise
        module.load(ctx)
    return ctx


@pytest.mark.slow
def test_demo_2023_report(demo_township):
    report = build_report(demo_township.township, 2023, today=date(2026, 11, 29))
    doc = Document(io.BytesIO(docx_bytes(report)))
    text = "\n".join(p.text for p in doc.paragraphs)
    for phrase in (
        "17个社区居委会",
        "106个居民小组",
        "户籍人口20669户72341人",
        "常住人口28441户99544人",
        "党支部40个，其中机关党支部1个、社区党支部39个",
        "2022年全镇实现生产总值5.08亿元，居民人均可支配收入26987元",
        "非公有制企业3392家，从业人员13980人，实现净利润7590万元",
        "种植花椒421亩、油橄榄3342亩、樱桃2500亩",
        "油橄榄收入1340万元、樱桃收入986万元",
        "全年输出劳动力1349人，开展输出前技能培训468人、引导性培训185人，实现劳务收入852万元",
        "2022年花椒收入",
    ):
        assert phrase in text, phrase
    assert "花椒收入万元" not in text
    # members: the roster as the report is written (the demo township creates 1,494; other
    # apps' demo steps then record transfers and deaths, so the figure is read, not fixed)
    from dangjian.members.models import Member

    current = Member.objects.filter(branch__path__startswith=demo_township.township.path, is_current=True).count()
    assert f"共有党员{current}名" in text
    assert abs(current - 1494) <= 5
    # every problem states its evidence with a figure
    for p in report.problems:
        assert any(ch.isdigit() for ch in p.evidence), p.title

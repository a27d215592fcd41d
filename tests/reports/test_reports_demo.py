"""The 2023 report of the real demo township (all apps' demo steps)."""

import io
from datetime import date

import pytest
from django.db.models import Q
from docx import Document

from dangjian.reports.official_doc import docx_bytes
from dangjian.reports.survey import build_report


@pytest.fixture
def demo_township(db):
    from dangjian.demo.context import DemoContext
    from dangjian.demo.steps import run_all

    ctx = DemoContext(scale="township", password="Demo-pass-2023", today=date(2026, 11, 29))
    run_all(ctx)
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
    # members: those of 2023 (on the roster on 31 December 2023), not today's — the demo
    # township creates 1,494; other apps' demo steps then record joins, transfers and deaths
    from dangjian.members.models import Member
    from dangjian.members.selectors import members_as_of

    path = demo_township.township.path
    then = members_as_of(demo_township.township, date(2023, 12, 31)).count()
    assert "截至2023年12月31日共有党员" in text
    assert f"共有党员{then}名" in text
    end = date(2023, 12, 31)
    joined_later = (
        Member.objects.filter(branch__path__startswith=path, is_current=True)
        .filter(Q(joined_on__gt=end) | Q(joined_org_on__gt=end))
        .count()
    )
    left_since = (
        Member.objects.filter(branch__path__startswith=path, is_current=False, left_on__gt=end, joined_on__lte=end)
        .exclude(joined_org_on__gt=end)
        .count()
    )
    current = Member.objects.filter(branch__path__startswith=path, is_current=True).count()
    assert then == current - joined_later + left_since
    # every problem states its evidence with a figure
    for p in report.problems:
        assert any(ch.isdigit() for ch in p.evidence), p.title

"""Every .docx the project makes prints: A4, page numbers, 公文 fonts, signature lines, local
times. LibreOffice (soffice) converts them all to PDF once; pdfinfo/pdftotext read the result."""

import io
import re
import shutil
import subprocess
from datetime import time
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document

from dangjian.meetings import documents, services
from dangjian.meetings.models import Attendance, Kind, Meeting
from dangjian.testsupport.world import require_or_skip

pytestmark = pytest.mark.django_db


def _docs(world) -> dict[str, bytes]:
    from dangjian.lifecycle import letters
    from dangjian.lifecycle.models import Transfer
    from dangjian.reports import official_doc
    from dangjian.reports.survey import build_report

    a = world.members_a
    today = timezone.localdate()
    data = services.MeetingInput(
        org=world.branch_a,
        kinds=[Kind.THEME_DAY],
        date=today,
        start_time=time(9, 0),
        end_time=time(10, 0),
        place="活动室",
        topic="学习党章",
        host_id=a[0].pk,
        recorder_id=a[1].pk,
        minutes="\n".join(f"第{i}项：学习讨论。" for i in range(60)),  # long enough for two pages
        attendance=[services.AttendanceInput(m.pk) for m in a[:4]]
        + [services.AttendanceInput(a[4].pk, Attendance.Status.EXCUSED, "外出务工")],
    )
    meeting, _ = services.record_meeting(user=world.user("secretary_a"), data=data)
    transfer = Transfer.objects.create(
        member=a[3],
        direction="转出",
        branch=world.branch_a,
        date=today,
        reach="县外",
        other_org="中共某街道工委",
        valid_days=30,
        letter_year=today.year,
        letter_no=1,
    )
    report = build_report(world.township, today.year, today=today)
    return {
        "meeting": documents.meeting_docx(meeting),
        "yearbook": documents.year_book_docx(world.branch_a, today.year, Meeting.objects.all()),
        "letter": letters.letter_docx(transfer, id_text="6201**********1234", issuer="中共测试镇委员会"),
        "receipt": letters.receipt_docx(transfer, issuer="中共测试镇委员会"),
        "survey": official_doc.docx_bytes(report),
    }, meeting


@pytest.fixture
def made(world):
    return _docs(world)


@pytest.fixture
def pdfs(world, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    require_or_skip(soffice is not None and shutil.which("pdfinfo") is not None, "未安装 LibreOffice 或 poppler-utils")
    docs, meeting = _docs(world)
    for name, content in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(content)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path), *[str(tmp_path / f"{n}.docx") for n in docs]],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return {n: tmp_path / f"{n}.pdf" for n in docs}, docs, meeting


def _info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def test_every_docx_converts_to_a4_pdf_with_page_numbers(pdfs):
    files, docs, _meeting = pdfs
    for name, pdf in files.items():
        assert pdf.exists(), name
        info = _info(pdf)
        assert "(A4)" in info, f"{name}: {info}"
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        for p in range(1, pages + 1):
            assert re.search(rf"—\s*{p}\s*—", _text(pdf, p)), f"{name} page {p} has no page number"
    assert int(next(x.split()[-1] for x in _info(files["meeting"]).splitlines() if x.startswith("Pages:"))) >= 2


def test_meeting_record_has_signature_lines_local_time_and_gongwen_fonts(made):
    docs, meeting = made
    doc = Document(io.BytesIO(docs["meeting"]))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "主持人（签字）" in text and "记录人（签字）" in text
    assert f"录入时间：{timezone.localtime(meeting.created_at):%Y年%m月%d日 %H:%M}" in text
    rfonts = doc.styles["Normal"].element.rPr.rFonts
    assert rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)


def test_letter_keeps_stub_and_receipt_and_survey_has_signature_and_tables(made, world):
    docs, _m = made
    letter = "\n".join(p.text for p in Document(io.BytesIO(docs["letter"])).paragraphs)
    assert "（存根）" in letter and "回　执" in letter and "骑缝" in letter
    survey = Document(io.BytesIO(docs["survey"]))
    paras = [p.text for p in survey.paragraphs]
    assert world.township.name + "　　" in paras
    assert any(p.startswith("附表1") for p in paras)
    assert len(survey.tables) >= 1

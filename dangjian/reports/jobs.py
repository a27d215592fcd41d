"""The survey report (Word) and its tables (Excel) as background jobs (core.jobs): a county
report takes many seconds, so the browser gets the progress page and the file when done.
`manage.py report` stays synchronous."""

from __future__ import annotations

from dangjian.core import jobs


def _build(request, progress):
    from dangjian.core import figures
    from dangjian.reports.survey import build_report
    from dangjian.reports.views import _org, _year

    org, year = _org(request), _year(request)
    progress.check("正在汇总各项数据")
    with figures.scope():
        report = build_report(org, year)
    progress.step("正在写入文件")
    return report


@jobs.job_kind("report_docx", "调研报告（Word）生成", content_type=jobs.DOCX, suffix=".docx", unit="步")
def report_docx(*, job, request, progress, target) -> str:
    from dangjian.reports.official_doc import docx_bytes

    target.write(docx_bytes(_build(request, progress)))
    progress.step("")
    return ""


@jobs.job_kind("report_xlsx", "调研报告数据表（Excel）生成", unit="步")
def report_xlsx(*, job, request, progress, target) -> str:
    from dangjian.reports.official_doc import xlsx_bytes

    target.write(xlsx_bytes(_build(request, progress), user=request.user))
    progress.step("")
    return ""

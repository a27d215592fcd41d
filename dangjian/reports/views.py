"""The dashboard and the survey report page (download .docx / .xlsx)."""

from datetime import date
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import render

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES
from dangjian.accounts.scope import orgs_in_scope, scope_root
from dangjian.core.xlsx import xlsx_response
from dangjian.orgs.models import OrgType
from dangjian.reports import dashboard as dashboard_data
from dangjian.reports.official_doc import docx_bytes, xlsx_bytes
from dangjian.reports.survey import build_report

FIRST_YEAR = 2018
REPORT_ORG_TYPES = (OrgType.HIGHER, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.JOINT_BRANCH)


def _year(request) -> int:
    today = date.today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        raise Http404("年份不正确") from None
    if not FIRST_YEAR <= year <= today.year:
        raise Http404("年份不正确")
    return year


def _org(request):
    """The organization chosen by ?org= among those in scope (default: the user's own)."""
    wanted = request.GET.get("org")
    qs = orgs_in_scope(request.user).filter(org_type__in=REPORT_ORG_TYPES)
    if wanted:
        try:
            org = qs.filter(pk=int(wanted)).first()
        except ValueError:
            org = None
        if org is None:
            raise Http404("未找到或无权查看")
        return org
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有所属党组织")
    return root


def _years():
    return list(range(date.today().year, FIRST_YEAR - 1, -1))


@scoped(roles=STAFF_ROLES)
def dashboard(request):
    year, org = _year(request), _org(request)
    data = dashboard_data.build(org, year)
    return render(
        request,
        "reports/dashboard.html",
        {"data": data, "year": year, "org": org, "years": _years(), "charts": data["charts"]},
    )


@scoped(roles=STAFF_ROLES)
def report_page(request):
    year, org = _year(request), _org(request)
    orgs = orgs_in_scope(request.user).filter(org_type__in=REPORT_ORG_TYPES)
    report = build_report(org, year) if request.GET.get("preview") else None
    return render(
        request,
        "reports/report.html",
        {"year": year, "org": org, "orgs": orgs, "years": _years(), "report": report},
    )


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@scoped(roles=STAFF_ROLES)
def report_docx(request):
    report = build_report(_org(request), _year(request))
    return _attachment(
        docx_bytes(report),
        f"{report.filename}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@scoped(roles=STAFF_ROLES)
def report_xlsx(request):
    report = build_report(_org(request), _year(request))
    return xlsx_response(xlsx_bytes(report, user=request.user), f"{report.filename}.xlsx")

"""The dashboard and the survey report page (download .docx / .xlsx)."""

from django.http import Http404
from django.shortcuts import render

from dangjian.accounts.access import scoped
from dangjian.accounts.roles import STAFF_ROLES
from dangjian.accounts.scope import orgs_in_scope, scope_root
from dangjian.core import clock, figures, params
from dangjian.orgs.models import OrgType
from dangjian.reports import dashboard as dashboard_data
from dangjian.reports.survey import build_report

FIRST_YEAR = 2018
REPORT_ORG_TYPES = (OrgType.HIGHER, OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH, OrgType.JOINT_BRANCH)


def _year(request) -> int:
    """A report year (FIRST_YEAR … this year); anything else is a 400 with the reason."""
    return params.year(request.GET, first=FIRST_YEAR, last=clock.today().year, strict=True)


def _org(request):
    """The organization chosen by ?org= among those in scope (default: the user's own)."""
    wanted = request.GET.get("org")
    qs = orgs_in_scope(request.user).filter(org_type__in=REPORT_ORG_TYPES)
    if wanted:
        org = qs.filter(pk=params.pk(request.GET, "org", label="党组织编号")).first()
        if org is None:
            raise Http404("未找到或无权查看")
        return org
    root = scope_root(request.user)
    if root is None:
        raise Http404("您的账号没有所属党组织")
    return root


def _years():
    return list(range(clock.today().year, FIRST_YEAR - 1, -1))


@scoped(roles=STAFF_ROLES)
def dashboard(request):
    year, org = _year(request), _org(request)
    with figures.scope():
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
    with figures.scope():
        report = build_report(org, year) if request.GET.get("preview") else None
    return render(
        request,
        "reports/report.html",
        {"year": year, "org": org, "orgs": orgs, "years": _years(), "report": report},
    )


def _report_job(request, kind: str, suffix: str):
    """The report is built in the background (core.jobs): a county report takes many seconds.
    The year and organization are checked here, so a wrong one is refused at once."""
    from django.shortcuts import redirect

    from dangjian.core import jobs
    from dangjian.reports.survey import report_filename

    org, year = _org(request), _year(request)
    params = f"year={year}&org={org.pk}"
    job = jobs.start(request, kind, total=2, filename=f"{report_filename(org, year)}{suffix}", params=params, org=org)
    return redirect("core:job", job=str(job.pk))


@scoped(roles=STAFF_ROLES)
def report_docx(request):
    return _report_job(request, "report_docx", ".docx")


@scoped(roles=STAFF_ROLES)
def report_xlsx(request):
    return _report_job(request, "report_xlsx", ".xlsx")

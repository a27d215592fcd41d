from django.urls import include, path

from dangjian.shell import views as shell_views

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("healthz", shell_views.healthz, name="healthz"),
    path("accounts/", include("dangjian.accounts.urls")),
    path("orgs/", include("dangjian.orgs.urls")),
    path("members/", include("dangjian.members.urls")),
    path("lifecycle/", include("dangjian.lifecycle.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("study/", include("dangjian.study.urls")),
    path("points/", include("dangjian.points.urls")),
    path("reviews/", include("dangjian.reviews.urls")),
    path("inspections/", include("dangjian.inspections.urls")),
    path("actions/", include("dangjian.actions.urls")),
    path("stats/", include("dangjian.stats.urls")),
    path("reports/", include("dangjian.reports.urls")),
    path("integrity/", include("dangjian.integrity.urls")),
    path("core/", include("dangjian.shell.urls")),
]

handler403 = "dangjian.shell.views.forbidden"
handler404 = "dangjian.shell.views.not_found"
handler500 = "dangjian.shell.views.server_error"

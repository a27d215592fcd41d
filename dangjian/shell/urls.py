from django.urls import path

from dangjian.shell import views_audit, views_jobs

app_name = "core"
urlpatterns = [
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
    path("jobs/<str:job>/", views_jobs.job_page, name="job"),
    path("jobs/<str:job>/progress/", views_jobs.job_progress, name="job_progress"),
    path("jobs/<str:job>/stop/", views_jobs.job_cancel, name="job_cancel"),
    path("jobs/<str:job>/download/", views_jobs.job_download, name="job_download"),
]

from django.urls import path

from dangjian.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.report_page, name="report"),
    path("report.docx", views.report_docx, name="report_docx"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
]

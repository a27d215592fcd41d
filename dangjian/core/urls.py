from django.urls import path

from dangjian.core import views_audit

app_name = "core"
urlpatterns = [
    path("audit/", views_audit.audit_list, name="audit"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
]

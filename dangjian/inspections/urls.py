from django.urls import path

from dangjian.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("problems/", views.problems, name="problems"),
    path("<int:inspection>/", views.inspection_detail, name="detail"),
    path("findings/<int:finding>/", views.finding_detail, name="finding"),
    path("findings/<int:finding>/evidence/", views.finding_evidence, name="finding_evidence"),
    path("items/<int:item>/report/", views.item_report, name="item_report"),
    path("items/<int:item>/close/", views.item_close, name="item_close"),
    path("items/<int:item>/evidence/", views.item_evidence, name="item_evidence"),
]

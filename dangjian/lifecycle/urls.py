from django.urls import path

from dangjian.lifecycle import views

app_name = "lifecycle"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case>/", views.case_detail, name="case"),
    path("cases/<int:case>/step/", views.case_step, name="case_step"),
    path("probation/", views.probation, name="probation"),
    path("probation/<int:member>/", views.probation_decide, name="probation_decide"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/in/", views.transfer_in, name="transfer_in"),
    path("transfers/<int:transfer>/letter.docx", views.letter, name="letter"),
    path("members/<int:member>/", views.member_page, name="member"),
    path("members/<int:member>/transfer-out/", views.transfer_out, name="transfer_out"),
    path("members/<int:member>/mobile/", views.mobile_register, name="mobile_register"),
    path("members/<int:member>/contact/", views.mobile_contact, name="mobile_contact"),
    path("members/<int:member>/return/", views.mobile_return, name="mobile_return"),
    path("members/<int:member>/status/", views.status, name="status"),
    path("mobile/", views.mobile, name="mobile"),
]

from django.urls import path

from dangjian.dues import views, views_adjust

app_name = "dues"
urlpatterns = [
    path("collect/", views.collect, name="collect"),
    path("collect/save/", views.collect_save, name="collect_save"),
    path("arrears/", views.arrears, name="arrears"),
    path("member/<int:member>/", views.member_detail, name="member"),
    path("member/<int:member>/pay/", views.pay, name="pay"),
    path("payment/<int:payment>/void/", views.void, name="void"),
    path("member/<int:member>/reduction/", views.reduction_add, name="reduction_add"),
    path("member/<int:member>/base-change/", views_adjust.base_change, name="base_change"),
    path("member/<int:member>/host-payment/", views_adjust.host_payment, name="host_payment"),
    path("mine/", views.mine, name="mine"),
    path("bases/", views.bases, name="bases"),
    path("bases/save/", views.bases_save, name="bases_save"),
    path("bases/import/", views.import_view, name="import"),
    path("settings/", views.branch_settings, name="settings"),
    path("ledger/", views.ledger, name="ledger"),
    path("summary/", views.summary, name="summary"),
    path("notice/", views.notice, name="notice"),
    path("notice/spending/", views.expenditure_add, name="expenditure_add"),
]

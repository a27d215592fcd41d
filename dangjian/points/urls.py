from django.urls import path

from dangjian.points import views

app_name = "points"
urlpatterns = [
    path("", views.points_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("member/<int:member>/", views.member_detail, name="member"),
    path("member/<int:member>/propose/", views.propose, name="propose"),
    path("item/<int:manual_point>/decide/", views.decide, name="decide"),
    path("confirm/", views.confirm, name="confirm"),
    path("rules/", views.rules, name="rules"),
    path("ranking/", views.ranking, name="ranking"),
]

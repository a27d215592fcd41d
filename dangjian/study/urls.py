from django.urls import path

from dangjian.study import views

app_name = "study"
urlpatterns = [
    path("", views.study_list, name="list"),
    path("add/", views.study_add, name="add"),
    path("mine/", views.mine, name="mine"),
]

from django.urls import path

from dangjian.members import views, views_home

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("add/", views.add, name="add"),
    path("me/", views.me, name="me"),
    path("home/", views_home.member_home, name="home"),
    path("large-print/", views_home.large_print, name="large_print"),
    path("export/", views.export, name="export"),
    path("import/", views.import_roster, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/errors/", views.import_errors, name="import_errors"),
    path("<int:member>/", views.detail, name="detail"),
    path("<int:member>/edit/", views.edit, name="edit"),
    path("<int:member>/reveal/", views.reveal, name="reveal"),
]

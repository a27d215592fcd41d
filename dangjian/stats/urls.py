from django.urls import path

from dangjian.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.stats_list, name="list"),
    path("<int:year>/edit/", views.stats_edit, name="edit"),
    path("template.xlsx", views.stats_template, name="template"),
    path("import/", views.stats_import, name="import"),
]

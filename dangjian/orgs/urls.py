from django.urls import path

from dangjian.orgs import views, views_import

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:org>/", views.detail, name="detail"),
    path("<int:org>/edit/", views.edit, name="edit"),
    path("<int:org>/add/", views.add_child, name="add_child"),
    path("<int:org>/posts/add/", views.post_add, name="post_add"),
    path("posts/<int:post>/end/", views.post_end, name="post_end"),
    path("<int:org>/terms/add/", views.term_add, name="term_add"),
    path("units/", views.units, name="units"),
    path("units/figures/", views.unit_figures, name="unit_figures"),
    path("import/", views_import.import_orgs, name="import"),
    path("units/import/", views_import.import_units, name="import_units"),
    path("import/template/<str:what>.xlsx", views_import.import_template, name="import_template"),
]

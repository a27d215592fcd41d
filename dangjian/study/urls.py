from django.urls import path

from dangjian.study import plan_views, views

app_name = "study"
urlpatterns = [
    path("", views.study_list, name="list"),
    path("add/", views.study_add, name="add"),
    path("mine/", views.mine, name="mine"),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:plan>/items/add/", plan_views.item_add, name="item_add"),
    path("items/<int:item>/", plan_views.item_detail, name="item"),
    path("materials/", plan_views.material_list, name="materials"),
    path("materials/add/", plan_views.material_add, name="material_add"),
    path("materials/<int:material>/", plan_views.material_detail, name="material"),
    path("materials/<int:material>/file/", plan_views.material_file, name="material_file"),
    path("courses/", plan_views.course_list, name="courses"),
    path("courses/new/", plan_views.course_create, name="course_create"),
    path("courses/<int:course>/", plan_views.course_detail, name="course"),
    path("courses/<int:course>/update/", plan_views.course_post, name="course_post"),
    path("courses/<int:course>/paper/", plan_views.course_paper, name="course_paper"),
]

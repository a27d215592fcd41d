from django.urls import path

from dangjian.actions import views

app_name = "actions"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("schedule/", views.schedule, name="schedule"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:plan>/", views.plan_detail, name="plan"),
    path("tasks/<int:task>/", views.task_detail, name="task"),
    path("tasks/<int:task>/report/", views.task_report, name="task_report"),
    path("tasks/<int:task>/milestones/", views.milestone_new, name="milestone_new"),
    path("milestones/<int:milestone>/done/", views.milestone_done, name="milestone_done"),
    path("reports/<int:report>/evidence/", views.report_evidence, name="report_evidence"),
]

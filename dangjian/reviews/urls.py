from django.urls import path

from dangjian.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("open/", views.appraisal_open, name="open"),
    path("<int:appraisal>/", views.appraisal_detail, name="appraisal"),
    path("<int:appraisal>/study/", views.appraisal_study, name="study"),
    path("<int:appraisal>/voting/", views.appraisal_voting, name="voting"),
    path("<int:appraisal>/paper/", views.appraisal_paper, name="paper"),
    path("<int:appraisal>/grades/", views.appraisal_grades, name="grades"),
    path("<int:appraisal>/complete/", views.appraisal_complete, name="complete"),
    path("<int:appraisal>/ledger.xlsx", views.appraisal_ledger, name="ledger"),
    path("entries/<int:entry>/self/", views.entry_self, name="entry_self"),
    path("entries/<int:entry>/dispose/", views.disposal_new, name="disposal_new"),
    path("commendation/", views.commendation, name="commendation"),
    path("mine/", views.mine, name="mine"),
    path("disposals/", views.disposal_list, name="disposals"),
    path("disposals/<int:disposal>/", views.disposal_detail, name="disposal"),
    path("disposals/<int:disposal>/decide/", views.disposal_decide, name="disposal_decide"),
    path("disposals/<int:disposal>/leave/", views.disposal_leave, name="disposal_leave"),
    path("steps/<int:step>/", views.disposal_step, name="step"),
    path("steps/<int:step>/document/", views.step_document, name="step_document"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/template/", views.rating_template, name="rating_template"),
    path("ratings/<int:branch>/", views.rating_detail, name="rating"),
    path("scores/<int:score>/document/", views.score_document, name="score_document"),
]

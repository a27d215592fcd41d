from django.urls import path

from dangjian.reviews.views import appraisal, disposal, mine, ratings

app_name = "reviews"
urlpatterns = [
    path("", appraisal.appraisal_list, name="list"),
    path("open/", appraisal.appraisal_open, name="open"),
    path("<int:appraisal>/", appraisal.appraisal_detail, name="appraisal"),
    path("<int:appraisal>/study/", appraisal.appraisal_study, name="study"),
    path("<int:appraisal>/voting/", appraisal.appraisal_voting, name="voting"),
    path("<int:appraisal>/paper/", appraisal.appraisal_paper, name="paper"),
    path("<int:appraisal>/grades/", appraisal.appraisal_grades, name="grades"),
    path("<int:appraisal>/complete/", appraisal.appraisal_complete, name="complete"),
    path("<int:appraisal>/ledger.xlsx", appraisal.appraisal_ledger, name="ledger"),
    path("entries/<int:entry>/self/", appraisal.entry_self, name="entry_self"),
    path("entries/<int:entry>/dispose/", disposal.disposal_new, name="disposal_new"),
    path("commendation/", appraisal.commendation, name="commendation"),
    path("mine/", mine.mine, name="mine"),
    path("disposals/", disposal.disposal_list, name="disposals"),
    path("disposals/<int:disposal>/", disposal.disposal_detail, name="disposal"),
    path("disposals/<int:disposal>/decide/", disposal.disposal_decide, name="disposal_decide"),
    path("disposals/<int:disposal>/leave/", disposal.disposal_leave, name="disposal_leave"),
    path("steps/<int:step>/", disposal.disposal_step, name="step"),
    path("steps/<int:step>/document/", disposal.step_document, name="step_document"),
    path("ratings/", ratings.ratings, name="ratings"),
    path("ratings/template/", ratings.rating_template, name="rating_template"),
    path("ratings/<int:branch>/", ratings.rating_detail, name="rating"),
    path("scores/<int:score>/document/", ratings.score_document, name="score_document"),
]

from django.urls import path

from dangjian.meetings import views, views_notices

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("todo/", views.todo, name="todo"),
    path("add/", views.meeting_add, name="add"),
    path("<int:meeting>/", views.meeting_detail, name="detail"),
    path("<int:meeting>/edit/", views.meeting_edit, name="edit"),
    path("<int:meeting>/qr.svg", views.meeting_qr, name="qr"),
    path("<int:meeting>/signin/", views.signin, name="signin"),
    path("<int:meeting>/proxy/", views.proxy_signin, name="proxy"),
    path("<int:meeting>/upload/", views.attachment_upload, name="upload"),
    path("<int:meeting>/docx/", views.meeting_docx, name="docx"),
    path("attachments/<int:attachment>/", views.attachment_download, name="attachment"),
    path("yearbook/", views.year_book, name="yearbook"),
    path("compliance/", views.compliance, name="compliance"),
    path("art9/", views.art9, name="art9"),
    path("talks/", views.talks, name="talks"),
    path("mine/", views.mine, name="mine"),
    path("notices/", views_notices.notice_list, name="notices"),
    path("notices/add/", views_notices.notice_add, name="notice_add"),
    path("notices/<int:notice>/", views_notices.notice_detail, name="notice"),
    path("notices/<int:notice>/signin/", views_notices.notice_signin, name="notice_signin"),
    path("notices/<int:notice>/qr.svg", views_notices.notice_qr, name="notice_qr"),
    path("notices/<int:notice>/proxy/", views_notices.notice_proxy, name="notice_proxy"),
    path("notices/<int:notice>/cancel/", views_notices.notice_cancel, name="notice_cancel"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export_view, name="export"),
    path("requirements/", views.requirements, name="requirements"),
]

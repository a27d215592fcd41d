from django.urls import path

from dangjian.accounts import views, views_2fa, views_bulk, views_reveals, views_setup, views_users

app_name = "accounts"
urlpatterns = [
    path("setup/", views_setup.setup_view, name="setup"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("2fa/setup/", views_2fa.setup, name="two_factor_setup"),
    path("2fa/verify/", views_2fa.verify, name="two_factor_verify"),
    path("reveals/", views_reveals.reveal_list, name="reveals"),
    path("users/", views_users.user_list, name="users"),
    path("users/add/", views_users.user_add, name="user_add"),
    path("users/<int:user>/", views_users.user_edit, name="user_edit"),
    path("bulk/", views_bulk.bulk, name="bulk"),
    path("bulk/create/", views_bulk.bulk_create, name="bulk_create"),
    path("bulk/reset/<int:member>/", views_bulk.member_reset, name="member_reset"),
    path("bulk/slips.docx", views_bulk.slips_docx, name="slips_docx"),
]

from django.urls import path

from . import views, views_admin

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/setup/", views.otp_setup_view, name="otp_setup"),
    path("otp/", views.otp_view, name="otp"),
    path("tokens/", views_admin.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_admin.token_revoke, name="token_revoke"),
    path("users/", views_admin.user_list, name="users"),
    path("users/new/", views_admin.user_create, name="user_create"),
    path("users/<int:pk>/", views_admin.user_detail, name="user_detail"),
    path("users/<int:pk>/<str:action>/", views_admin.user_action, name="user_action"),
]

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/setup/", views.otp_setup_view, name="otp_setup"),
    path("otp/", views.otp_view, name="otp"),
]

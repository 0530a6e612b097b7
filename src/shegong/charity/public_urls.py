"""The public side (no login): /public/funds/."""

from django.urls import path

from . import views

app_name = "charity_public"
urlpatterns = [
    path("", views.public_funds, name="funds"),
    path("<int:pk>/", views.public_fund, name="fund"),
]

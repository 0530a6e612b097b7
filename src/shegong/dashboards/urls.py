from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/visit-rate/", views.visit_rate, name="visit_rate"),
    path("dashboards/station/", views.station, name="station"),
]

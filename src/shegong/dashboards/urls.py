from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/visit-rate/", views.visit_rate, name="visit_rate"),
    path("dashboards/station/", views.station, name="station"),
    path("dashboards/station/<int:pk>/", views.station_dashboard, name="station_dashboard"),
    path("dashboards/<str:code>/", views.region_dashboard, name="region"),
    path("dashboards/<str:code>/screen/", views.screen, name="screen"),
    path("dashboards/<str:code>/data/", views.data, name="data"),
]

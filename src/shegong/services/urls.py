from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("overdue/", views.station_overdue, name="overdue"),
    path("visit-rate/", views.visit_rate, name="visit_rate"),
    path("rules/", views.rules, name="rules"),
    path("visits/new/<int:pk>/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]

from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("overdue/", views.station_overdue, name="overdue"),
    path("overdue/export/", views.overdue_export, name="overdue_export"),
    path("unvisited/", views.unvisited, name="unvisited"),
    path("unvisited/export/", views.unvisited_export, name="unvisited_export"),
    path("new/<int:pk>/", views.visit_new, name="visit_new"),
    path("call/<int:pk>/", views.call_recipient, name="call_recipient"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]

from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("overdue/", views.station_overdue, name="overdue"),
    path("new/<int:pk>/", views.visit_new, name="visit_new"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("photos/<int:pk>/", views.visit_photo, name="visit_photo"),
]

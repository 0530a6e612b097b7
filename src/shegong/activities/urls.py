from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export/", views.activity_export, name="export"),
    path("new/", views.activity_new, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("photos/<int:pk>/", views.activity_photo, name="photo"),
]

from django.urls import path

from . import export_views

app_name = "exports"
urlpatterns = [
    path("", export_views.request_list, name="list"),
    path("<int:pk>/", export_views.request_detail, name="detail"),
    path("<int:pk>/approve/", export_views.request_approve, name="approve"),
    path("<int:pk>/download/", export_views.request_download, name="download"),
]

from django.urls import path

from . import export_views

app_name = "exports"
urlpatterns = [
    path("", export_views.request_list, name="list"),
    path("<int:pk>/", export_views.request_detail, name="detail"),
    path("<int:pk>/approve/", export_views.request_approve, name="approve"),
    path("<int:pk>/download/", export_views.request_download, name="download"),
    path("jobs/<int:pk>/", export_views.job_status, name="job"),
    path("jobs/<int:pk>/file/", export_views.job_download, name="job_download"),
]

from django.urls import path

from . import field_views, views

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
    path("field/", field_views.field_app, name="field_app"),
    path("field/sw.js", field_views.field_service_worker, name="field_sw"),
    path("field/manifest.webmanifest", field_views.field_manifest, name="field_manifest"),
    path("conflicts/", field_views.conflicts, name="conflicts"),
    path("conflicts/<int:pk>/", field_views.conflict_detail, name="conflict_detail"),
]

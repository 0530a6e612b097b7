from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.node_list, name="list"),
    path("new/", views.node_create, name="create"),
    path("<int:pk>/", views.node_detail, name="detail"),
    path("<int:pk>/edit/", views.node_edit, name="edit"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/stages/", views.stage_record, name="stage_record"),
    path("<int:pk>/demonstrations/", views.demonstration_add, name="demonstration_add"),
]

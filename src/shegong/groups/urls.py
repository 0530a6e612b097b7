from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("export/", views.group_export, name="export"),
    path("new/", views.group_create, name="create"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/schedule/", views.group_schedule, name="schedule"),
    path("<int:pk>/stage/", views.group_stage, name="stage"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
]

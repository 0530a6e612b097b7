from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.session_list, name="sessions"),
    path("due/", views.due_list, name="due"),
    path("relationships/<int:pk>/record/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/confirm/", views.session_confirm, name="session_confirm"),
    path("trainings/", views.course_list, name="courses"),
    path("trainings/new/", views.course_create, name="course_create"),
    path("trainings/hours/", views.training_hours, name="hours"),
    path("trainings/<int:pk>/", views.course_detail, name="course_detail"),
    path("trainings/<int:pk>/enrol/", views.course_enrol, name="course_enrol"),
    path("trainings/<int:pk>/attendance/", views.course_attendance, name="course_attendance"),
    path("trainings/<int:pk>/export/", views.course_export, name="course_export"),
    path("resources/", views.resource_list, name="resources"),
    path("resources/<str:kind>/new/", views.resource_create, name="resource_create"),
    path("resources/questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("resources/projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("resources/experts/<int:pk>/", views.expert_detail, name="expert_detail"),
]

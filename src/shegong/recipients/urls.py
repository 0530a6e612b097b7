from django.urls import path

from . import views

app_name = "recipients"
urlpatterns = [
    path("", views.recipient_list, name="list"),
    path("export/", views.recipient_export, name="export"),
    path("new/", views.recipient_create, name="create"),
    path("categories/", views.category_list, name="categories"),
    path("rules/", views.rules, name="rules"),
    path("import/", views.import_upload, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("<int:pk>/", views.recipient_detail, name="detail"),
    path("<int:pk>/edit/", views.recipient_edit, name="edit"),
    path("<int:pk>/timeline/", views.recipient_timeline, name="timeline"),
    path("<int:pk>/status/", views.recipient_status, name="status"),
    path("<int:pk>/risk/", views.recipient_risk, name="risk"),
    path("<int:pk>/categories/", views.membership_add, name="membership_add"),
    path("<int:pk>/categories/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path("<int:pk>/household/", views.household_add, name="household_add"),
    path("<int:pk>/assessments/", views.assessment_add, name="assessment_add"),
    path("<int:pk>/events/", views.event_add, name="event_add"),
    path("<int:pk>/reveal/", views.recipient_reveal, name="reveal"),
]

from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("desk/", views.desk, name="desk"),
    path("export/", views.project_export, name="export"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/step/", views.transition, name="transition"),
    path("<int:pk>/staff/", views.staff_add, name="staff_add"),
    path("<int:pk>/staff/<int:staff_pk>/", views.staff_action, name="staff_action"),
    path("<int:pk>/targets/", views.target_set, name="target_set"),
    path("<int:pk>/targets/drilldown/", views.drilldown, name="drilldown"),
    path("<int:pk>/budget/", views.budget_set, name="budget_set"),
    path("<int:pk>/spending/", views.expenditure_add, name="expenditure_add"),
    path("<int:pk>/spending/<int:expenditure_pk>/", views.expenditure_action, name="expenditure_action"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("<int:pk>/payments/", views.payment_add, name="payment_add"),
    path("<int:pk>/clawbacks/", views.clawback_add, name="clawback_add"),
    path("<int:pk>/releases/<int:release_pk>/correct/", views.release_correct, name="release_correct"),
]

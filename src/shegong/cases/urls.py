from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("new/", views.case_new, name="new"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/", views.decide, name="decide"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_decide, name="transfer_decide"),
    path("referrals/<int:pk>/", views.referral_outcome, name="referral_outcome"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/note/", views.note_new, name="note"),
    path("<int:pk>/<slug:action>/", views.case_action, name="action"),
]

from django.urls import path

from . import views

app_name = "charity"
urlpatterns = [
    path("", views.fund_list, name="funds"),
    path("new/", views.fund_create, name="fund_create"),
    path("linkage/", views.linkage, name="linkage"),
    path("disbursements/", views.disbursement_list, name="disbursements"),
    path("disbursements/<int:pk>/", views.disbursement_detail, name="disbursement"),
    path("disbursements/<int:pk>/<slug:action>/", views.disbursement_act, name="disbursement_act"),
    path("<int:pk>/", views.fund_detail, name="fund"),
    path("<int:pk>/edit/", views.fund_edit, name="fund_edit"),
    path("<int:pk>/donations/new/", views.donation_new, name="donation_new"),
    path("<int:pk>/disbursements/new/", views.disbursement_new, name="disbursement_new"),
    path("<int:pk>/ledger/export/", views.ledger_export, name="ledger_export"),
]

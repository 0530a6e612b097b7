from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/remarks/", views.report_remarks, name="remarks"),
    path("<int:pk>/sign/", views.report_sign, name="sign"),
    path("<int:pk>/correct/", views.report_correct, name="correct"),
    path("<int:pk>.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:pk>.pdf", views.report_pdf, name="pdf"),
]

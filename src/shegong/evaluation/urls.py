from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.home, name="home"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/do/", views.assessment_action, name="assessment_action"),
    path("assessments/<int:pk>/scores/<int:score_pk>/", views.score_enter, name="score_enter"),
    path("bulletins/new/", views.bulletin_generate, name="bulletin_generate"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/do/", views.bulletin_action, name="bulletin_action"),
    path("bulletins/<int:pk>.xlsx", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("bulletins/<int:pk>.pdf", views.bulletin_pdf, name="bulletin_pdf"),
    path("subsidies/<int:pk>/", views.subsidy_detail, name="subsidy"),
    path("subsidies/<int:pk>/approve/", views.subsidy_approve, name="subsidy_approve"),
]

from django.urls import path

from . import public_views

app_name = "rankings"
urlpatterns = [
    path("rankings/", public_views.ranking_list, name="list"),
    path("rankings/<int:pk>/", public_views.ranking_detail, name="detail"),
    path("rankings/<int:pk>.pdf", public_views.ranking_pdf, name="pdf"),
    path("survey/<str:token>/", public_views.survey_answer, name="survey"),
]

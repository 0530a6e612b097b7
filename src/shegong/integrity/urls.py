from django.urls import path

from . import views

app_name = "integrity"
urlpatterns = [
    path("", views.home, name="home"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/decide/", views.finding_decide, name="decide"),
    path("settings/", views.settings_page, name="settings"),
    path("runs/", views.run_create, name="run_create"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
]

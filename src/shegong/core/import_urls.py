from django.urls import path

from . import importpage

app_name = "imports"
urlpatterns = [
    path("<int:pk>/", importpage.import_status, name="status"),
    path("<int:pk>/marked/", importpage.import_marked, name="marked"),
]

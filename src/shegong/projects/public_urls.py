from django.urls import path

from . import public_views

app_name = "disclosure"
urlpatterns = [
    path("", public_views.release_list, name="list"),
    path("<int:pk>/", public_views.release_detail, name="detail"),
    path("<int:pk>.json", public_views.release_json, name="json"),
    path("<int:pk>.xlsx", public_views.release_xlsx, name="xlsx"),
]

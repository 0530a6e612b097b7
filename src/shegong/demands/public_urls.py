from django.urls import path

from . import public

app_name = "public_requests"
urlpatterns = [
    path("new/", public.submit_request, name="new"),
    path("<str:code>/", public.track, name="track"),
]

from django.urls import path

from . import views

app_name = "demands"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("requests/", views.request_list, name="requests"),
    path("new/", views.desk_new, name="new"),
    path("from-visit/<int:pk>/", views.from_visit, name="from_visit"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("catalogue/new/", views.item_new, name="item_new"),
    path("catalogue/rules/", views.rules_update, name="rules_update"),
    path("catalogue/<int:pk>/", views.item_edit, name="item_edit"),
    path("demand-list/", views.demand_list, name="demand_list"),
    path("demand-list/export/", views.demand_list_export, name="demand_list_export"),
    path("demand-list/mark/", views.mark_basis, name="mark_basis"),
]

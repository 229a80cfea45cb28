from django.urls import path

from groundgame.field import views

app_name = "field"

urlpatterns = [
    path("", views.turf_cut_list, name="home"),
    path("cuts/<int:cut_id>/", views.turf_cut_detail, name="cut"),
    path("turfs/<int:turf_id>/", views.turf_detail, name="turf"),
    path("turfs/<int:turf_id>/sheet/", views.walk_sheet, name="walk_sheet"),
    path("turfs/<int:turf_id>/move", views.turf_move, name="turf_move"),
    path("turfs/<int:turf_id>/merge", views.turf_merge, name="turf_merge"),
    path("turfs/<int:turf_id>/split", views.turf_split, name="turf_split"),
    path("turfs/<int:turf_id>/lists", views.walk_list_create, name="walk_list_create"),
]

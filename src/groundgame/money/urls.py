"""The money app's addresses."""

from django.urls import URLPattern, URLResolver, path

from groundgame.money import views

app_name = "money"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ledger, name="ledger"),
    path("contributions.csv", views.ledger_csv, name="ledger_csv"),
    path("contributions/<int:contribution_id>/", views.contribution_detail, name="contribution"),
    path("limits/", views.limits, name="limits"),
    path("limits/<int:excess_id>/resolve/", views.limit_resolve, name="limit_resolve"),
]

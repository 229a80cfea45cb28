"""The insights app's pages, under /insights/."""

from django.urls import URLPattern, URLResolver, path

from groundgame.insights import views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("turnout/", views.turnout, name="turnout"),
    path("results/", views.results, name="results"),
]

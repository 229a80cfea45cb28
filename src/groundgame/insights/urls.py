from django.urls import URLPattern, URLResolver, path

from groundgame.insights import polls_views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", polls_views.desk, name="desk"),
    path("polls/", polls_views.poll_table, name="polls"),
    path("polls/new/", polls_views.poll_new, name="poll_new"),
    path("polls/imports/", polls_views.poll_imports, name="poll_imports"),
    path("polls/imports/<int:import_id>/", polls_views.poll_import, name="poll_import"),
    path("polls/backtest/", polls_views.polls_backtest, name="polls_backtest"),
    path("polls/<str:place>/", polls_views.poll_place, name="poll_place"),
]

"""The insights app's pages, under /insights/ (namespace ``insights``): the election desk at
/insights/ with the polls under /insights/polls/, message tests under /insights/tests/, voters'
issues against the campaign's message under /insights/issues/."""

from django.urls import URLPattern, URLResolver, path

from groundgame.insights import polls_views, views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("tests/", views.tests_home, name="tests"),
    path("tests/mailings/<int:mailing_id>/", views.message_test, name="message_test"),
    path(
        "tests/mailings/<int:mailing_id>/outcomes",
        views.message_test_outcomes,
        name="message_test_outcomes",
    ),
    path(
        "tests/mailings/<int:mailing_id>/decide",
        views.message_test_decide,
        name="message_test_decide",
    ),
    path(
        "tests/mailings/<int:mailing_id>/export.csv",
        views.message_test_export,
        name="message_test_export",
    ),
    path("tests/surveys/<int:test_id>/", views.survey_test, name="survey_test"),
    path("tests/surveys/<int:test_id>/decide", views.survey_test_decide, name="survey_test_decide"),
    path("issues/", views.issues, name="issues"),
    path("issues/export.csv", views.issues_export, name="issues_export"),
    path("issues/messages/", views.issue_messages, name="issue_messages"),
    path("", polls_views.desk, name="desk"),
    path("polls/", polls_views.poll_table, name="polls"),
    path("polls/new/", polls_views.poll_new, name="poll_new"),
    path("polls/imports/", polls_views.poll_imports, name="poll_imports"),
    path("polls/imports/<int:import_id>/", polls_views.poll_import, name="poll_import"),
    path("polls/backtest/", polls_views.polls_backtest, name="polls_backtest"),
    path("polls/<str:place>/", polls_views.poll_place, name="poll_place"),
]

"""The insights app's pages, under /insights/ (namespace ``insights``): the election desk at
/insights/ with the polls under /insights/polls/, message tests under /insights/tests/, voters'
issues against the campaign's message under /insights/issues/, turnout models under
/insights/propensity/, programs with holdouts under /insights/programs/, the turnout projection
under /insights/turnout/ and results under /insights/results/."""

from django.urls import URLPattern, URLResolver, path

from groundgame.insights import polls_views, program_views, turnout_views, views

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
    path("propensity/", program_views.propensity_page, name="propensity"),
    path("programs/", program_views.program_list, name="programs"),
    path("programs/outcomes/", program_views.outcome_create, name="outcome_create"),
    path("programs/<int:program_id>/", program_views.program_detail, name="program"),
    path(
        "programs/<int:program_id>/assignments.csv",
        program_views.program_assignments_csv,
        name="program_assignments_csv",
    ),
    path(
        "programs/<int:program_id>/lift.csv",
        program_views.program_lift_csv,
        name="program_lift_csv",
    ),
    path(
        "programs/<int:program_id>/<slug:action>/",
        program_views.program_action,
        name="program_action",
    ),
    path("turnout/", turnout_views.turnout, name="turnout"),
    path("results/", turnout_views.results, name="results"),
]

"""The insights app's pages."""

from django.urls import URLPattern, URLResolver, path

from groundgame.insights import views

app_name = "insights"

urlpatterns: list[URLPattern | URLResolver] = [
    path("propensity/", views.propensity_page, name="propensity"),
    path("programs/", views.program_list, name="programs"),
    path("programs/outcomes/", views.outcome_create, name="outcome_create"),
    path("programs/<int:program_id>/", views.program_detail, name="program"),
    path(
        "programs/<int:program_id>/assignments.csv",
        views.program_assignments_csv,
        name="program_assignments_csv",
    ),
    path("programs/<int:program_id>/lift.csv", views.program_lift_csv, name="program_lift_csv"),
    path("programs/<int:program_id>/<slug:action>/", views.program_action, name="program_action"),
]

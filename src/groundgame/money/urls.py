"""The money app's addresses."""

from django.urls import URLPattern, URLResolver, path

from groundgame.money import appeals_views, spending_views, views

app_name = "money"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ledger, name="ledger"),
    path("contributions.csv", views.ledger_csv, name="ledger_csv"),
    path("contributions/<int:contribution_id>/", views.contribution_detail, name="contribution"),
    path("limits/", views.limits, name="limits"),
    path("limits/<int:excess_id>/resolve/", views.limit_resolve, name="limit_resolve"),
    path("spending/", spending_views.spending_page, name="spending"),
    path("spending.csv", spending_views.spending_csv, name="spending_csv"),
    path("budget/", spending_views.budget_page, name="budget"),
    path("disbursements.csv", spending_views.disbursements_csv, name="disbursements_csv"),
    path("cashflow/", spending_views.cashflow_page, name="cashflow"),
    path("cashflow.csv", spending_views.cashflow_csv, name="cashflow_csv"),
    path("appeals/", appeals_views.appeals_page, name="appeals"),
    path("fec/", appeals_views.fec_page, name="fec"),
]

from django.urls import URLPattern, URLResolver, path

from groundgame.money import spending_views

app_name = "money"

urlpatterns: list[URLPattern | URLResolver] = [
    path("spending/", spending_views.spending_page, name="spending"),
    path("spending.csv", spending_views.spending_csv, name="spending_csv"),
    path("budget/", spending_views.budget_page, name="budget"),
    path("disbursements.csv", spending_views.disbursements_csv, name="disbursements_csv"),
    path("cashflow/", spending_views.cashflow_page, name="cashflow"),
    path("cashflow.csv", spending_views.cashflow_csv, name="cashflow_csv"),
]

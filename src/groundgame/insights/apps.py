"""The election desk and measurement: polls and the polling average, turnout projections,
results analysis, experiments and issue alignment. Aggregates only: every staff member sees
them."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "groundgame.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from groundgame.insights import backtests, polls_backtest

        backtests.register("polling_average", polls_backtest.backtest)

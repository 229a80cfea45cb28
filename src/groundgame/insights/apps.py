"""The election desk and measurement: polls and the polling average, turnout projections,
results analysis, experiments and issue alignment. Aggregates only: every staff member sees
them."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "groundgame.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # A person's export and merges are people's; the outcomes of message tests take part
        # through people's registries rather than by people importing this app.
        from groundgame.insights import backtests, data_requests, models, polls_backtest
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_export_part_register("insights", data_requests.person_part)
        # What either record did after a tested mailing follows the person, as the mailing's
        # sends do (one outcome of a kind per mailing: if both had one, each keeps its own).
        people_services.person_merge_rows_register(
            "insights_message_outcomes",
            model=models.MessageOutcome,
            unique_with=("mailing", "kind"),
        )
        # Each analysis of the desk adds its part to `groundgame insights backtest`.
        backtests.register("polling_average", polls_backtest.backtest)

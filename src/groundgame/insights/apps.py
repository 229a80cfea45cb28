"""The election desk and measurement: polls and the polling average, turnout projections,
results analysis, experiments and issue alignment. Aggregates only: every staff member sees
them."""

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "groundgame.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Consent sits below insights: the one contact rule learns which households a
        # program's piece holds out through consent's registry.
        from groundgame.consent import selectors as consent_selectors
        from groundgame.insights import holdouts

        consent_selectors.held_out_reader_register("programs", holdouts.held_out_households)

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
        from groundgame.insights import holdouts, propensity_universe, selectors
        from groundgame.people import selectors as people_selectors

        consent_selectors.held_out_reader_register("programs", holdouts.held_out_households)
        # People owns universes and the person page; the turnout score joins both through
        # people's registries.
        people_selectors.universe_filter_register(propensity_universe.PropensityFilter())
        people_selectors.person_page_card_register(
            "insights_propensity",
            template="insights/person_card.html",
            context=lambda person_id: {"propensity": selectors.person_propensity(person_id)},
        )

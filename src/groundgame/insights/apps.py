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
        from groundgame.consent import selectors as consent_selectors
        from groundgame.insights import (
            backtests,
            data_requests,
            holdouts,
            models,
            polls_backtest,
            propensity_universe,
            selectors,
            turnout_backtest,
        )
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
        # A program's assignment and the outcomes named follow the person, so the survivor is
        # held out of what either record was held out of (one assignment per program and one
        # record per outcome: where both had one, each keeps its own).
        people_services.person_merge_rows_register(
            "insights_holdout_assignments", model=models.HoldoutAssignment, unique_with=("program",)
        )
        people_services.person_merge_rows_register(
            "insights_outcome_records", model=models.OutcomeRecord, unique_with=("outcome",)
        )
        # Each analysis of the desk adds its part to `groundgame insights backtest`.
        backtests.register("polling_average", polls_backtest.backtest)
        backtests.register("early_vote", turnout_backtest.backtest)
        # Consent sits below insights: the one contact rule learns which households a
        # program's piece holds out through consent's registry.
        consent_selectors.held_out_reader_register("programs", holdouts.held_out_households)
        # People owns universes and the person page; the turnout score joins both through
        # people's registries.
        people_selectors.universe_filter_register(propensity_universe.PropensityFilter())
        people_selectors.person_page_card_register(
            "insights_propensity",
            template="insights/person_card.html",
            context=lambda person_id, viewer: {
                "propensity": selectors.person_propensity(person_id)
            },
        )

"""Donations, recurring plans, appeals and their return, budget, commitments and spend, the
cash-flow forecast and FEC reports."""

from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "groundgame.money"
    label = "money"
    verbose_name = "Money"

    def ready(self) -> None:
        from groundgame.money import models, services
        from groundgame.people import selectors as people_selectors
        from groundgame.people import services as people_services

        people_selectors.person_page_card_register(
            "money_donor", template="money/donor_card.html", context=services.donor_card
        )
        # Two records of one donor merged: their gifts, plans and the flags and requests made
        # about them are the survivor's, so limits and itemization count the person once.
        people_services.person_merge_rows_register("money_contributions", model=models.Contribution)
        people_services.person_merge_rows_register(
            "money_recurring_plans", model=models.RecurringPlan
        )
        people_services.person_merge_rows_register(
            "money_limit_excesses", model=models.LimitExcess, unique_with=("committee", "election")
        )
        people_services.person_merge_rows_register(
            "money_best_efforts",
            model=models.BestEffortsRequest,
            unique_with=("committee", "cycle"),
        )
        people_services.person_merge_rows_register(
            "money_volunteer_asks", model=models.VolunteerAsk
        )

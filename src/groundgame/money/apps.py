"""Donations, recurring plans, appeals and their return, budget, commitments and spend, the
cash-flow forecast and FEC reports."""

from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "groundgame.money"
    label = "money"
    verbose_name = "Money"

    def ready(self) -> None:
        from groundgame.money import services
        from groundgame.people import selectors as people_selectors

        people_selectors.person_page_card_register(
            "money_donor", template="money/donor_card.html", context=services.donor_card
        )

from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "groundgame.money"
    label = "money"
    verbose_name = "Money"

"""ActBlue: the contribution webhook and the contributions CSV export."""

from django.apps import AppConfig


class ActBlueConfig(AppConfig):
    name = "groundgame.integrations.actblue"
    label = "actblue"
    verbose_name = "ActBlue"

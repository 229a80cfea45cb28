from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "groundgame.health"
    label = "health"
    verbose_name = "Campaign health"

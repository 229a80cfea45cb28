from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "groundgame.core"
    label = "core"
    verbose_name = "Core"

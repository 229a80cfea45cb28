from django.apps import AppConfig


class MobilizeConfig(AppConfig):
    name = "groundgame.integrations.mobilize"
    label = "mobilize"
    verbose_name = "Mobilize"

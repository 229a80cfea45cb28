from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "groundgame.insights"
    label = "insights"
    verbose_name = "Insights"

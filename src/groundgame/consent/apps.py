from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "groundgame.consent"
    label = "consent"
    verbose_name = "Consent"

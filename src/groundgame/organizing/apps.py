from django.apps import AppConfig


class OrganizingConfig(AppConfig):
    name = "groundgame.organizing"
    label = "organizing"
    verbose_name = "Organizing"

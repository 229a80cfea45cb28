from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "groundgame.people"
    label = "people"
    verbose_name = "People"

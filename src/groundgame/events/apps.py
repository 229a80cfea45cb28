from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "groundgame.events"
    label = "events"
    verbose_name = "Events"

from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "groundgame.content"
    label = "content"
    verbose_name = "Content"

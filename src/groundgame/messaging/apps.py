from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "groundgame.messaging"
    label = "messaging"
    verbose_name = "Messaging"

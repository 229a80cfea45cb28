from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "groundgame.field"
    label = "field"
    verbose_name = "Field"

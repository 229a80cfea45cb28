from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "groundgame.audit"
    label = "audit"
    verbose_name = "Audit log"

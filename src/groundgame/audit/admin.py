from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from groundgame.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the log is append-only through the application, the admin included."""

    list_display = ["at", "actor_label", "kind", "action", "entity_type", "entity_id", "summary"]
    list_filter = ["kind", "entity_type"]
    search_fields = ["actor_label", "action", "entity_id", "summary"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

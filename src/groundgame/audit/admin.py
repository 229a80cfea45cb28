from django.contrib import admin

from groundgame.audit.models import AuditEvent
from groundgame.core.admin_base import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The log is append-only through the application, the admin included."""

    list_display = ["at", "actor_label", "kind", "action", "entity_type", "entity_id", "summary"]
    list_filter = ["kind", "entity_type"]
    search_fields = ["actor_label", "action", "entity_id", "summary"]
    date_hierarchy = "at"

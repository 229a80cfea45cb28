"""Raw volunteers data for superusers, read-only: changes go through the services."""

from django.contrib import admin

from groundgame.core.admin_base import ReadOnlyAdmin
from groundgame.volunteers.models import Membership


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    # Only ids: names are personal data, opened (and logged) through the People pages.
    list_display = ["person_id", "org_unit", "role", "source", "created_at"]
    list_filter = ["role"]

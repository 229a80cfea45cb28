"""Raw organizing data for superusers, read-only: changes go through the services."""

from django.contrib import admin

from groundgame.core.admin_base import ReadOnlyAdmin
from groundgame.organizing.models import Coverage, OrgUnit, StaffRole


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "state", "parent", "path"]
    list_filter = ["kind", "state"]
    search_fields = ["name"]


@admin.register(StaffRole)
class StaffRoleAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "org_unit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "org_unit__name"]


@admin.register(Coverage)
class CoverageAdmin(ReadOnlyAdmin):
    list_display = ["county_fips", "org_unit"]
    search_fields = ["county_fips", "org_unit__name"]

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class OrganizingConfig(AppConfig):
    name = "groundgame.organizing"
    label = "organizing"
    verbose_name = "Organizing"

    def ready(self) -> None:
        from groundgame.organizing.models import StaffRole

        # A misspelt role ("admins") would quietly require a second factor of nobody: the
        # start stops instead.
        unknown = set(settings.GROUNDGAME_TWO_FACTOR_ROLES) - set(StaffRole.Role.values)
        if unknown:
            raise ImproperlyConfigured(
                f"GROUNDGAME_TWO_FACTOR_ROLES: {', '.join(sorted(unknown))} is not a role; "
                f"use {', '.join(StaffRole.Role.values)} or none."
            )

"""The organizing hierarchy, staff roles and scopes, sign-in failures."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


class OrgUnit(TimestampedModel):
    """A node of the hierarchy: national > state > region > team.

    ``path`` is the chain of ids from the root ("1/4/17/"), so "everything under this unit"
    is one indexed prefix match instead of a recursive query.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", "National"
        STATE = "state", "State"
        REGION = "region", "Region"
        TEAM = "team", "Team"

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    state = models.CharField(max_length=2, blank=True, help_text="Two-letter state code.")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], name="orgunit_unique_name_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1


class Coverage(models.Model):
    """The counties a team covers: people living there belong to the team."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="coverage")
    county_fips = models.CharField(max_length=5, unique=True)

    def __str__(self) -> str:
        return f"{self.org_unit} covers {self.county_fips}"


class StaffRole(TimestampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        DIRECTOR = "director", "Director"
        ORGANIZER = "organizer", "Organizer"
        VOLUNTEER_LEADER = "volunteer_leader", "Volunteer leader"
        ANALYST = "analyst", "Analyst"
        # Sees donors' amounts in the unit's money pages (and nothing else by itself).
        FINANCE = "finance", "Finance"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "role"], name="staffrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} of {self.org_unit}"


class LoginFailure(models.Model):
    """A failed sign-in, kept to lock out password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at}"

"""Events, their shifts and the RSVPs to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


class Event(TimestampedModel):
    """A canvass launch, phone bank, training or virtual event, staff- or volunteer-hosted."""

    class Kind(models.TextChoices):
        CANVASS = "canvass", "Canvass"
        PHONE_BANK = "phone_bank", "Phone bank"
        TEXT_BANK = "text_bank", "Text bank"
        TRAINING = "training", "Training"
        MEETING = "meeting", "Meeting"
        VOTER_REG = "voter_reg", "Voter registration"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed by a volunteer"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Not approved"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="events"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    is_virtual = models.BooleanField(default=False)
    venue = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    zip5 = models.CharField(max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    timezone = models.CharField(max_length=40, default="America/New_York")
    # A volunteer who proposed and hosts it (no account needed), if not staff.
    host = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_event"

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A timeslot of an event with its capacity; past capacity, sign-ups wait-list."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(default=20)

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_shift"
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.event_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSignup(TimestampedModel):
    """A person's RSVP to a shift, confirmed or wait-listed, cancellable without an account."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Wait-listed"
        CANCELLED = "cancelled", "Cancelled"

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", "Not marked"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    # The secret in the cancel link sent with the confirmation.
    cancel_token = models.CharField(max_length=43, unique=True)
    source = models.CharField(max_length=60, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_shiftsignup"
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="shiftsignup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status} for {self.shift_id}"

"""The organizing hierarchy, staff roles and scopes, volunteer memberships, sign-in failures."""

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


class Membership(TimestampedModel):
    """A volunteer (a Person, no account needed) on a team."""

    class Role(models.TextChoices):
        VOLUNTEER = "volunteer", "Volunteer"
        LEADER = "leader", "Team leader"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "org_unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.org_unit}"


class LoginFailure(models.Model):
    """A failed sign-in, kept to lock out password guessing."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.ip} at {self.at}"


class SignupForm(TimestampedModel):
    """A public volunteer sign-up form: ready before it is needed, cloned in a minute."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80, unique=True)
    intro = models.TextField(blank=True)
    # The unit new volunteers land in when their address is covered by no team below it.
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="signup_forms")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Which standard fields the form shows and requires: {"phone": "required", "zip5": ...}.
    fields = models.JSONField(default=dict, blank=True)
    # Custom questions: [{"key", "label", "kind": text|choice|multi|yesno, "choices", "required"}].
    questions = models.JSONField(default=list, blank=True)
    # Topics offered as consent checkboxes (volunteering, voting_info, events, news, ...).
    consent_topics = models.JSONField(default=list, blank=True)
    thank_you = models.TextField(blank=True)
    source = models.CharField(max_length=60, blank=True, help_text="Default source of sign-ups.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.title


class SignupSubmission(models.Model):
    """One accepted sign-up. The idempotency key makes a retry or a double click land once.

    The request only stores it (pending); a worker batch then resolves the person, places
    them and opens their follow-up, filling ``person``, ``org_unit`` and ``processed_at``.
    """

    form = models.ForeignKey(SignupForm, on_delete=models.PROTECT, related_name="submissions")
    idempotency_key = models.CharField(max_length=64)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The cleaned person fields, the referral code and the client address, as the request
    # accepted them: what the worker needs to finish the sign-up.
    payload = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why the worker could not finish it (kept, shown, never retried in a loop).
    error = models.CharField(max_length=300, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    consents = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=60, blank=True)
    # Who recruited them (from the referral link they followed), if anyone.
    referred_by = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "idempotency_key"], name="signupsubmission_idempotent"
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "created_at"], name="signup_unit_at_idx"),
            # The worker's queue: small, because processed rows leave it.
            models.Index(
                fields=["id"],
                condition=models.Q(processed_at__isnull=True),
                name="signup_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}: {self.person_id or 'pending'}"


class FollowUp(TimestampedModel):
    """A new volunteer waiting for their organizer's first contact."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="follow_ups")
    source = models.CharField(max_length=60, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "org_unit"],
                condition=models.Q(contacted_at__isnull=True),
                name="followup_one_open_per_person_unit",
            ),
        ]
        indexes = [
            models.Index(
                fields=["org_unit", "contacted_at", "created_at"], name="followup_queue_idx"
            )
        ]

    def __str__(self) -> str:
        return f"follow up {self.person_id} in {self.org_unit_id}"


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
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="events")
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
    mobilize_id = models.BigIntegerField(null=True, blank=True, unique=True)

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A timeslot of an event with its capacity; past capacity, sign-ups wait-list."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(default=20)
    mobilize_id = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
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
    mobilize_id = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "person"], name="shiftsignup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status} for {self.shift_id}"

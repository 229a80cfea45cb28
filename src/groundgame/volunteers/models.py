"""Volunteers: sign-up forms and the sign-ups they take, the follow-up queue, and the
memberships of volunteers in teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


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
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="signup_forms"
    )
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

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_signupform"

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
        "organizing.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_signupsubmission"
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
    """A new volunteer in their organizer's queue, from sign-up until a call settles it.

    The calls themselves are ``FollowUpAttempt`` rows; this row holds what the queue sorts
    and filters on, kept up to date by the service that records an attempt.
    """

    class Outcome(models.TextChoices):
        REACHED = "reached", "Reached"
        LEFT_MESSAGE = "left_message", "Left a message"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        NOT_INTERESTED = "not_interested", "Not interested"
        SCHEDULED = "scheduled", "Scheduled a shift"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="follow_ups"
    )
    source = models.CharField(max_length=60, blank=True)
    # The sign-up that opened it: the form, the answers, when and from where.
    submission = models.ForeignKey(
        SignupSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When an organizer first tried to reach them: "never contacted" in the queue, and the
    # time to first contact in the reports.
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the next call is due; empty means due now.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The latest attempt's outcome; a final one closes the entry.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_followup"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "org_unit"],
                condition=models.Q(closed_at__isnull=True),
                name="followup_one_open_per_person_unit",
            ),
        ]
        indexes = [
            # The queue: the open entries of a unit, by when they are due.
            models.Index(
                fields=["org_unit", "next_attempt_at", "created_at"],
                condition=models.Q(closed_at__isnull=True),
                name="followup_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"follow up {self.person_id} in {self.org_unit_id}"


class FollowUpAttempt(models.Model):
    """One call (or text) to a volunteer in the queue, as the organizer recorded it. Never
    changed: the attempts of a follow-up are its history."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=FollowUp.Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    # The shift they agreed to, when the outcome is "scheduled" and one was chosen.
    shift = models.ForeignKey(
        "events.Shift", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The next attempt this one asked for, as it was asked.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["follow_up", "made_at"], name="followup_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.follow_up_id}: {self.outcome} at {self.made_at:%Y-%m-%d %H:%M}"


class Membership(TimestampedModel):
    """A volunteer (a Person, no account needed) on a team."""

    class Role(models.TextChoices):
        VOLUNTEER = "volunteer", "Volunteer"
        LEADER = "leader", "Team leader"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        # The table kept its name when the model left organizing, so no row had to move.
        db_table = "organizing_membership"
        constraints = [
            models.UniqueConstraint(fields=["person", "org_unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.org_unit}"

"""Turfs cut from a universe, their stops in walking order, walk lists handed to canvassers,
the results they record at each door, contact goals per org unit, and materials."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


class TurfCut(TimestampedModel):
    """One cutting of a universe into turfs, with the parameters it was cut with."""

    class Status(models.TextChoices):
        RUNNING = "running", "Cutting"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    universe = models.ForeignKey("people.Universe", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    target_doors = models.PositiveIntegerField()
    # "" = none; "zip5" or "county_fips": no turf crosses that boundary.
    boundary = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    households = models.PositiveIntegerField(default=0)
    # Households the consent rule allowed but the door caps left out: visited as often as
    # the caps allow lately, or every resident knocked for as often.
    capped_doors = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class Turf(TimestampedModel):
    """A walkable area: households in walking order, about ``target_doors`` of them."""

    cut = models.ForeignKey(TurfCut, on_delete=models.CASCADE, related_name="turfs")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    doors = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    # Walking distance of the route through its doors, in meters.
    route_meters = models.FloatField(default=0.0)
    center_latitude = models.FloatField(null=True)
    center_longitude = models.FloatField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cut", "number"], name="turf_number_in_cut")]
        ordering = ["cut", "number"]

    def __str__(self) -> str:
        return self.name


class TurfStop(models.Model):
    """A household of a turf, in walking order."""

    turf = models.ForeignKey(Turf, on_delete=models.CASCADE, related_name="stops")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["turf", "household"], name="turf_stop_once"),
        ]
        indexes = [models.Index(fields=["turf", "position"], name="turf_stop_order_idx")]
        ordering = ["turf", "position"]

    def __str__(self) -> str:
        return f"{self.turf_id} #{self.position}"


class WalkList(TimestampedModel):
    """A turf handed to a canvasser or a shift, opened in the app with its code (no account)."""

    turf = models.ForeignKey(Turf, on_delete=models.PROTECT, related_name="walk_lists")
    # Short, unguessable, read aloud at a staging location: see services.walk_list_code.
    code = models.CharField(max_length=12, unique=True)
    shift = models.ForeignKey(
        "events.Shift", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    canvasser = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The script item whose current approved version the app shows (content app).
    script = models.ForeignKey(
        "content.ContentItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class DoNotContactScope(models.TextChoices):
    NONE = "", "No request"
    DOOR = "door", "No more door knocks"
    ALL = "all", "Never contact me"


class CanvassResult(models.Model):
    """What happened at one door (one household, optionally one person), as recorded offline.

    ``client_id`` is the app's id for the record (a UUID made on the phone): a replayed or
    double sync finds it and creates nothing.
    """

    class Outcome(models.TextChoices):
        NOT_HOME = "not_home", "Not home"
        TALKED = "talked", "Talked"
        REFUSED = "refused", "Refused"
        MOVED = "moved", "Moved"
        INACCESSIBLE = "inaccessible", "Inaccessible"
        COME_BACK = "come_back", "Come back later"

    class Review(models.TextChoices):
        NONE = "", "Not flagged"
        FLAGGED = "flagged", "Flagged for review"
        CONFIRMED = "confirmed", "Reviewed: fine"
        REJECTED = "rejected", "Reviewed: not genuine"

    client_id = models.UUIDField(unique=True)
    walk_list = models.ForeignKey(WalkList, on_delete=models.PROTECT, related_name="results")
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Denormalized for the roll-ups: the team the turf belongs to.
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    support = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 strong for .. 5 against
    notes = models.TextField(blank=True)
    do_not_contact = models.BooleanField(default=False)
    # What the person asked for, passed on to consent (see canvass_services): "door" = no more
    # knocks (they leave the door channel), "all" = never contact me (global do-not-contact).
    do_not_contact_scope = models.CharField(
        max_length=4, choices=DoNotContactScope.choices, blank=True, default=""
    )
    script_version = models.ForeignKey(
        "content.ContentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    canvasser_name = models.CharField(max_length=100, blank=True)
    recorded_at = models.DateTimeField()  # on the phone, when the door was knocked
    synced_at = models.DateTimeField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org_unit", "recorded_at"], name="canvass_unit_day_idx"),
            models.Index(fields=["walk_list", "recorded_at"], name="canvass_list_idx"),
            models.Index(fields=["review"], name="canvass_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.outcome}"


class CanvassAnswer(models.Model):
    """One answer to one survey question of the script at a door: a row per option chosen
    (a multi-choice answer is as many rows, in the order given), or the scale's number, or
    the text.

    Rows rather than a JSON column on the result: reporting counts answers per unit, per
    question and per option, which is a GROUP BY over plain indexed columns, the same on
    SQLite and PostgreSQL, with no JSON unnesting of every conversation (a JSON index helps
    find results containing an answer, not count them all).
    """

    result = models.ForeignKey(CanvassResult, on_delete=models.CASCADE, related_name="answers")
    # The version whose questions it answers: the result's, kept here so that a script's
    # counts read this table's index without the results' (it never changes).
    script_version = models.ForeignKey(
        "content.ContentVersion", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.CharField(max_length=40)  # the question's key
    option = models.CharField(max_length=40, blank=True)  # choice and multi-choice
    position = models.PositiveSmallIntegerField(default=0)  # among a multi-choice's options
    number = models.SmallIntegerField(null=True, blank=True)  # scale
    text = models.TextField(blank=True)  # free text

    class Meta:
        indexes = [
            models.Index(
                fields=["script_version", "question", "option", "number"],
                name="canvass_answer_count_idx",
            ),
            models.Index(fields=["question", "option"], name="canvass_answer_option_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.result_id} {self.question}"


class SyncRejection(models.Model):
    """A result the sync could not accept, kept with its reason for staff to review."""

    list_code = models.CharField(max_length=40)
    client_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField()
    # A stable code from field/errors.py, the field it is about, and the message shown.
    code = models.CharField(max_length=40, blank=True)
    field = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300)
    # The unit of the list when the code named one, so that its staff review it; none for an
    # unknown code (national staff see those).
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.list_code}: {self.reason}"


class ContactGoal(TimestampedModel):
    """Conversations (or doors) an org unit means to reach by a date."""

    class Measure(models.TextChoices):
        DOORS = "doors", "Doors knocked"
        CONVERSATIONS = "conversations", "Conversations"

    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=16, choices=Measure.choices)
    target = models.PositiveIntegerField()
    starts_on = models.DateField()
    due_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "measure", "due_on"], name="contact_goal_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id}: {self.target} {self.measure} by {self.due_on}"


class MaterialRequest(TimestampedModel):
    """Yard signs or literature an org unit needs, from request to delivery."""

    class Kind(models.TextChoices):
        YARD_SIGNS = "yard_signs", "Yard signs"
        LITERATURE = "literature", "Literature"
        DOOR_HANGERS = "door_hangers", "Door hangers"
        CLIPBOARDS = "clipboards", "Clipboards"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        ORDERED = "ordered", "Ordered"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"

    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # For literature: the content item it prints (an approved version is what goes to print).
    item = models.ForeignKey(
        "content.ContentItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quantity_needed = models.PositiveIntegerField()
    quantity_ordered = models.PositiveIntegerField(default=0)
    quantity_delivered = models.PositiveIntegerField(default=0)
    needed_by = models.DateField()
    lead_time_days = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    ordered_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.quantity_needed} {self.kind} for {self.org_unit_id}"

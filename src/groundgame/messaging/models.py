"""Mailings, the outbox of sends (one row per mailing x person), delivery events from the
providers and inbound texts."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Mailing(TimestampedModel):
    """One message to a universe on one channel about one topic."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        FANNING_OUT = "fanning_out", "Preparing recipients"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    topic = models.ForeignKey("consent.Topic", on_delete=models.PROTECT, related_name="+")
    universe = models.ForeignKey(
        "people.Universe", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The audience as resolved when the mailing went out (the universe may change later).
    audience_spec = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who sent it (scheduled it): the fan-out keeps only the people of their units. Empty when
    # the system sent it (the command line), for the whole campaign.
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Filled in by the fan-out: how many the universe held, how many the consent rule and the
    # contact caps left out, how many shared an address with another recipient (who got the
    # one message sent there), how many sends were queued.
    audience_count = models.PositiveIntegerField(null=True, blank=True)
    suppressed_count = models.PositiveIntegerField(null=True, blank=True)
    capped_count = models.PositiveIntegerField(null=True, blank=True)
    shared_count = models.PositiveIntegerField(null=True, blank=True)
    queued_count = models.PositiveIntegerField(null=True, blank=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # With variants, each recipient's variant is drawn from this seed and their id (the same
    # draw on every run of the fan-out), recorded so that the randomization can be checked.
    variant_seed = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "scheduled_at"], name="mailing_due_idx")]

    def __str__(self) -> str:
        return self.name


class MailingVariant(models.Model):
    """One version of a mailing in a test: its sender's name, subject and body, and the share
    of recipients drawn to get it."""

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField()
    # The name the email comes from ("Maria at the campaign"); empty: the campaign's own.
    sender_name = models.CharField(max_length=80, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    share = models.PositiveSmallIntegerField()  # percent of recipients; a mailing's sum to 100

    class Meta:
        ordering = ["mailing", "position"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "label"], name="variant_label_once"),
            models.UniqueConstraint(fields=["mailing", "position"], name="variant_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id}: {self.label}"


class Send(models.Model):
    """One message to one person: the outbox row the sender works through.

    ``queued`` -> ``claimed`` (a sender took it, with a lease) -> ``sending`` (committed just
    before the provider is called) -> ``sent``. A text outside its recipient's sending hours
    goes back from ``claimed`` (or ``sending``, before the provider is called) to ``queued``
    with ``not_before`` set. A sender that dies leaves ``claimed`` rows
    (never attempted: queued again) or at most its in-flight ``sending`` rows (perhaps
    delivered: marked ``unknown``, never sent again).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Claimed by a sender"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SUPPRESSED = "suppressed", "Not sent: consent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Sender stopped mid-send"
        CANCELLED = "cancelled", "Cancelled"

    # The fan-out writes millions of rows at a time and pays each index and constraint per row.
    # The mailing and the person need no index of their own: send_once_per_mailing starts with
    # the mailing and send_cap_idx with the person. No foreign keys in the database either:
    # PostgreSQL checks each at commit with a locking lookup per row, a third of a national
    # fan-out's time. Deletes still cascade (and topics stay protected) through Django, and the
    # sender asks the consent rule about the person before each send, so a send whose person
    # is gone is never delivered.
    mailing = models.ForeignKey(
        Mailing,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sends",
        db_index=False,
        db_constraint=False,
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(max_length=8, choices=MessageChannel.choices)
    # Nothing reads sends by topic but the check that a topic being deleted has none.
    topic = models.ForeignKey(
        "consent.Topic",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The variant this person was drawn to get, when the mailing is a test.
    variant = models.ForeignKey(
        MailingVariant,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # SMS: carrier segments (the throttle counts these); email: 1.
    segments = models.PositiveSmallIntegerField(default=1)
    # A one-off message (a confirmation, a reply) carries its own content and a key that
    # makes asking twice send once; a mailing's sends render the mailing. NULL, not "", when
    # there is no key: send_dedupe_once leaves those rows out.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001
    content = models.JSONField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_id = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField()
    # A text that came up outside its recipient's sending hours waits in the queue until
    # then (``quiet_hours.py``); no sender claims it before.
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailing", "person"], name="send_once_per_mailing"),
            # Unique among the one-off messages that have a key; a mailing's sends (all but a
            # few rows) have none and stay out of the index.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(dedupe_key__isnull=False),
                name="send_dedupe_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "mailing", "id"], name="send_work_idx"),
            # A person's sends on a channel in time order (the person comes first for deletes).
            models.Index(fields=["person", "channel", "queued_at"], name="send_cap_idx"),
            models.Index(fields=["provider_id"], name="send_provider_idx"),
            # The first text to a number names the organization and how to opt out: numbers
            # texted before. Only texts are looked up by address, and email addresses would
            # make every row of a mailing an insert at a random place of the index.
            models.Index(
                fields=["address"],
                condition=models.Q(channel=MessageChannel.SMS),
                name="send_text_address_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.address}: {self.status}"


class DeliveryEvent(models.Model):
    """What a provider reported about a message: delivered, bounced, complained, ..."""

    class Kind(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Complained"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        FAILED = "failed", "Failed"
        REPLIED = "replied", "Replied"

    send = models.ForeignKey(
        Send, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    mailing = models.ForeignKey(
        Mailing, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    address = models.CharField(max_length=254, blank=True)
    # The provider's id for the event: a webhook delivered twice is recorded once.
    provider_event_id = models.CharField(max_length=120, unique=True)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["mailing", "kind"], name="delivery_event_mailing_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.address}"


class InboundText(models.Model):
    """A text a person sent us: a keyword (STOP, START, HELP) or a reply for a person."""

    provider_id = models.CharField(max_length=120, unique=True)
    from_number = models.CharField(max_length=20)
    to_number = models.CharField(max_length=20)
    body = models.TextField()
    keyword = models.CharField(max_length=8, blank=True)
    reply = models.CharField(max_length=320, blank=True)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:40]}"

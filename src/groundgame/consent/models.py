"""Subscriptions per person x channel x topic, the global do-not-contact, suppressed addresses,
and the append-only history of every change.

The rule that reads them lives in ``rules.py``; every write goes through ``services.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call"
    MAIL = "mail", "Postal mail"
    DOOR = "door", "Door knock"


# Email and texts need an explicit subscription to a topic; calls, mail and doors reach
# voters unless they asked not to be (how voter contact works, and what the law allows).
OPT_IN_CHANNELS = frozenset({Channel.EMAIL, Channel.SMS})


class Topic(models.Model):
    """What a message is about. Five ship with the product; staff may add more."""

    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    # Confirmations and reminders of something the person asked for (a sign-up, an RSVP):
    # sent without a subscription, but never past a do-not-contact, a channel they left,
    # or an address that stopped or bounced.
    transactional = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A person's current choice about one topic on one channel."""

    class Status(models.TextChoices):
        SUBSCRIBED = "subscribed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=12, choices=Status.choices)
    source = models.CharField(max_length=60)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "channel", "topic"], name="subscription_one_per_topic"
            )
        ]
        # The fan-out's audience join: who is subscribed to this topic on this channel.
        indexes = [
            models.Index(
                fields=["channel", "topic", "status", "person"], name="subscription_audience_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.channel}/{self.topic_id}: {self.status}"


class ChannelOptOut(models.Model):
    """The person left a whole channel ("no more email at all"): wins over every topic."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="channel_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} left {self.channel}"


class DoNotContact(models.Model):
    """The global do-not-contact: no channel, no topic, transactional included."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    reason = models.CharField(max_length=300)
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.person_id}: do not contact"


class SuppressedAddress(models.Model):
    """An email address or phone number that must not be used, whoever it belongs to.

    A STOP is the number's owner speaking, a hard bounce or a complaint is about the mailbox:
    they follow the address, not the person record (two records may share a number).
    """

    class Reason(models.TextChoices):
        STOPPED = "stopped", "Replied STOP"
        BOUNCED = "bounced", "Hard bounce"
        COMPLAINED = "complained", "Spam complaint"
        INVALID = "invalid", "Not a working address"
        ERASED = "erased", "Holder's data erased on request"

    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    source = models.CharField(max_length=60)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="suppressed_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.address}: {self.reason}"


class ConsentEvent(models.Model):
    """One change of consent, with where it came from. Append-only: the history is the record
    a campaign shows a regulator or a supporter who asks."""

    class Action(models.TextChoices):
        SUBSCRIBE = "subscribe", "Subscribed"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        LEAVE_CHANNEL = "leave_channel", "Left the channel"
        REJOIN_CHANNEL = "rejoin_channel", "Came back to the channel"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        CONTACT_ALLOWED = "contact_allowed", "Do-not-contact lifted"
        STOP = "stop", "Replied STOP"
        START = "start", "Replied START"
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        ERASED = "erased", "Erased on request"

    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    # Where it came from: "signup_form:12", "unsubscribe_page", "one_click", "sms_keyword",
    # "webhook:email", "staff", "import:actblue" ...
    source = models.CharField(max_length=60)
    # The person's state when it happened, so churn by state needs no join to addresses
    # that may have changed since.
    state = models.CharField(max_length=2, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "at"], name="consent_event_person_idx"),
            models.Index(fields=["action", "channel", "at"], name="consent_event_churn_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.person_id} {self.action} {self.channel}"


class ContactCap(models.Model):
    """How often a channel may reach one person and one household (everyone at an address
    together) within a window: a setting of the campaign, one row per capped channel."""

    channel = models.CharField(max_length=8, choices=Channel.choices, unique=True)
    per_person = models.PositiveSmallIntegerField()
    # None: the channel has no cap per household, only per person.
    per_household = models.PositiveSmallIntegerField(null=True, blank=True)
    window_hours = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        household = f", {self.per_household} per household" if self.per_household else ""
        return f"{self.channel}: {self.per_person} per person{household} per {self.window_hours} h"


class Contact(models.Model):
    """One contact the campaign made, or queued, on a channel: what the caps count.

    A message counts when it is queued (it is on its way; a cancelled one is withdrawn), a
    door when its result is recorded, a mail piece or a call when it is logged. A door or a
    mail piece reaches the household; ``person`` is who it was for, when known. ``source``
    names what made it (``mailing:12``, ``canvass:3456``, ``mail:<drop>``, ``call:<list>``).
    """

    channel = models.CharField(max_length=8, choices=Channel.choices)
    # No foreign keys in the database: a national fan-out writes one row per recipient, and a
    # checked key costs a locking lookup per row (as for messaging's sends). Django still
    # cascades deletes.
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    household = models.ForeignKey(
        "people.Household",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField()
    source = models.CharField(max_length=40)

    class Meta:
        indexes = [
            models.Index(fields=["person", "channel", "at"], name="contact_person_idx"),
            models.Index(fields=["household", "channel", "at"], name="contact_household_idx"),
            models.Index(fields=["source"], name="contact_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.at:%Y-%m-%d %H:%M}: {self.source}"

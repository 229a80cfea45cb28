"""The one rule: may this person be contacted on this channel about this topic?

It is written once, as named conditions over a queryset of people, so that a bulk send (the
fan-out filters millions of people with it in one query) and a single send (the sender asks
about one person just before delivery) cannot disagree. ``decide`` evaluates the same
conditions for one person and names the first that fails.

In order, a person is not contacted when:
1. they are on the global do-not-contact list;
2. they have no address for the channel (no email, no phone, no household for mail/doors);
3. that address is suppressed (STOP, hard bounce, complaint);
4. they left the whole channel;
5. they left this topic on this channel;
6. the channel needs opt-in (email, SMS) and they never subscribed to the topic, unless the
   topic is transactional (a confirmation of something they asked for).

A contact about no topic in particular (a walk list knocks on doors, whatever the script
says) is judged by the first four alone.

7. Asked about one piece of a program (``piece``, named like the contact log's sources:
   ``mailing:12``, ``mail:<drop>``, ``call:<list>``, ``doors:<universe id>``), the person's
   household is held out of that program to measure it. Programs belong to an app above
   consent, which tells the rule which households a piece holds out through
   ``held_out_reader_register``; so every channel that names its piece keeps the holdout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from groundgame.consent.models import (
    OPT_IN_CHANNELS,
    Channel,
    ChannelOptOut,
    DoNotContact,
    Subscription,
    SuppressedAddress,
    Topic,
)

# The person field holding each channel's address; mail and doors go to the household.
ADDRESS_FIELD = {
    Channel.EMAIL: "email",
    Channel.SMS: "phone",
    Channel.PHONE: "phone",
}

# Reasons, in the order they are checked; stable strings shown to staff and in the API.
DO_NOT_CONTACT = "do_not_contact"
NO_ADDRESS = "no_address"
ADDRESS_SUPPRESSED = "address_suppressed"
CHANNEL_LEFT = "channel_left"
TOPIC_LEFT = "topic_left"
NOT_SUBSCRIBED = "not_subscribed"
HELD_OUT = "held_out"

REASON_TEXT = {
    DO_NOT_CONTACT: "On the do-not-contact list.",
    NO_ADDRESS: "No address for this channel.",
    ADDRESS_SUPPRESSED: "The address replied STOP, bounced or complained.",
    CHANNEL_LEFT: "Left this channel entirely.",
    TOPIC_LEFT: "Unsubscribed from this topic on this channel.",
    NOT_SUBSCRIBED: "Never subscribed to this topic on this channel.",
    HELD_OUT: "Held out of this program, to measure what it does.",
}

# The household ids a piece of a program holds out (a queryset of ids), or None when the
# piece belongs to no program with a holdout. Filled by the app that owns programs.
HeldOutReader = Callable[[str], QuerySet[Any] | None]
_held_out_readers: dict[str, HeldOutReader] = {}


def held_out_reader_register(name: str, reader: HeldOutReader) -> None:
    """Let an app above consent hold households out of the pieces of its programs."""
    _held_out_readers[name] = reader


def _held_out(piece: str) -> Q | None:
    q = None
    for reader in _held_out_readers.values():
        households = reader(piece)
        if households is not None:
            held = Q(household_id__in=households)
            q = held if q is None else q | held
    return q


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    @property
    def text(self) -> str:
        return REASON_TEXT.get(self.reason, "May be contacted.")


def _has_address(channel: str) -> Q:
    field = ADDRESS_FIELD.get(Channel(channel))
    if field is None:
        return Q(household__isnull=False)
    return ~Q(**{field: ""})


def blocking_conditions(channel: str, topic: Topic | None, piece: str = "") -> dict[str, Any]:
    """Each reason with the condition that, when true for a person, blocks the contact.

    Keys are in the order of the module docstring; values are expressions over ``Person``.
    Without a topic, the topic's conditions are left out; without a piece, the holdout's.
    """
    person = OuterRef("pk")
    conditions: dict[str, Any] = {
        DO_NOT_CONTACT: Exists(DoNotContact.objects.filter(person=person)),
        NO_ADDRESS: ~_has_address(channel),
    }
    field = ADDRESS_FIELD.get(Channel(channel))
    if field is not None:
        conditions[ADDRESS_SUPPRESSED] = Exists(
            SuppressedAddress.objects.filter(channel=channel, address=OuterRef(field))
        )
    conditions[CHANNEL_LEFT] = Exists(ChannelOptOut.objects.filter(person=person, channel=channel))
    if topic is not None:
        mine = Subscription.objects.filter(person=person, channel=channel, topic=topic)
        conditions[TOPIC_LEFT] = Exists(mine.filter(status=Subscription.Status.UNSUBSCRIBED))
        if channel in OPT_IN_CHANNELS and not topic.transactional:
            conditions[NOT_SUBSCRIBED] = ~Exists(mine.filter(status=Subscription.Status.SUBSCRIBED))
    held_out = _held_out(piece) if piece else None
    if held_out is not None:
        conditions[HELD_OUT] = held_out
    return conditions


def reachable(
    people: QuerySet[Any], channel: str, topic: Topic | None, piece: str = ""
) -> QuerySet[Any]:
    """``people`` narrowed to those who may be contacted on ``channel`` about ``topic`` by
    ``piece`` (of a program, when named)."""
    for condition in blocking_conditions(channel, topic, piece).values():
        people = people.filter(~condition)
    return people


def decide(
    people: QuerySet[Any], channel: str, topic: Topic | None, piece: str = ""
) -> dict[int, Decision]:
    """The decision for each person of ``people`` (a small queryset: one recipient, a page of
    them), with the first reason that blocks each."""
    conditions = blocking_conditions(channel, topic, piece)
    flags = {
        f"_blocked_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        for name, condition in conditions.items()
    }
    rows = people.annotate(**flags).values("pk", *flags)
    decisions: dict[int, Decision] = {}
    for row in rows:
        reason = next((name for name in conditions if row[f"_blocked_{name}"]), "")
        decisions[row["pk"]] = Decision(allowed=not reason, reason=reason)
    return decisions

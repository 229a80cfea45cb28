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
"""

from __future__ import annotations

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

REASON_TEXT = {
    DO_NOT_CONTACT: "On the do-not-contact list.",
    NO_ADDRESS: "No address for this channel.",
    ADDRESS_SUPPRESSED: "The address replied STOP, bounced or complained.",
    CHANNEL_LEFT: "Left this channel entirely.",
    TOPIC_LEFT: "Unsubscribed from this topic on this channel.",
    NOT_SUBSCRIBED: "Never subscribed to this topic on this channel.",
}


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


def blocking_conditions(channel: str, topic: Topic | None) -> dict[str, Any]:
    """Each reason with the condition that, when true for a person, blocks the contact.

    Keys are in the order of the module docstring; values are expressions over ``Person``.
    Without a topic, the topic's conditions are left out.
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
    if topic is None:
        return conditions
    mine = Subscription.objects.filter(person=person, channel=channel, topic=topic)
    conditions[TOPIC_LEFT] = Exists(mine.filter(status=Subscription.Status.UNSUBSCRIBED))
    if channel in OPT_IN_CHANNELS and not topic.transactional:
        conditions[NOT_SUBSCRIBED] = ~Exists(mine.filter(status=Subscription.Status.SUBSCRIBED))
    return conditions


def reachable(people: QuerySet[Any], channel: str, topic: Topic | None) -> QuerySet[Any]:
    """``people`` narrowed to those who may be contacted on ``channel`` about ``topic``."""
    for condition in blocking_conditions(channel, topic).values():
        people = people.filter(~condition)
    return people


def decide(people: QuerySet[Any], channel: str, topic: Topic | None) -> dict[int, Decision]:
    """The decision for each person of ``people`` (a small queryset: one recipient, a page of
    them), with the first reason that blocks each."""
    conditions = blocking_conditions(channel, topic)
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

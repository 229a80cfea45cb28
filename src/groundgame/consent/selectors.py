"""Reads of consent for other apps: the rule (bulk and single), a person's choices and
history, and who can still be reached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from groundgame.consent import caps, history, links, rules
from groundgame.consent.models import (
    Channel,
    ChannelOptOut,
    ConsentEvent,
    ContactCap,
    DoNotContact,
    Subscription,
    SuppressedAddress,
    Topic,
)
from groundgame.people import selectors as people_selectors

Decision = rules.Decision


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def topic_get(key: str) -> Topic | None:
    return Topic.objects.filter(key=key).first()


def reachable(
    people: QuerySet[Any], *, channel: str, topic: Topic | None, piece: str = ""
) -> QuerySet[Any]:
    """The rule, in bulk: ``people`` narrowed to those who may be contacted (about no topic
    in particular when ``topic`` is None, as on a walk list), by ``piece`` of a program when
    named (see ``rules``: a household held out of the program is left out)."""
    return rules.reachable(people, channel, topic, piece)


HeldOutReader = rules.HeldOutReader


def held_out_reader_register(name: str, reader: HeldOutReader) -> None:
    """An app above consent names the households each piece of its programs holds out
    (``reader(piece)``: a queryset of household ids, or None), and the rule keeps them out
    of that piece on every channel."""
    rules.held_out_reader_register(name, reader)


def within_caps(
    people: QuerySet[Any], *, channel: str, at: dt.datetime | None = None
) -> QuerySet[Any]:
    """The caps of the rule, in bulk: ``people`` narrowed to those one more list on
    ``channel`` may reach at ``at`` (now) without taking a person or a household past the
    channel's caps (see ``caps.py``). Every list cut on a channel asks it last."""
    return caps.within_caps(people, channel=channel, at=at or timezone.now())


@dataclass(frozen=True)
class ChannelCaps:
    channel: str
    label: str
    cap: ContactCap | None  # None: the channel has no caps


def contact_caps() -> list[ChannelCaps]:
    """Each channel with its caps, in the channels' order."""
    found = {cap.channel: cap for cap in ContactCap.objects.all()}
    return [ChannelCaps(value, str(label), found.get(value)) for value, label in Channel.choices]


def reachable_count_at(*, channel: str, topic: Topic, at: dt.datetime) -> int:
    """How many people the rule would have allowed at a past moment, from the history."""
    return history.reachable_count_at(channel=channel, topic=topic, at=at)


def subscribers_by_state() -> dict[str, int]:
    """People subscribed to at least one topic by email or text, per state of their address
    ("" when unknown): the list that churn is measured against."""
    rows = (
        Subscription.objects.filter(
            status=Subscription.Status.SUBSCRIBED, channel__in=(Channel.EMAIL, Channel.SMS)
        )
        .values("person__household__state")
        .annotate(n=Count("person", distinct=True))
        .order_by()
    )
    return {r["person__household__state"] or "": r["n"] for r in rows}


def contact_decision(*, person_id: int, channel: str, topic: Topic, piece: str = "") -> Decision:
    """The rule, for one person, with the reason when the answer is no."""
    decisions = rules.decide(people_selectors.people_by_ids([person_id]), channel, topic, piece)
    return decisions.get(person_id, Decision(allowed=False, reason=rules.NO_ADDRESS))


@dataclass(frozen=True)
class ChannelChoices:
    channel: str
    label: str
    left: bool
    topics: list[tuple[Topic, str]]  # (topic, "subscribed" | "unsubscribed" | "")


@dataclass(frozen=True)
class PersonConsent:
    do_not_contact: DoNotContact | None
    channels: list[ChannelChoices]
    suppressed: list[SuppressedAddress]
    history: list[ConsentEvent]


def person_consent(*, person_id: int, history: int = 50) -> PersonConsent:
    """Everything a person chose, per channel and topic, with the latest history first."""
    topics = list(Topic.objects.all())
    status = {
        (s.channel, s.topic_id): s.status for s in Subscription.objects.filter(person_id=person_id)
    }
    left = set(ChannelOptOut.objects.filter(person_id=person_id).values_list("channel", flat=True))
    channels = [
        ChannelChoices(
            channel=value,
            label=str(label),
            left=value in left,
            topics=[(t, status.get((value, t.pk), "")) for t in topics],
        )
        for value, label in Channel.choices
    ]
    contact = people_selectors.person_contact(person_id)
    addresses = [a for a in (contact.email, contact.phone) if a] if contact else []
    return PersonConsent(
        do_not_contact=DoNotContact.objects.filter(person_id=person_id).first(),
        channels=channels,
        suppressed=list(SuppressedAddress.objects.filter(address__in=addresses)),
        history=list(
            ConsentEvent.objects.filter(person_id=person_id)
            .select_related("topic", "actor")
            .order_by("-at", "-pk")[:history]
        ),
    )


def subscribed_topic_keys(*, person_id: int, channel: str) -> set[str]:
    return set(
        Subscription.objects.filter(
            person_id=person_id, channel=channel, status=Subscription.Status.SUBSCRIBED
        ).values_list("topic__key", flat=True)
    )


def consent_event_list() -> QuerySet[ConsentEvent]:
    """Every change of consent, newest first (list health reads churn from it)."""
    return ConsentEvent.objects.order_by("-at", "-pk")


def unsubscribe_url(*, person_id: int, channel: str, topic_key: str) -> str:
    """The person's own unsubscribe page for a message on ``channel`` about ``topic_key``."""
    return links.unsubscribe_url(person_id=person_id, channel=channel, topic_key=topic_key)


def one_click_url(*, person_id: int, channel: str, topic_key: str) -> str:
    """The RFC 8058 one-click unsubscribe address for the List-Unsubscribe header."""
    return links.one_click_url(person_id=person_id, channel=channel, topic_key=topic_key)

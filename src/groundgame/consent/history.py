"""Consent read back from its history: who the rule would have allowed at a past moment, and
a history loaded in bulk.

The history (``ConsentEvent``) is append-only and every service writes it with the change it
records, so the state of consent at any past time is the latest event of each kind before
it. ``reachable_count_at`` replays the rule of ``rules.py`` from it for a past week, which is
how list health shows the reachable audience moving week by week without snapshots.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from groundgame.consent import rules
from groundgame.consent.models import (
    OPT_IN_CHANNELS,
    Channel,
    ChannelOptOut,
    ConsentEvent,
    DoNotContact,
    Subscription,
    SuppressedAddress,
    Topic,
)
from groundgame.core.bulk import insert_rows
from groundgame.people import selectors as people_selectors

Action = ConsentEvent.Action


def _latest(events: QuerySet[ConsentEvent], actions: Sequence[str]) -> Coalesce:
    """The action of the person's latest event among ``actions`` ("" if none: a NULL would
    make ``exclude`` drop the person too)."""
    latest = events.filter(action__in=actions).order_by("-at", "-pk").values("action")[:1]
    return Coalesce(Subquery(latest), Value(""))


def reachable_count_at(*, channel: str, topic: Topic, at: dt.datetime) -> int:
    """How many people the contact rule would have allowed at ``at`` on ``channel`` about
    ``topic``, replayed from the history: subscribed to the topic (their latest subscribe or
    unsubscribe was a subscribe), not out of the channel, not on the do-not-contact list,
    their address not stopped (unless started again), bounced or complained about.

    For the opt-in channels (email, SMS) and topics that need a subscription. The address is
    today's: a changed email or number is not in the consent history. With a complete
    history the count at the present moment equals ``rules.reachable``'s.
    """
    if channel not in OPT_IN_CHANNELS or topic.transactional:
        raise ValueError("replayed only for subscription topics on email and SMS")
    field = rules.ADDRESS_FIELD[Channel(channel)]
    events = ConsentEvent.objects.filter(person=OuterRef("pk"), at__lte=at)
    on_channel = events.filter(channel=channel)
    subscribers = ConsentEvent.objects.filter(
        channel=channel, topic=topic, action=Action.SUBSCRIBE, at__lte=at
    ).values("person_id")
    people = (
        people_selectors.universe_people({})
        .filter(pk__in=subscribers)
        .exclude(**{field: ""})
        .annotate(
            _topic=_latest(on_channel.filter(topic=topic), [Action.SUBSCRIBE, Action.UNSUBSCRIBE]),
            _channel=_latest(on_channel, [Action.LEAVE_CHANNEL, Action.REJOIN_CHANNEL]),
            _dnc=_latest(events, [Action.DO_NOT_CONTACT, Action.CONTACT_ALLOWED]),
            _stop=_latest(on_channel, [Action.STOP, Action.START]),
        )
        .filter(_topic=Action.SUBSCRIBE)
        .exclude(_channel=Action.LEAVE_CHANNEL)
        .exclude(_dnc=Action.DO_NOT_CONTACT)
        .exclude(_stop=Action.STOP)
        # A bounce or a complaint is never lifted (START lifts only a STOP).
        .exclude(Exists(on_channel.filter(action__in=[Action.BOUNCE, Action.COMPLAINT])))
    )
    return people.count()


@dataclass(frozen=True)
class PastEvent:
    """One change of consent that happened at ``at``, for ``history_bulk_record``."""

    person_id: int
    action: str  # subscribe, unsubscribe, leave_channel, do_not_contact, stop, bounce, complaint
    source: str
    at: dt.datetime
    state: str = ""
    channel: str = ""
    topic_key: str = ""
    address: str = ""


_SUPPRESSES = {
    Action.STOP: SuppressedAddress.Reason.STOPPED,
    Action.BOUNCE: SuppressedAddress.Reason.BOUNCED,
    Action.COMPLAINT: SuppressedAddress.Reason.COMPLAINED,
}
_SUPPORTED = {Action.SUBSCRIBE, Action.UNSUBSCRIBE, Action.LEAVE_CHANNEL, Action.DO_NOT_CONTACT}
_SUPPORTED |= set(_SUPPRESSES)


def history_bulk_record(events: Sequence[PastEvent]) -> int:
    """Apply a past history of consent, in order, and record it; returns how many events.

    The bulk twin of the services (a demo campaign's months of history, or a history brought
    over from another tool): each event has the effect its service would have had, with its
    own time, in a few statements instead of one transaction per change. Only the actions
    that start or end consent are taken; lifting one (START, rejoin, do-not-contact lifted)
    goes through the services.
    """
    unsupported = {e.action for e in events} - _SUPPORTED
    if unsupported:
        raise ValueError(f"not recorded in bulk: {', '.join(sorted(unsupported))}")
    topics = dict(Topic.objects.values_list("key", "pk"))
    ordered = sorted(events, key=lambda e: e.at)
    # The latest choice per (person, channel, topic) wins, as one service call after another.
    status: dict[tuple[int, str, int], tuple[str, PastEvent]] = {}
    left: dict[tuple[int, str], PastEvent] = {}
    suppressed: dict[tuple[str, str], PastEvent] = {}
    dnc: dict[int, PastEvent] = {}
    for e in ordered:
        if e.action in (Action.SUBSCRIBE, Action.UNSUBSCRIBE):
            subscribed = e.action == Action.SUBSCRIBE
            status[(e.person_id, e.channel, topics[e.topic_key])] = (
                Subscription.Status.SUBSCRIBED if subscribed else Subscription.Status.UNSUBSCRIBED,
                e,
            )
        elif e.action == Action.LEAVE_CHANNEL:
            left.setdefault((e.person_id, e.channel), e)
        elif e.action == Action.DO_NOT_CONTACT:
            dnc.setdefault(e.person_id, e)
        else:
            suppressed.setdefault((e.channel, e.address), e)
    with transaction.atomic():
        # Plain rows, not models: a demo's history is tens of thousands of them.
        insert_rows(
            Subscription,
            ["person_id", "channel", "topic_id", "status", "source", "changed_at"],
            (
                (person, channel, topic, value, e.source[:60], e.at)
                for (person, channel, topic), (value, e) in status.items()
            ),
            conflict=["person_id", "channel", "topic_id"],
            update=["status", "source", "changed_at"],
        )
        ChannelOptOut.objects.bulk_create(
            [
                ChannelOptOut(person_id=p, channel=c, source=e.source[:60], created_at=e.at)
                for (p, c), e in left.items()
            ],
            ignore_conflicts=True,
            batch_size=2_000,
        )
        SuppressedAddress.objects.bulk_create(
            [
                SuppressedAddress(
                    channel=c,
                    address=a,
                    reason=_SUPPRESSES[Action(e.action)],
                    source=e.source[:60],
                    created_at=e.at,
                )
                for (c, a), e in suppressed.items()
            ],
            ignore_conflicts=True,
            batch_size=2_000,
        )
        DoNotContact.objects.bulk_create(
            [
                DoNotContact(
                    person_id=p,
                    reason="Asked never to be contacted.",
                    source=e.source[:60],
                    created_at=e.at,
                )
                for p, e in dnc.items()
            ],
            ignore_conflicts=True,
            batch_size=2_000,
        )
        insert_rows(
            ConsentEvent,
            ["person_id", "channel", "topic_id", "address", "action", "source", "state", "at"],
            (
                (
                    e.person_id,
                    e.channel,
                    topics[e.topic_key] if e.topic_key else None,
                    e.address,
                    e.action,
                    e.source[:60],
                    e.state,
                    e.at,
                )
                for e in ordered
            ),
        )
    return len(ordered)

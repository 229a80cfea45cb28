"""The caps of the one contact rule: how often a channel may reach a person, and a household
(everyone at one address together), within a window.

``within_caps`` narrows a queryset of people, so that every list cut on a channel (a
mailing's fan-out, a turf cut, a walk list, a mail drop, a call list) applies the same caps
in one query. What it counts is the ``Contact`` log: each contact made or queued on the
channel within the window before ``at``.

- A person with ``per_person`` contacts in the window is left out.
- On the door channel a household is one door: a walk list knocks it once, whoever answers,
  so its contacts are its distinct visits (one per walk list), and a household with
  ``per_household`` visits is left out whole.
- On the other channels each message, piece or call counts for the household. A household
  with room for ``k`` more keeps only its first ``k`` people (by id) in one list, so that
  contacting everyone the list holds never takes it past its cap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from groundgame.consent.models import Channel, Contact, ContactCap

# Channels where one contact reaches the whole household at once.
HOUSEHOLD_CHANNELS = frozenset({Channel.DOOR})


def cap_for(channel: str) -> ContactCap | None:
    return ContactCap.objects.filter(channel=channel).first()


def _recent_contacts(cap: ContactCap, at: dt.datetime) -> QuerySet[Contact]:
    """The contacts a cap counts at ``at``: on its channel, within its window (and any
    recorded with a later time, which count too)."""
    since = at - dt.timedelta(hours=cap.window_hours)
    return Contact.objects.filter(channel=cap.channel, at__gt=since)


def _at_least(contacts: QuerySet[Contact], key: str, outer: str, n: int, count: Any) -> Exists:
    """True for a row of the outer query whose ``key`` has at least ``n`` of ``contacts``."""
    return Exists(
        contacts.filter(**{key: OuterRef(outer)})
        .values(key)
        .annotate(n=count)
        .filter(n__gte=n)
        .order_by()
    )


def _household_count(channel: str) -> Any:
    """What a household's contacts on ``channel`` add up to: visits for doors, else each."""
    return Count("source", distinct=True) if channel in HOUSEHOLD_CHANNELS else Count("pk")


def within_caps(people: QuerySet[Any], *, channel: str, at: dt.datetime) -> QuerySet[Any]:
    """``people`` narrowed to those the channel's caps let one more list reach at ``at``."""
    cap = cap_for(channel)
    if cap is None:
        return people
    recent = _recent_contacts(cap, at)
    people = people.exclude(_at_least(recent, "person", "pk", cap.per_person, Count("pk")))
    if cap.per_household is None:
        return people
    if channel in HOUSEHOLD_CHANNELS:
        over = _at_least(
            recent, "household", "household_id", cap.per_household, _household_count(channel)
        )
        return people.exclude(over)
    so_far = Subquery(
        recent.filter(household=OuterRef("household_id"))
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
        .order_by()[:1],
        output_field=IntegerField(),
    )
    # People without a household are each a household of their own: partitioned by -id.
    household = Coalesce(F("household_id"), -F("pk"), output_field=IntegerField())
    kept: QuerySet[Any] = people.annotate(
        _household_room=Value(cap.per_household) - Coalesce(so_far, Value(0)),
        _household_rank=Window(RowNumber(), partition_by=[household], order_by=F("pk").asc()),
    ).filter(_household_rank__lte=F("_household_room"))
    return kept

"""The fan-out: from a mailing's universe to one queued send per address that may get it.

Audience, consent rule and contact caps (per person and per household) are one query, read
in address order through a server-side cursor, so that people who share an address (a
couple's one email, a family's landline) are next to each other: the first of them (the
lowest id) gets the send, the others are counted as ``shared``, and an address that already
has a send for the mailing gets no second one. The templates are compiled first (a problem
surfaces before anything is queued); each text is rendered to size it in carrier segments
(an email is one message whatever it says), and the rows are written to the outbox in
batches (COPY on PostgreSQL, multi-row inserts on SQLite), then copied into consent's log of
contacts, which the caps count. It runs in one transaction: a fan-out that dies leaves
nothing, and running it again skips anyone who already has a send for the mailing, so it
never queues a person, or an address, twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.messaging import compose, templating, variants
from groundgame.messaging.models import Mailing, MailingVariant, MessageChannel, Send
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors

BATCH = 20_000
# What counts as "we have texted this number before".
_COUNTED = (
    Send.Status.QUEUED,
    Send.Status.CLAIMED,
    Send.Status.SENDING,
    Send.Status.SENT,
    Send.Status.UNKNOWN,
)
_SEND_COLUMNS = (
    "mailing_id",
    "person_id",
    "channel",
    "topic_id",
    "address",
    "variant_id",
    "status",
    "segments",
    "attempts",
    "claimed_by",
    "provider_id",
    "error",
    "queued_at",
)


def progress_key(mailing_id: int) -> str:
    """Where a running fan-out keeps how many sends it has queued, in the shared cache."""
    return f"messaging:fanout:{mailing_id}"


@dataclass(frozen=True)
class FanOut:
    audience: int
    suppressed: int
    capped: int
    # Left out because another recipient has the same address and gets the message there.
    shared: int
    queued: int


@dataclass
class _Shared:
    """How many recipients the rows left out for an address already sent to."""

    count: int = 0


def recipients(
    mailing: Mailing, now: dt.datetime
) -> tuple[QuerySet[Any], QuerySet[Any], QuerySet[Any]]:
    """(audience, reachable, to queue): the universe within the sender's units, those the
    consent rule allows, and those of them without a send for this mailing yet whom the
    channel's caps let it reach (per person, and per household: a household with room for two
    more gets two). The sender's units are read now, at send time, not when it was written."""
    sender = organizing_selectors.staff_scope(mailing.scheduled_by)
    audience = people_selectors.universe_people(mailing.audience_spec).filter(
        sender.person_filter()
    )
    reachable = consent_selectors.reachable(
        audience, channel=mailing.channel, topic=mailing.topic, piece=contact_source(mailing.pk)
    )
    to_queue = reachable.exclude(
        Exists(Send.objects.filter(mailing=mailing, person=OuterRef("pk")))
    )
    to_queue = consent_selectors.within_caps(to_queue, channel=mailing.channel, at=now)
    return audience, reachable, to_queue


def contact_source(mailing_id: int) -> str:
    """How the contact log names a mailing's messages."""
    return f"mailing:{mailing_id}"


def _rows(
    mailing: Mailing, to_queue: QuerySet[Any], now: dt.datetime, shared: _Shared
) -> Iterator[tuple[Any, ...]]:
    """One outbox row per address, rendered to know its size; the recipients left out for
    sharing an address are counted in ``shared``."""
    address_field = "email" if mailing.channel == MessageChannel.EMAIL else "phone"
    templating.compile_template(mailing.subject or "", field="subject")
    body = templating.compile_template(mailing.body)
    # A test's recipients are each drawn to one variant, which the send records.
    tested = list(MailingVariant.objects.filter(mailing=mailing).order_by("position"))
    seed = mailing.variant_seed or 0
    shares = [v.share for v in tested]
    variant_ids = [v.pk for v in tested]
    bodies = [templating.compile_template(v.body) for v in tested]
    # Only a run after an earlier one finds sends to look at (emails' addresses have no
    # index); the first run does not probe for each recipient.
    sent_here = Send.objects.none()
    if Send.objects.filter(mailing=mailing).exists():
        sent_here = Send.objects.filter(mailing=mailing, address=OuterRef(address_field))
    queryset = to_queue.order_by(address_field, "pk").annotate(_sent_here=Exists(sent_here))
    if mailing.channel == MessageChannel.SMS:
        texted = Send.objects.filter(
            address=OuterRef("phone"), channel=MessageChannel.SMS, status__in=_COUNTED
        )
        queryset = queryset.annotate(_texted=Exists(texted))
    else:
        queryset = queryset.annotate(_texted=Exists(Send.objects.none()))
    fields = (
        "pk",
        "first_name",
        "last_name",
        address_field,
        "household__city",
        "household__state",
        "household__zip5",
        "_texted",
        "_sent_here",
    )
    # Read once, not per row: the loop runs for every recipient of a national list.
    mailing_id, channel, topic_id = mailing.pk, mailing.channel, mailing.topic_id
    is_text = channel == MessageChannel.SMS
    queued = Send.Status.QUEUED
    previous = None
    for pk, first, last, address, city, state, zip5, texted, sent_here in queryset.values_list(
        *fields
    ).iterator(chunk_size=BATCH):
        if sent_here or address == previous:
            shared.count += 1
            continue
        previous = address
        variant_id = None
        text_body = body
        if tested:
            index = variants.draw(seed, pk, shares)
            variant_id, text_body = variant_ids[index], bodies[index]
        # An email is one message whatever it says, and its templates were checked when they
        # were compiled above: only a text is rendered here, to size it in segments.
        segments = 1
        if is_text:
            values = compose.recipient_values(
                first_name=first,
                last_name=last,
                city=city or "",
                state=state or "",
                zip5=zip5 or "",
            )
            recipient = compose.Recipient(person_id=pk, address=address, values=values)
            segments = compose.text(
                body=text_body, recipient=recipient, first_to_number=not texted
            ).segments
        yield (
            mailing_id,
            pk,
            channel,
            topic_id,
            address,
            variant_id,
            queued,
            segments,
            0,
            "",
            "",
            "",
            now,
        )


def _write(rows: list[tuple[Any, ...]]) -> None:
    if connection.vendor == "postgresql":
        columns = ", ".join(_SEND_COLUMNS)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY messaging_send ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    Send.objects.bulk_create(
        [Send(**dict(zip(_SEND_COLUMNS, row, strict=True))) for row in rows],
        batch_size=1000,
        ignore_conflicts=True,
    )


def fan_out(mailing: Mailing, *, progress: Callable[[int], None] | None = None) -> FanOut:
    """Queue the mailing's sends; the caller holds the transaction and the mailing's lock."""
    now = timezone.now()
    audience, reachable, to_queue = recipients(mailing, now)
    audience_count = audience.count()
    reachable_count = reachable.count()
    already = Send.objects.filter(mailing=mailing).count()
    queued = 0
    shared = _Shared()
    batch: list[tuple[Any, ...]] = []
    for row in _rows(mailing, to_queue, now, shared):
        batch.append(row)
        if len(batch) >= BATCH:
            _write(batch)
            queued += len(batch)
            batch = []
            if progress is not None:
                progress(queued)
    if batch:
        _write(batch)
        queued += len(batch)
    # Each message queued now is a contact the caps count, with its person's household.
    consent_services.contacts_record_from(
        channel=mailing.channel,
        rows=Send.objects.filter(mailing=mailing, queued_at=now).values_list(
            "person_id", "person__household_id"
        ),
        at=now,
        source=contact_source(mailing.pk),
    )
    if progress is not None:
        progress(queued)
    total = already + queued
    return FanOut(
        audience=audience_count,
        suppressed=max(0, audience_count - reachable_count),
        capped=max(0, reachable_count - total - shared.count),
        shared=shared.count,
        queued=total,
    )

"""Delivery: the senders working through the outbox and the mailings they finish, one-off
messages to a person, and what comes back (providers' delivery events, which may change
consent, and inbound texts, whose keywords do)."""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from groundgame.consent import services as consent_services
from groundgame.core.errors import Conflict, NotFound, ValidationFailed
from groundgame.messaging import backends, errors, sender
from groundgame.messaging.compose import OutgoingEmail
from groundgame.messaging.models import (
    DeliveryEvent,
    InboundText,
    Mailing,
    MessageChannel,
    Send,
)
from groundgame.messaging.services.mailings import channel_checked, topic_checked
from groundgame.messaging.throttle import TokenBucket
from groundgame.people import selectors as people_selectors

_OPEN = (Send.Status.QUEUED, Send.Status.CLAIMED, Send.Status.SENDING)


def default_backends() -> sender.Backends:
    return sender.Backends(
        email=backends.email_sender(),
        text=backends.text_sender(),
        email_rate=TokenBucket(per_second=settings.GROUNDGAME_EMAIL_PER_SECOND),
        text_rate=TokenBucket(per_second=settings.GROUNDGAME_SMS_SEGMENTS_PER_MINUTE / 60),
    )


def _sender_key(channel: MessageChannel) -> str:
    """The cache key a channel's one sender holds while it works."""
    return f"messaging:sender:{channel.value}"


def sends_deliver(
    *,
    channel: str,
    mailing_id: int | None = None,
    limit: int | None = None,
    use: sender.Backends | None = None,
    progress: Callable[[sender.Tally], None] | None = None,
) -> sender.Tally:
    """Work through the outbox of one channel (only one mailing's sends, when given); then
    close the mailings that are done. ``progress`` is told the tally after each message."""
    ch = channel_checked(channel)
    if mailing_id is not None:
        found = Mailing.objects.filter(pk=mailing_id).values_list("channel", flat=True).first()
        if found is None:
            raise NotFound("No such mailing.", code=errors.MAILING_NOT_FOUND, field="mailing")
        if found != ch:
            raise ValidationFailed(
                f"Mailing {mailing_id} goes by {found}, not {ch.value}.",
                code=errors.CHANNEL_INVALID,
                field="channel",
            )
    # One sender per channel at a time, whoever starts it (the worker's task, the command
    # line), so the provider's rate is kept by one bucket. The hold lasts a send lease and is
    # renewed after every message, so a sender that dies lets go as its sends do.
    key = _sender_key(ch)
    hold = settings.GROUNDGAME_SEND_LEASE_SECONDS
    # The hold's value is when it ends, so the sweep can look again the moment a dead
    # sender's hold is gone (``outbox_sweep``).
    if not cache.add(key, time.time() + hold, timeout=hold):
        raise Conflict(
            f"Another sender is delivering the {ch.label.lower()} outbox; it works until the "
            "outbox is empty.",
            code=errors.SENDER_BUSY,
            field="channel",
        )

    def renew(tally: sender.Tally) -> None:
        cache.set(key, time.time() + hold, timeout=hold)
        if progress is not None:
            progress(tally)

    try:
        tally = sender.deliver_pending(
            channel=ch,
            backends=use or default_backends(),
            mailing_id=mailing_id,
            limit=limit,
            progress=renew,
        )
    finally:
        cache.delete(key)
    mailings_close()
    return tally


@dataclass(frozen=True)
class OutboxSweep:
    # The channels whose delivery was scheduled again.
    resumed: list[str]
    # Seconds until a sender's hold or a send's lease runs out, when one will: the sweep
    # looks again then rather than a whole sweep interval later. None: nothing is held.
    look_again: float | None


def outbox_sweep() -> OutboxSweep:
    """Resume the outboxes nobody is working on: sends left claimed or in flight by a sender
    that died are recovered once their lease ran out, the mailings they finish are closed,
    and a delivery run is scheduled for each channel that has sends due and no sender
    holding it.

    Without it, a mailing whose sender died mid-send waited for the next task that happened
    to schedule delivery on its channel."""
    from groundgame.messaging import tasks

    if any(sender.recover()):
        mailings_close()
    resumed = []
    ends = []
    for channel in MessageChannel:
        held_until = cache.get(_sender_key(channel))
        if held_until is not None:
            ends.append(float(held_until))
        elif outbox_waiting(channel=channel.value):
            tasks.deliver_soon(channel.value)
            resumed.append(channel.value)
    now = timezone.now()
    lease_end = Send.objects.filter(
        status__in=(Send.Status.CLAIMED, Send.Status.SENDING), lease_until__gt=now
    ).aggregate(at=Min("lease_until"))["at"]
    if lease_end is not None:
        ends.append(lease_end.timestamp())
    # A moment past the end, so that the hold is surely gone when the sweep looks.
    look_again = max(0.0, min(ends) - time.time()) + _PAST_THE_END if ends else None
    return OutboxSweep(resumed=resumed, look_again=look_again)


_PAST_THE_END = 0.05


def mailing_channel(mailing_id: int) -> str:
    return str(Mailing.objects.values_list("channel", flat=True).get(pk=mailing_id))


def outbox_waiting(*, channel: str) -> bool:
    """Whether sends of the channel may be tried now (texts waiting for their recipients'
    sending hours are not)."""
    return Send.objects.filter(sender.due(timezone.now()), channel=channel).exists()


def outbox_next_opening(*, channel: str) -> dt.datetime | None:
    """The earliest moment a send of the channel waiting for its recipient's sending hours
    may go; None when none waits."""
    opening: dt.datetime | None = Send.objects.filter(
        channel=channel, status=Send.Status.QUEUED, not_before__gt=timezone.now()
    ).aggregate(at=Min("not_before"))["at"]
    return opening


def outbox_count(*, channel: str, mailing_id: int | None = None) -> int:
    """The sends of a channel (of one mailing) still waiting for a sender or held by one."""
    waiting = Send.objects.filter(
        channel=channel, status__in=(Send.Status.QUEUED, Send.Status.CLAIMED)
    )
    if mailing_id is not None:
        waiting = waiting.filter(mailing_id=mailing_id)
    return waiting.count()


def mailings_close() -> int:
    """Mark sending mailings with nothing left in the outbox as sent."""
    closed = 0
    for mailing in Mailing.objects.filter(status=Mailing.Status.SENDING):
        if not Send.objects.filter(mailing=mailing, status__in=_OPEN).exists():
            closed += Mailing.objects.filter(pk=mailing.pk, status=Mailing.Status.SENDING).update(
                status=Mailing.Status.SENT, finished_at=timezone.now()
            )
    return closed


def message_send(
    *,
    person_id: int,
    channel: str,
    topic_key: str,
    body: str,
    subject: str = "",
    dedupe_key: str,
) -> Send | None:
    """One message to one person (a confirmation, a reminder), through the same outbox, rule
    and sender as mailings. Asking twice with the same key sends once. None when the person
    has no address for the channel."""
    from groundgame.messaging import tasks

    ch = channel_checked(channel)
    topic = topic_checked(topic_key)
    contact = people_selectors.person_contact(person_id)
    if contact is None:
        raise NotFound("No such person.", code="person_not_found", field="person_id")
    address = contact.email if ch == MessageChannel.EMAIL else contact.phone
    if not address:
        return None
    existing = Send.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            send = Send.objects.create(
                person_id=person_id,
                channel=ch,
                topic=topic,
                address=address,
                dedupe_key=dedupe_key[:120],
                content={"subject": subject, "body": body},
                queued_at=timezone.now(),
            )
            transaction.on_commit(partial(tasks.deliver_soon, ch.value), robust=True)
    except IntegrityError:
        return Send.objects.filter(dedupe_key=dedupe_key).first()
    return send


def staff_notice_send(*, to: str, subject: str, body: str, message_id: str) -> str:
    """A notice to a staff member's own work address (an alert about the campaign), sent now
    through the campaign's mail backend; returns the provider's id. Staff are told about
    their work, not subscribed to a topic, so no person, consent or outbox is involved;
    the caller keeps it to once per cause. Raises ``backends.DeliveryError``."""
    email_backend = backends.email_sender()
    try:
        return email_backend.send(
            OutgoingEmail(
                to=to,
                subject=subject,
                text=body,
                html="".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p),
                headers={"Message-ID": message_id},
            )
        )
    finally:
        email_backend.close()


@dataclass(frozen=True)
class EventOutcome:
    recorded: bool
    consent_changed: bool


def delivery_event_record(
    *,
    kind: str,
    provider_event_id: str,
    provider_message_id: str = "",
    address: str = "",
    detail: str = "",
    at: dt.datetime | None = None,
) -> EventOutcome:
    """A provider's report about a message. Bounces and complaints suppress the address, an
    unsubscribe leaves the message's topic; a report delivered twice counts once."""
    try:
        event_kind = DeliveryEvent.Kind(kind)
    except ValueError:
        raise ValidationFailed(
            f"Unknown event {kind!r}.", code=errors.EVENT_INVALID, field="event"
        ) from None
    if not provider_event_id:
        raise ValidationFailed("An event needs its id.", code=errors.EVENT_INVALID, field="id")
    send = (
        Send.objects.select_related("topic").filter(provider_id=provider_message_id).first()
        if provider_message_id
        else None
    )
    address = address or (send.address if send else "")
    provider_event_id = provider_event_id[:120]
    try:
        with transaction.atomic():
            if DeliveryEvent.objects.filter(provider_event_id=provider_event_id).exists():
                return EventOutcome(recorded=False, consent_changed=False)
            DeliveryEvent.objects.create(
                send=send,
                mailing_id=send.mailing_id if send else None,
                kind=event_kind,
                address=address[:254],
                provider_event_id=provider_event_id,
                detail=detail[:300],
                at=at or timezone.now(),
            )
            changed = _consent_effect(event_kind, send, address)
            if event_kind == DeliveryEvent.Kind.FAILED and send is not None:
                Send.objects.filter(pk=send.pk).update(
                    status=Send.Status.FAILED, error=detail[:300]
                )
    except IntegrityError:
        # The same report delivered twice at once: the other request recorded it.
        return EventOutcome(recorded=False, consent_changed=False)
    return EventOutcome(recorded=True, consent_changed=changed)


@dataclass(frozen=True)
class Report:
    """One event of an email provider's batch, in ``delivery_event_record``'s terms."""

    kind: str
    provider_event_id: str
    provider_message_id: str = ""
    address: str = ""
    detail: str = ""


def delivery_events_record(*, reports: Sequence[Report]) -> int:
    """A provider's batch of reports, all or none: the batch gets one answer, so a bad
    report is named (``events[n].field``) and nothing of the batch is kept. Returns how
    many reports were new."""
    recorded = 0
    with transaction.atomic():
        for number, report in enumerate(reports):
            try:
                outcome = delivery_event_record(
                    kind=report.kind,
                    provider_event_id=report.provider_event_id,
                    provider_message_id=report.provider_message_id,
                    address=report.address,
                    detail=report.detail,
                )
            except ValidationFailed as exc:
                where = f"events[{number}]"
                raise ValidationFailed(
                    f"{where}: {exc.message}",
                    code=exc.code,
                    field=f"{where}.{exc.field}" if exc.field else where,
                ) from exc
            recorded += outcome.recorded
    return recorded


def _consent_effect(kind: DeliveryEvent.Kind, send: Send | None, address: str) -> bool:
    channel = send.channel if send else MessageChannel.EMAIL
    source = f"webhook:{channel}"
    if kind in (DeliveryEvent.Kind.BOUNCED, DeliveryEvent.Kind.COMPLAINED) and address:
        reason = "bounced" if kind == DeliveryEvent.Kind.BOUNCED else "complained"
        return consent_services.address_suppress(
            channel=channel, address=address, reason=reason, source=source
        )
    if kind == DeliveryEvent.Kind.UNSUBSCRIBED and send is not None:
        return bool(
            consent_services.subscription_leave(
                person_id=send.person_id,
                channel=send.channel,
                topic_keys=[send.topic.key],
                source=source,
            )
        )
    return False


def inbound_text_receive(*, provider_id: str, from_number: str, to_number: str, body: str) -> str:
    """A text from a person: STOP / START / HELP act at once and return the reply to send
    back; anything else is kept for staff and gets no automatic reply ("")."""
    try:
        from_number = consent_services.normalize_address(MessageChannel.SMS, from_number)
    except ValidationFailed:
        raise ValidationFailed(
            f"{from_number!r} is not a phone number.",
            code=errors.EVENT_INVALID,
            field="from_number",
        ) from None
    provider_id = provider_id[:120]
    existing = InboundText.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return existing.reply
    try:
        with transaction.atomic():
            reply = consent_services.sms_keyword_handle(phone=from_number, body=body)
            InboundText.objects.create(
                provider_id=provider_id,
                from_number=from_number[:20],
                to_number=to_number[:20],
                body=body[:1600],
                keyword=reply.keyword if reply else "",
                reply=reply.reply if reply else "",
                received_at=timezone.now(),
            )
    except IntegrityError:
        # The provider delivered it twice at once: the other request acted on it.
        return InboundText.objects.get(provider_id=provider_id).reply
    return reply.reply if reply else ""

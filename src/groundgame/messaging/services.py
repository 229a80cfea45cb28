"""Every write of messaging: mailings from draft to sent, one-off messages, test sends,
delivery events and inbound texts (which change consent), and the frequency caps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record, audit_update, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.core.errors import Conflict, NotFound, ValidationFailed
from groundgame.messaging import (
    backends,
    compose,
    errors,
    fanout,
    history,
    list_health,
    sender,
    templating,
)
from groundgame.messaging.models import (
    DeliveryEvent,
    FrequencyCap,
    InboundText,
    Mailing,
    MessageChannel,
    Send,
)
from groundgame.messaging.throttle import TokenBucket
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services

MAX_SMS_CHARS = 1600
_EDITABLE = (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)
_OPEN = (Send.Status.QUEUED, Send.Status.CLAIMED, Send.Status.SENDING)


def _channel(value: str) -> MessageChannel:
    try:
        return MessageChannel(value)
    except ValueError:
        raise ValidationFailed(
            f"A mailing goes by email or sms, not {value!r}.",
            code=errors.CHANNEL_INVALID,
            field="channel",
        ) from None


def _check_templates(channel: MessageChannel, subject: str, body: str) -> None:
    if channel == MessageChannel.EMAIL and not subject.strip():
        raise ValidationFailed("An email needs a subject.", field="subject")
    if not body.strip():
        raise ValidationFailed("Write the message.", field="body")
    if channel == MessageChannel.SMS and len(body) > MAX_SMS_CHARS:
        raise ValidationFailed(
            f"A text is at most {MAX_SMS_CHARS} characters; this one has {len(body)}.",
            field="body",
        )
    try:
        templating.compile_template(subject, field="subject")
        templating.compile_template(body, field="body")
    except templating.TemplateProblem as problem:
        raise ValidationFailed(
            problem.message, code=errors.TEMPLATE_INVALID, field=problem.field
        ) from problem


def _topic(key: str) -> Any:
    topic = consent_selectors.topic_get(key)
    if topic is None:
        raise ValidationFailed(f"Unknown topic {key!r}.", code="topic_unknown", field="topic")
    return topic


def _universe_spec(universe_id: int | None) -> tuple[int | None, dict[str, Any]]:
    if universe_id is None:
        raise ValidationFailed(
            "Choose the universe to send to.", code=errors.UNIVERSE_REQUIRED, field="universe"
        )
    universe = people_selectors.universe_get(universe_id)
    if universe is None:
        raise ValidationFailed("No such universe.", code=errors.UNIVERSE_REQUIRED, field="universe")
    return universe.pk, dict(universe.filters)


def _mailing_for_update(mailing_id: int) -> Mailing:
    mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
    if mailing is None:
        raise NotFound("No such mailing.", code=errors.MAILING_NOT_FOUND)
    return mailing


def mailing_create(
    *,
    actor: Actor,
    name: str,
    channel: str,
    topic_key: str,
    universe_id: int | None,
    subject: str = "",
    body: str,
) -> Mailing:
    ch = _channel(channel)
    if not name.strip():
        raise ValidationFailed("Name the mailing.", field="name")
    _check_templates(ch, subject, body)
    topic = _topic(topic_key)
    universe_pk, spec = _universe_spec(universe_id)
    with transaction.atomic():
        mailing = Mailing.objects.create(
            name=name.strip()[:200],
            channel=ch,
            topic=topic,
            universe_id=universe_pk,
            audience_spec=spec,
            subject=subject.strip()[:200] if ch == MessageChannel.EMAIL else "",
            body=body,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_create(actor=actor, action="messaging.mailing_create", instance=mailing)
    return mailing


def mailing_update(
    *,
    actor: Actor,
    mailing_id: int,
    name: str,
    topic_key: str,
    universe_id: int | None,
    subject: str = "",
    body: str,
) -> Mailing:
    with transaction.atomic():
        mailing = _mailing_for_update(mailing_id)
        if mailing.status not in _EDITABLE:
            raise ValidationFailed(
                f"A mailing that is {mailing.get_status_display().lower()} cannot be changed.",
                code=errors.MAILING_NOT_EDITABLE,
            )
        channel = MessageChannel(mailing.channel)
        if not name.strip():
            raise ValidationFailed("Name the mailing.", field="name")
        _check_templates(channel, subject, body)
        before = snapshot(mailing)
        mailing.name = name.strip()[:200]
        mailing.topic = _topic(topic_key)
        mailing.universe_id, mailing.audience_spec = _universe_spec(universe_id)
        mailing.subject = subject.strip()[:200] if channel == MessageChannel.EMAIL else ""
        mailing.body = body
        mailing.save()
        audit_update(
            actor=actor, action="messaging.mailing_update", instance=mailing, before=before
        )
    return mailing


def mailing_schedule(*, actor: Actor, mailing_id: int, at: dt.datetime | None = None) -> Mailing:
    """Send now (``at`` None) or at a time; the fan-out resolves the audience then."""
    from groundgame.messaging import tasks

    now = timezone.now()
    when = at or now
    with transaction.atomic():
        mailing = _mailing_for_update(mailing_id)
        if mailing.status not in _EDITABLE:
            raise ValidationFailed(
                f"This mailing is {mailing.get_status_display().lower()} already.",
                code=errors.MAILING_NOT_EDITABLE,
            )
        if at is not None and at < now - dt.timedelta(minutes=1):
            raise ValidationFailed("That time has passed.", field="scheduled_at")
        before = snapshot(mailing)
        mailing.status = Mailing.Status.SCHEDULED
        mailing.scheduled_at = when
        mailing.save(update_fields=["status", "scheduled_at", "updated_at"])
        audit_update(
            actor=actor, action="messaging.mailing_schedule", instance=mailing, before=before
        )
        task = tasks.mailing_send
        if when > now and task.get_backend().supports_defer:
            task = task.using(run_after=when)
        transaction.on_commit(partial(task.enqueue, mailing.pk), robust=True)
    return mailing


def mailing_cancel(*, actor: Actor, mailing_id: int) -> int:
    """Stop a mailing: nothing more of it is sent; returns how many queued sends stopped."""
    with transaction.atomic():
        mailing = _mailing_for_update(mailing_id)
        if mailing.status in (Mailing.Status.SENT, Mailing.Status.CANCELLED):
            raise ValidationFailed(
                f"This mailing is {mailing.get_status_display().lower()}.",
                code=errors.MAILING_NOT_EDITABLE,
            )
        before = snapshot(mailing)
        stopped = Send.objects.filter(
            mailing=mailing, status__in=(Send.Status.QUEUED, Send.Status.CLAIMED)
        ).update(status=Send.Status.CANCELLED, error="The mailing was cancelled.")
        mailing.status = Mailing.Status.CANCELLED
        mailing.finished_at = timezone.now()
        mailing.save(update_fields=["status", "finished_at", "updated_at"])
        audit_update(
            actor=actor, action="messaging.mailing_cancel", instance=mailing, before=before
        )
    return stopped


def mailing_fan_out(*, mailing_id: int) -> fanout.FanOut | None:
    """Queue a due mailing's sends (audience, consent, caps, rendering) in one transaction;
    None if it is not due or no longer scheduled. Safe to run twice."""
    with transaction.atomic():
        mailing = _mailing_for_update(mailing_id)
        now = timezone.now()
        if mailing.status != Mailing.Status.SCHEDULED or (
            mailing.scheduled_at is not None and mailing.scheduled_at > now
        ):
            return None
        result = fanout.fan_out(
            mailing,
            progress=lambda n: cache.set(fanout.progress_key(mailing.pk), n, timeout=3600),
        )
        mailing.status = Mailing.Status.SENDING
        mailing.audience_count = result.audience
        mailing.suppressed_count = result.suppressed
        mailing.capped_count = result.capped
        mailing.queued_count = result.queued
        mailing.fanned_out_at = timezone.now()
        mailing.save()
        audit_record(
            actor=None,
            kind=AuditKind.BULK,
            action="messaging.mailing_fan_out",
            entity_type="messaging.mailing",
            entity_id=mailing.pk,
            summary=f"{result.queued} queued of {result.audience} "
            f"({result.suppressed} by consent, {result.capped} by caps)",
        )
    return result


def default_backends() -> sender.Backends:
    return sender.Backends(
        email=backends.email_sender(),
        text=backends.text_sender(),
        email_rate=TokenBucket(per_second=settings.GROUNDGAME_EMAIL_PER_SECOND),
        text_rate=TokenBucket(per_second=settings.GROUNDGAME_SMS_SEGMENTS_PER_MINUTE / 60),
    )


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
    ch = _channel(channel)
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
    key = f"messaging:sender:{ch.value}"
    hold = settings.GROUNDGAME_SEND_LEASE_SECONDS
    if not cache.add(key, "1", timeout=hold):
        raise Conflict(
            f"Another sender is delivering the {ch.label.lower()} outbox; it works until the "
            "outbox is empty.",
            code=errors.SENDER_BUSY,
            field="channel",
        )

    def renew(tally: sender.Tally) -> None:
        cache.touch(key, timeout=hold)
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


def mailing_channel(mailing_id: int) -> str:
    return str(Mailing.objects.values_list("channel", flat=True).get(pk=mailing_id))


def outbox_waiting(*, channel: str) -> bool:
    return Send.objects.filter(channel=channel, status=Send.Status.QUEUED).exists()


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

    ch = _channel(channel)
    topic = _topic(topic_key)
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
            transaction.on_commit(partial(tasks.sends_deliver.enqueue, ch.value), robust=True)
    except IntegrityError:
        return Send.objects.filter(dedupe_key=dedupe_key).first()
    return send


def test_address_checked(*, channel: str, address: str) -> str:
    """A staff member's own address for a test, checked as people's addresses are at entry
    (email-validator, phonenumbers: E.164), so a typo is named rather than handed to the
    provider."""
    try:
        if _channel(channel) == MessageChannel.EMAIL:
            return people_services.email_checked(address, field="address")
        value = people_services.normalize_phone(address, field="address")
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=errors.ADDRESS_INVALID, field="address") from exc
    if not value:
        raise ValidationFailed(
            "Give the address to send the test to.", code=errors.ADDRESS_INVALID, field="address"
        )
    return value


def mailing_test_send(*, actor: Actor, mailing_id: int, address: str) -> str:
    """Send the mailing, marked as a test, to one staff address now (no outbox, no person:
    the address is the staff member's own); returns the provider's id."""
    mailing = Mailing.objects.select_related("topic").filter(pk=mailing_id).first()
    if mailing is None:
        raise NotFound("No such mailing.", code=errors.MAILING_NOT_FOUND)
    channel = MessageChannel(mailing.channel)
    value = test_address_checked(channel=channel, address=address)
    values = compose.recipient_values(first_name="Test", last_name="Recipient")
    recipient = compose.Recipient(person_id=0, address=value, values=values)
    subject = templating.compile_template("[TEST] " + mailing.subject, field="subject")
    body = templating.compile_template(mailing.body)
    try:
        if channel == MessageChannel.EMAIL:
            email_backend = backends.email_sender()
            try:
                provider_id = email_backend.send(
                    compose.email(
                        subject=subject,
                        body=body,
                        recipient=recipient,
                        topic_key=mailing.topic.key,
                        message_id=f"<test-{mailing.pk}-{timezone.now().timestamp():.0f}@groundgame>",
                    )
                )
            finally:
                email_backend.close()
        else:
            provider_id = backends.text_sender().send(
                compose.text(body=body, recipient=recipient, first_to_number=False),
                status_callback="",
            )
    except backends.DeliveryError as exc:
        raise ValidationFailed(f"The test did not go: {exc.message}", field="address") from exc
    audit_record(
        actor=actor,
        kind=AuditKind.CREATE,
        action="messaging.mailing_test_send",
        entity_type="messaging.mailing",
        entity_id=mailing.pk,
        summary=f"test to {value}",
    )
    return provider_id


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


def frequency_cap_set(
    *, actor: Actor, channel: str, max_messages: int, window_hours: int
) -> FrequencyCap:
    ch = _channel(channel)
    if not 1 <= max_messages <= 100:
        raise ValidationFailed("Between 1 and 100 messages.", field="max_messages")
    if not 1 <= window_hours <= 24 * 31:
        raise ValidationFailed("A window of 1 hour to 31 days.", field="window_hours")
    with transaction.atomic():
        cap, _ = FrequencyCap.objects.update_or_create(
            channel=ch, defaults={"max_messages": max_messages, "window_hours": window_hours}
        )
        audit_record(
            actor=actor,
            kind=AuditKind.UPDATE,
            action="messaging.frequency_cap_set",
            entity_type="messaging.frequencycap",
            entity_id=cap.pk,
            summary=str(cap),
        )
    return cap


PastMailing = history.PastMailing
PastSend = history.PastSend


def mailing_history_record(
    *, actor: Actor, mailing: PastMailing, sends: Sequence[PastSend]
) -> Mailing:
    """A past mailing recorded in bulk with its sends and what came back (see ``history``)."""
    _channel(mailing.channel)
    return history.mailing_history_record(
        actor=actor,
        mailing=mailing,
        topic_id=_topic(mailing.topic_key).pk,
        sends=sends,
    )


def list_health_refresh() -> None:
    """Count list health now (after a history recorded in bulk, say), so that its first
    visitor does not wait."""
    list_health.list_health_refresh()

"""The sender: works through the outbox, asking the consent rule about each person just
before their message goes, at the provider's rate, never sending a message twice.

Each send is claimed with a lease, then committed as ``sending`` before the provider is
called, then ``sent``. When a sender dies, ``recover`` puts its claimed rows back in the queue
(they were never attempted) and marks its ``sending`` rows ``unknown``: the provider may have
taken them, so they are shown to staff and never sent again. At most one message per sender
is in that state at any moment.

A text is handed to the provider only inside its recipient's sending hours
(``quiet_hours.py``): outside them it goes back to the queue with the moment its window
opens, and no sender claims it before.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.messaging import compose, fanout, quiet_hours, selectors, templating
from groundgame.messaging.backends import DeliveryError, EmailSender, TextSender
from groundgame.messaging.models import Mailing, MailingVariant, MessageChannel, Send
from groundgame.messaging.throttle import TokenBucket
from groundgame.people import selectors as people_selectors

CLAIM = 100


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.GROUNDGAME_SEND_LEASE_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def recover(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """After a sender died: (claimed sends queued again, in-flight sends marked unknown)."""
    now = now or timezone.now()
    with transaction.atomic():
        requeued = Send.objects.filter(status=Send.Status.CLAIMED, lease_until__lt=now).update(
            status=Send.Status.QUEUED, claimed_by="", lease_until=None
        )
        unknown = Send.objects.filter(status=Send.Status.SENDING, lease_until__lt=now).update(
            status=Send.Status.UNKNOWN,
            error="The sender stopped while sending it; it may have been delivered, so it is "
            "not sent again.",
        )
    return requeued, unknown


def due(now: dt.datetime) -> Q:
    """Queued sends that may be tried at ``now``: all but the texts waiting for their
    recipient's sending hours."""
    return Q(status=Send.Status.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))


def claim(
    *,
    channel: str,
    worker: str,
    limit: int = CLAIM,
    mailing_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[int]:
    """Take up to ``limit`` sends due at ``now`` for this worker, oldest first."""
    with transaction.atomic():
        queued = Send.objects.filter(due(now or timezone.now()), channel=channel)
        if mailing_id is not None:
            queued = queued.filter(mailing_id=mailing_id)
        queued = queued.order_by("pk")
        if connection.vendor == "postgresql":
            queued = queued.select_for_update(skip_locked=True)
        ids = list(queued.values_list("pk", flat=True)[:limit])
        if ids:
            Send.objects.filter(pk__in=ids, status=Send.Status.QUEUED).update(
                status=Send.Status.CLAIMED, claimed_by=worker, lease_until=timezone.now() + lease()
            )
    return ids


@dataclass
class Tally:
    sent: int = 0
    suppressed: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0
    # Texts put back until their recipient's sending hours.
    waiting: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class _Templates:
    """Each mailing's templates, compiled once per sender run."""

    compiled: dict[tuple[int, int | None], tuple[templating.Template, templating.Template]] = field(
        default_factory=dict
    )

    def of(self, send: Send) -> tuple[templating.Template, templating.Template]:
        """The templates of the send's variant, or of its mailing when it has none."""
        assert send.mailing is not None
        key = (send.mailing.pk, send.variant_id)
        if key not in self.compiled:
            source: Mailing | MailingVariant = send.variant or send.mailing
            self.compiled[key] = (
                templating.compile_template(source.subject or "", field="subject"),
                templating.compile_template(source.body),
            )
        return self.compiled[key]


def _message_id(send: Send) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return f"<send-{send.pk}@{domain}>"


def _compose(
    send: Send, contact: people_selectors.PersonContact, templates: _Templates
) -> compose.OutgoingEmail | compose.OutgoingText:
    values = compose.recipient_values(
        first_name=contact.first_name,
        last_name=contact.last_name,
        city=contact.city,
        state=contact.state,
        zip5=contact.zip5,
    )
    recipient = compose.Recipient(person_id=send.person_id, address=send.address, values=values)
    if send.mailing is not None:
        subject, body = templates.of(send)
    else:
        content = send.content or {}
        subject = templating.Template((str(content.get("subject", "")),))
        body = templating.Template((str(content.get("body", "")),))
    if send.channel == MessageChannel.EMAIL:
        return compose.email(
            subject=subject,
            body=body,
            recipient=recipient,
            topic_key=send.topic.key,
            message_id=_message_id(send),
            from_name=send.variant.sender_name if send.variant else "",
        )
    first_to_number = not selectors.number_texted_before(send.address)
    return compose.text(body=body, recipient=recipient, first_to_number=first_to_number)


def _wait(send: Send, until: dt.datetime) -> str:
    """Back to the queue, untried, until the recipient's window opens."""
    send.status = Send.Status.QUEUED
    send.claimed_by = ""
    send.lease_until = None
    send.not_before = until
    send.save(update_fields=["status", "claimed_by", "lease_until", "not_before"])
    return "waiting"


def _begin(
    send_id: int, worker: str, templates: _Templates, now: dt.datetime
) -> tuple[Send, Any, people_selectors.PersonContact] | str:
    """Lock the send, ask the consent rule and, for a text, the recipient's sending hours,
    and commit it as ``sending``; or the outcome."""
    with transaction.atomic():
        send = (
            Send.objects.select_for_update(of=("self",))
            .select_related("mailing", "topic", "variant")
            .filter(pk=send_id)
            .first()
        )
        if send is None or send.status != Send.Status.CLAIMED or send.claimed_by != worker:
            return "skipped"
        decision = consent_selectors.contact_decision(
            person_id=send.person_id,
            channel=send.channel,
            topic=send.topic,
            piece=fanout.contact_source(send.mailing_id) if send.mailing_id else "",
        )
        contact = people_selectors.person_contact(send.person_id)
        current = (
            ""
            if contact is None
            else (contact.email if send.channel == MessageChannel.EMAIL else contact.phone)
        )
        if contact is None or not decision.allowed or current != send.address:
            send.status = Send.Status.SUPPRESSED
            send.error = decision.text if not decision.allowed else "The address changed."
            send.save(update_fields=["status", "error"])
            return "suppressed"
        if send.channel == MessageChannel.SMS:
            opens = quiet_hours.opening(now=now, state=contact.state, zip5=contact.zip5)
            if opens is not None:
                return _wait(send, opens)
        message = _compose(send, contact, templates)
        send.status = Send.Status.SENDING
        send.attempts += 1
        send.lease_until = timezone.now() + lease()
        if isinstance(message, compose.OutgoingText):
            send.segments = message.segments
        send.save(update_fields=["status", "attempts", "lease_until", "segments"])
    return send, message, contact


def _status_callback() -> str:
    return settings.GROUNDGAME_PUBLIC_URL.rstrip("/") + reverse("messaging:sms_status")


def _finish_failed(send: Send, error: DeliveryError) -> str:
    with transaction.atomic():
        if error.retry:
            # The provider certainly did not take it (down, or asking us to slow down): it
            # waits in the queue for as long as that lasts, and is never failed for it.
            send.status = Send.Status.QUEUED
            send.claimed_by = ""
            send.lease_until = None
            send.error = error.message[:300]
            send.save(update_fields=["status", "claimed_by", "lease_until", "error"])
            return "retried"
        send.status = Send.Status.FAILED
        send.error = error.message[:300]
        send.save(update_fields=["status", "error"])
        if error.permanent_address:
            consent_services.address_suppress(
                channel=send.channel,
                address=send.address,
                reason="stopped" if send.channel == MessageChannel.SMS else "invalid",
                source=f"provider:{send.channel}",
            )
    return "failed"


@dataclass
class Backends:
    email: EmailSender
    text: TextSender
    email_rate: TokenBucket
    text_rate: TokenBucket
    # What time it is, for the recipients' sending hours (a test sets the hour).
    clock: Callable[[], dt.datetime] = timezone.now

    def close(self) -> None:
        self.email.close()


def deliver_one(send_id: int, *, worker: str, backends: Backends, templates: _Templates) -> str:
    begun = _begin(send_id, worker, templates, backends.clock())
    if isinstance(begun, str):
        return begun
    send, message, contact = begun
    try:
        if isinstance(message, compose.OutgoingEmail):
            backends.email_rate.take(1)
            provider_id = backends.email.send(message)
        else:
            backends.text_rate.take(message.segments)
            # The wait for the provider's rate may have run into the recipient's quiet
            # hours; the provider has not been called, so it can still wait for them.
            opens = quiet_hours.opening(
                now=backends.clock(), state=contact.state, zip5=contact.zip5
            )
            if opens is not None:
                with transaction.atomic():
                    return _wait(send, opens)
            provider_id = backends.text.send(message, status_callback=_status_callback())
    except DeliveryError as error:
        return _finish_failed(send, error)
    Send.objects.filter(pk=send.pk).update(
        status=Send.Status.SENT, provider_id=provider_id[:120], sent_at=timezone.now()
    )
    return "sent"


def _release(send_ids: list[int], worker: str) -> None:
    Send.objects.filter(pk__in=send_ids, status=Send.Status.CLAIMED, claimed_by=worker).update(
        status=Send.Status.QUEUED, claimed_by="", lease_until=None
    )


def deliver_pending(
    *,
    channel: str,
    backends: Backends,
    mailing_id: int | None = None,
    limit: int | None = None,
    on_claim: Callable[[list[int]], None] | None = None,
    progress: Callable[[Tally], None] | None = None,
) -> Tally:
    """Send queued messages on one channel until none are left, ``limit`` were tried, or the
    provider stops taking them for now (``retried`` in the tally). ``progress`` is told the
    tally after each message."""
    worker = worker_name()
    templates = _Templates()
    tally = Tally()
    recover()
    tried = 0
    try:
        while limit is None or tried < limit:
            size = CLAIM if limit is None else min(CLAIM, limit - tried)
            ids = claim(
                channel=channel,
                worker=worker,
                limit=size,
                mailing_id=mailing_id,
                now=backends.clock(),
            )
            if not ids:
                break
            if on_claim is not None:
                on_claim(ids)
            for index, send_id in enumerate(ids):
                outcome = deliver_one(
                    send_id, worker=worker, backends=backends, templates=templates
                )
                tally.add(outcome)
                tried += 1
                if progress is not None:
                    progress(tally)
                if outcome == "retried":
                    # The provider is not taking messages now: the rest go back to the queue
                    # untried for a later run, instead of each being tried against it in turn.
                    _release(ids[index + 1 :], worker)
                    return tally
    finally:
        backends.close()
    return tally

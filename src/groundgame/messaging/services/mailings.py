"""Mailings from draft to sent: creating and changing them, scheduling and cancelling, the
fan-out that queues their sends, a test sent to a staff member, and past mailings recorded in
bulk with the list health recount that follows."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record, audit_update, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.core import ratelimit
from groundgame.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from groundgame.messaging import (
    backends,
    compose,
    errors,
    fanout,
    history,
    list_health,
    templating,
    variants,
)
from groundgame.messaging.models import Mailing, MailingVariant, MessageChannel, Send
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services

MAX_SMS_CHARS = 1600
_EDITABLE = (Mailing.Status.DRAFT, Mailing.Status.SCHEDULED)


def channel_checked(value: str) -> MessageChannel:
    """The channel a mailing or message goes by, or ``ValidationFailed`` naming it."""
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


def topic_checked(key: str) -> Any:
    """The consent topic of that key, or ``ValidationFailed`` naming it."""
    topic = consent_selectors.topic_get(key)
    if topic is None:
        raise ValidationFailed(f"Unknown topic {key!r}.", code="topic_unknown", field="topic")
    return topic


def _universe_spec(actor: Actor, universe_id: int | None) -> tuple[int | None, dict[str, Any]]:
    if universe_id is None:
        raise ValidationFailed(
            "Choose the universe to send to.", code=errors.UNIVERSE_REQUIRED, field="universe"
        )
    universe = people_selectors.universe_get(universe_id, organizing_selectors.staff_scope(actor))
    if universe is None:
        raise ValidationFailed("No such universe.", code=errors.UNIVERSE_REQUIRED, field="universe")
    return universe.pk, dict(universe.filters)


def _mailing_for_update(mailing_id: int) -> Mailing:
    mailing = Mailing.objects.select_for_update().filter(pk=mailing_id).first()
    if mailing is None:
        raise NotFound("No such mailing.", code=errors.MAILING_NOT_FOUND)
    return mailing


def _sender_scope(actor: Actor) -> organizing_selectors.StaffScope:
    """A sender's scope: composing shows real recipients and sending reaches them, so it
    takes a role that may see personal data."""
    scope = organizing_selectors.staff_scope(actor)
    if not (scope.everywhere or scope.person_paths):
        raise PermissionDenied(
            "Sending needs a role that may see the people it goes to.",
            code=errors.MAILING_DENIED,
        )
    return scope


def _mailing_to_change(actor: Actor, mailing_id: int) -> Mailing:
    """The mailing, locked, if this staff member may edit, send or cancel it: whoever wrote
    it, a national admin, or a director or admin of the unit its universe was made for."""
    scope = _sender_scope(actor)
    mailing = _mailing_for_update(mailing_id)
    unit = mailing.universe.org_unit if mailing.universe else None
    may = (
        scope.is_admin
        or (scope.user_id is not None and mailing.created_by_id == scope.user_id)
        or (unit is not None and any(unit.path.startswith(p) for p in scope.manage_paths))
    )
    if not may:
        raise PermissionDenied(
            "Only whoever wrote this mailing, or a director or admin above its audience, may "
            "change, send or cancel it.",
            code=errors.MAILING_DENIED,
        )
    return mailing


def mailing_change_check(*, actor: Actor, mailing_id: int) -> Mailing:
    """The mailing, locked to the end of the caller's transaction, if this staff member may
    change it (see ``_mailing_to_change``): the rule another app's write about a mailing (its
    test, its topics) follows."""
    return _mailing_to_change(actor, mailing_id)


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
    _sender_scope(actor)
    ch = channel_checked(channel)
    if not name.strip():
        raise ValidationFailed("Name the mailing.", field="name")
    _check_templates(ch, subject, body)
    topic = topic_checked(topic_key)
    universe_pk, spec = _universe_spec(actor, universe_id)
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
        mailing = _mailing_to_change(actor, mailing_id)
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
        mailing.topic = topic_checked(topic_key)
        mailing.universe_id, mailing.audience_spec = _universe_spec(actor, universe_id)
        mailing.subject = subject.strip()[:200] if channel == MessageChannel.EMAIL else ""
        mailing.body = body
        mailing.save()
        audit_update(
            actor=actor, action="messaging.mailing_update", instance=mailing, before=before
        )
    return mailing


VariantSpec = variants.VariantSpec


def mailing_variants_set(
    *, actor: Actor, mailing_id: int, specs: Sequence[VariantSpec]
) -> list[MailingVariant]:
    """Make the mailing a test of these variants (none: a plain mailing again), each
    recipient drawn to one by a seed recorded now. Only while it may still be edited: once
    it goes out, who got what is fixed."""
    with transaction.atomic():
        mailing = _mailing_to_change(actor, mailing_id)
        if mailing.status not in _EDITABLE:
            raise ValidationFailed(
                f"A mailing that is {mailing.get_status_display().lower()} cannot change its "
                "variants.",
                code=errors.MAILING_NOT_EDITABLE,
            )
        cleaned = variants.variants_clean(mailing.channel, specs) if specs else []
        for index, spec in enumerate(cleaned):
            if mailing.channel == MessageChannel.SMS and len(spec.body) > MAX_SMS_CHARS:
                raise ValidationFailed(
                    f"Variant {index + 1}: a text is at most {MAX_SMS_CHARS} characters.",
                    code=errors.VARIANT_INVALID,
                    field=f"variants[{index}].body",
                )
        before = snapshot(mailing)
        MailingVariant.objects.filter(mailing=mailing).delete()
        rows = MailingVariant.objects.bulk_create(
            MailingVariant(
                mailing=mailing,
                label=spec.label,
                position=index,
                sender_name=spec.sender_name,
                subject=spec.subject,
                body=spec.body,
                share=spec.share,
            )
            for index, spec in enumerate(cleaned)
        )
        mailing.variant_seed = secrets.randbits(62) if cleaned else None
        mailing.save(update_fields=["variant_seed", "updated_at"])
        audit_update(
            actor=actor,
            action="messaging.mailing_variants_set",
            instance=mailing,
            before=before,
            summary=", ".join(f"{v.label} {v.share}%" for v in cleaned) or "no variants",
        )
    return rows


def mailing_schedule(*, actor: Actor, mailing_id: int, at: dt.datetime | None = None) -> Mailing:
    """Send now (``at`` None) or at a time; the fan-out resolves the audience then."""
    from groundgame.messaging import tasks

    now = timezone.now()
    when = at or now
    with transaction.atomic():
        mailing = _mailing_to_change(actor, mailing_id)
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
        mailing.scheduled_by = actor if isinstance(actor, User) else None
        mailing.save(update_fields=["status", "scheduled_at", "scheduled_by", "updated_at"])
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
        mailing = _mailing_to_change(actor, mailing_id)
        if mailing.status in (Mailing.Status.SENT, Mailing.Status.CANCELLED):
            raise ValidationFailed(
                f"This mailing is {mailing.get_status_display().lower()}.",
                code=errors.MAILING_NOT_EDITABLE,
            )
        before = snapshot(mailing)
        unsent = Send.objects.filter(
            mailing=mailing, status__in=(Send.Status.QUEUED, Send.Status.CLAIMED)
        )
        # Messages that will not go do not count against their recipients' caps.
        consent_services.contacts_withdraw(
            source=fanout.contact_source(mailing.pk),
            person_ids=unsent.values_list("person_id", flat=True),
        )
        stopped = unsent.update(status=Send.Status.CANCELLED, error="The mailing was cancelled.")
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
        mailing.shared_count = result.shared
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
            f"({result.suppressed} by consent, {result.capped} by caps, "
            f"{result.shared} at an address already sent to)",
        )
    return result


def test_address_checked(*, channel: str, address: str) -> str:
    """A staff member's own address for a test, checked as people's addresses are at entry
    (email-validator, phonenumbers: E.164), so a typo is named rather than handed to the
    provider."""
    try:
        if channel_checked(channel) == MessageChannel.EMAIL:
            return people_services.email_checked(address, field="address")
        value = people_services.normalize_phone(address, field="address")
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, code=errors.ADDRESS_INVALID, field="address") from exc
    if not value:
        raise ValidationFailed(
            "Give the address to send the test to.", code=errors.ADDRESS_INVALID, field="address"
        )
    return value


# A test goes out now, past the outbox and its caps: a few in a row, then one a minute.
TEST_SENDS = ratelimit.Limit(rate=1 / 60, burst=5)


def _test_addresses(actor: Actor, channel: MessageChannel) -> set[str]:
    """Where a test may go: the sender's own address and those of the staff in their units
    (for texts, the numbers on file of the people with those emails), never a stranger's."""
    emails = organizing_selectors.staff_emails_within(organizing_selectors.staff_scope(actor))
    if channel == MessageChannel.EMAIL:
        return emails
    return people_selectors.phones_of_emails(emails)


def mailing_test_send(*, actor: Actor, mailing_id: int, address: str) -> str:
    """Send the mailing, marked as a test, to one staff address now (no outbox, no person);
    returns the provider's id. Only who may change the mailing sends a test of it, to their
    own address or a colleague's in their units, and a few at a time."""
    with transaction.atomic():
        mailing = _mailing_to_change(actor, mailing_id)
    channel = MessageChannel(mailing.channel)
    value = test_address_checked(channel=channel, address=address)
    if value.lower() not in _test_addresses(actor, channel):
        raise PermissionDenied(
            "A test goes to your own address or to a colleague's in your units.",
            code=errors.TEST_ADDRESS_DENIED,
            field="address",
        )
    user_id = organizing_selectors.staff_scope(actor).user_id
    wait = ratelimit.take({f"messaging:test-sends:{user_id}": TEST_SENDS})
    if wait:
        raise RateLimited(
            f"Too many tests just now; try again in {math.ceil(wait)} seconds.",
            code=errors.TEST_SEND_RATE_LIMITED,
            field="address",
            retry_after=wait,
        )
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


PastMailing = history.PastMailing
PastSend = history.PastSend


def mailing_history_record(
    *, actor: Actor, mailing: PastMailing, sends: Sequence[PastSend]
) -> Mailing:
    """A past mailing recorded in bulk with its sends and what came back (see ``history``)."""
    channel_checked(mailing.channel)
    return history.mailing_history_record(
        actor=actor,
        mailing=mailing,
        topic_id=topic_checked(mailing.topic_key).pk,
        sends=sends,
    )


def list_health_refresh() -> None:
    """Count list health now (after a history recorded in bulk, say), so that its first
    visitor does not wait."""
    list_health.list_health_refresh()

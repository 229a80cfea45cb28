"""Past mailings recorded in bulk: a history brought over from another tool, or a demo's.

The bulk twin of sending (as ``consent.history`` is of the consent services): a mailing that
went out before, its sends with their own times, and what the provider reported back, in a
few statements instead of the fan-out and the sender's work per message. Only sent mailings
are recorded; the consent changes that came back are the consent history's to record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from groundgame.audit.services import Actor, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.bulk import insert_rows
from groundgame.messaging.models import DeliveryEvent, Mailing, MailingVariant, Send
from groundgame.messaging.variants import VariantSpec


@dataclass(frozen=True)
class PastMailing:
    name: str
    channel: str
    topic_key: str
    universe_id: int | None
    subject: str
    body: str
    created_at: dt.datetime  # drafted
    sent_at: dt.datetime  # went out
    finished_at: dt.datetime  # its last message was sent
    audience_count: int  # the universe when it went out
    # A test's variants and the seed its recipients were drawn with (``variants.draw``).
    variants: tuple[VariantSpec, ...] = ()
    variant_seed: int | None = None


@dataclass(frozen=True)
class PastSend:
    person_id: int
    address: str
    sent_at: dt.datetime
    provider_id: str  # the provider's id of the message
    # What the provider reported back (a ``DeliveryEvent.Kind``) and when, if anything.
    reported: tuple[str, dt.datetime] | None = None
    variant: str = ""  # the label of the variant they got, in a test


def mailing_history_record(
    *, actor: Actor, mailing: PastMailing, topic_id: int, sends: Sequence[PastSend]
) -> Mailing:
    """Record one past mailing, its sends (one per person) and the events reported back."""
    with transaction.atomic():
        created = Mailing.objects.create(
            name=mailing.name,
            channel=mailing.channel,
            topic_id=topic_id,
            universe_id=mailing.universe_id,
            subject=mailing.subject,
            body=mailing.body,
            status=Mailing.Status.SENT,
            scheduled_at=mailing.sent_at,
            audience_count=mailing.audience_count,
            suppressed_count=mailing.audience_count - len(sends),
            capped_count=0,
            queued_count=len(sends),
            fanned_out_at=mailing.sent_at,
            finished_at=mailing.finished_at,
            variant_seed=mailing.variant_seed if mailing.variants else None,
        )
        Mailing.objects.filter(pk=created.pk).update(created_at=mailing.created_at)
        variant_ids = {
            v.label: v.pk
            for v in MailingVariant.objects.bulk_create(
                MailingVariant(
                    mailing=created,
                    label=spec.label,
                    position=position,
                    sender_name=spec.sender_name,
                    subject=spec.subject,
                    body=spec.body,
                    share=spec.share,
                )
                for position, spec in enumerate(mailing.variants)
            )
        }
        # Plain rows, not models: thousands of sends per mailing.
        insert_rows(
            Send,
            ["mailing_id", "person_id", "channel", "topic_id", "address", "status", "segments",
             "claimed_by", "attempts", "provider_id", "error", "queued_at", "sent_at",
             "variant_id"],
            (
                (created.pk, s.person_id, mailing.channel, topic_id, s.address,
                 Send.Status.SENT, 1, "", 1, s.provider_id, "", mailing.sent_at, s.sent_at,
                 variant_ids.get(s.variant))
                for s in sends
            ),
        )  # fmt: skip
        reported = [(s, *s.reported) for s in sends if s.reported is not None]
        send_ids = dict(
            Send.objects.filter(
                mailing=created, person_id__in=[s.person_id for s, _, _ in reported]
            ).values_list("person_id", "pk")
        )
        DeliveryEvent.objects.bulk_create(
            [
                DeliveryEvent(
                    send_id=send_ids[s.person_id],
                    mailing=created,
                    kind=kind,
                    address=s.address,
                    provider_event_id=f"{s.provider_id}-{kind}",
                    at=at,
                )
                for s, kind, at in reported
            ],
            batch_size=2_000,
        )
        audit_record(
            actor=actor,
            kind=AuditKind.BULK,
            action="mailing.history_record",
            entity_type="messaging.mailing",
            entity_id=created.pk,
            summary=f"{created.name}: {len(sends)} sends, {len(reported)} reports back",
        )
    return created

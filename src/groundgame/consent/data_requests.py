"""Consent's part in a person's requests about their data (see
``people.services.person_export`` and ``person_erase``): what it holds about them, and an
erasure that leaves them never contacted again."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, snapshot
from groundgame.consent.models import (
    ChannelOptOut,
    ConsentEvent,
    Contact,
    DoNotContact,
    Subscription,
    SuppressedAddress,
)
from groundgame.consent.rules import ADDRESS_FIELD
from groundgame.people import selectors as people_selectors


def person_part(person_id: int) -> dict[str, Any]:
    """Their choices, the do-not-contact, their history and the contacts the caps count."""
    dnc = DoNotContact.objects.filter(person_id=person_id).first()
    return {
        "subscriptions": [
            {**snapshot(s), "topic": s.topic.key}
            for s in Subscription.objects.filter(person_id=person_id).select_related("topic")
        ],
        "channels_left": [snapshot(o) for o in ChannelOptOut.objects.filter(person_id=person_id)],
        "do_not_contact": snapshot(dnc) if dnc else None,
        "history": [
            snapshot(e) for e in ConsentEvent.objects.filter(person_id=person_id).order_by("at")
        ],
        "contacts": [
            snapshot(c, ["channel", "at", "source"])
            for c in Contact.objects.filter(person_id=person_id).order_by("at")
        ],
    }


def person_erase(*, actor: Actor, person_id: int) -> int:
    """Suppress the person's email and phone on every channel that uses them (whoever holds
    them next, a new record from a later import or sign-up is not contacted), put them on the
    do-not-contact list, and take the addresses out of their history. Returns rows changed."""
    person = people_selectors.person_contact(person_id)
    if person is None:
        return 0
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for channel, field in ADDRESS_FIELD.items():
            address = getattr(person, field)
            if address:
                _, created = SuppressedAddress.objects.get_or_create(
                    channel=channel,
                    address=address,
                    defaults={
                        "reason": SuppressedAddress.Reason.ERASED,
                        "source": "erasure",
                        "created_at": now,
                    },
                )
                changed += created
        _, created = DoNotContact.objects.update_or_create(
            person_id=person_id,
            defaults={"reason": "Erased on request", "source": "erasure", "created_at": now},
        )
        changed += created
        changed += (
            ConsentEvent.objects.filter(person_id=person_id).exclude(address="").update(address="")
        )
        ConsentEvent.objects.create(
            person_id=person_id, action=ConsentEvent.Action.ERASED, source="erasure", at=now
        )
    return changed

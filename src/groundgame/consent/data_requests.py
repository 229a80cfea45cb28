"""Consent's part in a person's requests about their data (see
``people.services.person_export`` and ``person_erase``): what it holds about them, an
erasure that leaves them never contacted again, and the same for a record that brings them
back."""

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
)
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
    """Put the person on the do-not-contact list and take their addresses out of their
    history. Their addresses are not kept: people keeps keyed hashes of them, and a record
    that comes back with one is put on do-not-contact too (``person_returned``). Returns rows
    changed."""
    if people_selectors.person_contact(person_id) is None:
        return 0
    now = timezone.now()
    with transaction.atomic():
        _, created = DoNotContact.objects.update_or_create(
            person_id=person_id,
            defaults={"reason": "Erased on request", "source": "erasure", "created_at": now},
        )
        changed = int(created) + (
            ConsentEvent.objects.filter(person_id=person_id).exclude(address="").update(address="")
        )
        ConsentEvent.objects.create(
            person_id=person_id, action=ConsentEvent.Action.ERASED, source="erasure", at=now
        )
    return changed


def person_returned(*, person_ids: list[int]) -> int:
    """People who carry an identifier of someone erased on request (the voter file imported
    again, a sign-up with their email): the same person back, so never contacted either."""
    now = timezone.now()
    listed = set(
        DoNotContact.objects.filter(person_id__in=person_ids).values_list("person_id", flat=True)
    )
    created = DoNotContact.objects.bulk_create(
        DoNotContact(
            person_id=pk,
            reason="Erased on request before; this record is them again",
            source="erasure",
            created_at=now,
        )
        for pk in person_ids
        if pk not in listed
    )
    return len(created)

"""Consent in a merge of two records of one person: the strictest choice of either record
holds for the survivor, and an undo gives each record back its own.

Rows that cannot collide (consent history, contacts, a subscription or channel left that the
survivor has no row for) simply follow the person; people's generic mover does that. What is
here handles the rows that collide: a topic both records have a subscription to, and the
do-not-contact, of which a person has one.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from groundgame.audit.services import Actor
from groundgame.consent.models import DoNotContact, Subscription


def subscriptions_strictest(
    *, actor: Actor, person_from: int, person_to: int, record: list[Any] | None = None
) -> list[Any]:
    """Where both records have a subscription to one topic on one channel and the absorbed
    record left it, the survivor's is marked left too: whoever left under any of their records
    is not written to again. Records ``[id, status, source, changed_at]`` of each survivor row
    changed, so an undo puts it back exactly."""
    if record is not None:
        # Undoing: ``person_from`` is the survivor again; its rows get their own state back.
        for pk, status, source, changed_at in record:
            Subscription.objects.filter(pk=pk, person_id=person_from).update(
                status=status, source=source, changed_at=changed_at
            )
        return record
    left = Subscription.objects.filter(
        person_id=person_from, status=Subscription.Status.UNSUBSCRIBED
    ).values_list("channel", "topic_id")
    changed: list[Any] = []
    for channel, topic_id in left:
        row = Subscription.objects.filter(
            person_id=person_to,
            channel=channel,
            topic_id=topic_id,
            status=Subscription.Status.SUBSCRIBED,
        ).first()
        if row is None:
            continue
        changed.append([row.pk, row.status, row.source, row.changed_at.isoformat()])
        row.status = Subscription.Status.UNSUBSCRIBED
        row.source = "merge"
        row.changed_at = timezone.now()
        row.save(update_fields=["status", "source", "changed_at"])
    return changed


def do_not_contact_move(
    *, actor: Actor, person_from: int, person_to: int, record: list[Any] | None = None
) -> list[Any]:
    """The absorbed record's do-not-contact becomes the survivor's when the survivor has none
    (if it has one, it is not to be contacted already). The row is keyed by its person, so
    what is recorded is whether it moved: ``[1]`` or ``[]``."""
    if record is not None and not record:
        return []
    if DoNotContact.objects.filter(person_id=person_to).exists():
        return []
    moved = DoNotContact.objects.filter(person_id=person_from).update(person_id=person_to)
    return [1] if moved else []

"""Messaging's part in a person's requests about their data (see
``people.services.person_export`` and ``person_erase``): the messages sent to them and the
texts they sent us."""

from __future__ import annotations

from typing import Any

from groundgame.audit.services import Actor, snapshot
from groundgame.messaging.models import InboundText, Send
from groundgame.people import selectors as people_selectors


def person_part(person_id: int) -> dict[str, Any]:
    contact = people_selectors.person_contact(person_id)
    inbound = (
        InboundText.objects.filter(from_number=contact.phone) if contact and contact.phone else []
    )
    return {
        "sends": [
            snapshot(s, ["mailing_id", "channel", "address", "status", "queued_at", "sent_at"])
            for s in Send.objects.filter(person_id=person_id).order_by("queued_at")
        ],
        "texts_received": [
            snapshot(t, ["from_number", "body", "keyword", "reply", "received_at"]) for t in inbound
        ],
    }


def person_erase(*, actor: Actor, person_id: int) -> int:
    """The address each message went to and a one-off message's own content go from their
    sends, and the texts they sent us go whole; that a mailing reached them stays, for its
    counts."""
    contact = people_selectors.person_contact(person_id)
    changed = Send.objects.filter(person_id=person_id).update(address="", content=None, error="")
    if contact and contact.phone:
        changed += InboundText.objects.filter(from_number=contact.phone).delete()[0]
    return changed

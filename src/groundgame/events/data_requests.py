"""Events' part in a person's export of their data (see ``people.services.person_export``):
their RSVPs and the events they host. Nothing here is free text about them, so an erasure
leaves these rows as they are (the person's own record is emptied)."""

from __future__ import annotations

from typing import Any

from groundgame.audit.services import snapshot
from groundgame.events.models import Event, ShiftSignup


def person_part(person_id: int) -> dict[str, Any]:
    rsvps = ShiftSignup.objects.filter(person_id=person_id).select_related("shift__event")
    return {
        "rsvps": [
            {
                **snapshot(r, ["status", "attendance", "source", "created_at"]),
                "event": r.shift.event.title,
                "shift_starts_at": r.shift.starts_at.isoformat(),
            }
            for r in rsvps
        ],
        "hosted_events": [
            snapshot(e, ["id", "title", "slug", "status"])
            for e in Event.objects.filter(host_id=person_id)
        ],
    }

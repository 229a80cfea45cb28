"""Memberships of volunteers in teams: placing many at once, and moving them between two
records of one person."""

from __future__ import annotations

from django.db import transaction

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.volunteers.models import Membership


def membership_bulk_create(
    *, actor: Actor, memberships: list[tuple[int, int, str]], source: str
) -> int:
    """Put many volunteers on teams at once: ``(person_id, org_unit_id, role)`` rows.

    Used by loaders and the demo seed; one audit row for the batch.
    """
    with transaction.atomic():
        rows = [
            Membership(person_id=p, org_unit_id=u, role=r, source=source) for p, u, r in memberships
        ]
        Membership.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="membership.bulk_create",
            entity_type="volunteers.membership",
            summary=f"{len(rows)} volunteers placed on teams from {source}",
        )
    return len(rows)

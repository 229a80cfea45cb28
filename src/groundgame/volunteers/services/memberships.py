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


def membership_move(
    *, actor: Actor, person_from: int, person_to: int, ids: list[int] | None = None
) -> list[int]:
    """Move a person's team memberships to another person (a merge of two records of one
    person, or its undoing); returns the ids of the memberships moved.

    With ``ids``, exactly those move (an undo moves back what the merge moved). Without, all
    of ``person_from``'s move except those on a team ``person_to`` is already on, which stay
    where they are (one person is on a team once).
    """
    with transaction.atomic():
        rows = Membership.objects.select_for_update().filter(person_id=person_from)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        else:
            taken = Membership.objects.filter(person_id=person_to).values("org_unit_id")
            rows = rows.exclude(org_unit_id__in=taken)
        moved = sorted(rows.values_list("pk", flat=True))
        if moved:
            Membership.objects.filter(pk__in=moved).update(person_id=person_to)
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="membership.move",
                entity_type="volunteers.membership",
                entity_id=person_to,
                summary=f"{len(moved)} memberships moved from person {person_from}",
                changes={"person_id": [person_from, person_to], "ids": [None, moved]},
            )
    return moved

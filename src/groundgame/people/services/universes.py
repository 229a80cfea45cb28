"""Universes, the saved audiences: saving, deleting and recounting them, and exporting their
people (a read that is logged)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import errors, selectors, universes
from groundgame.people.models import Universe


def _universe_fields(name: str, description: str) -> tuple[str, str]:
    name = " ".join(name.split())
    description = description.strip()
    if not name:
        raise ValidationFailed(
            "Give the universe a name.", code=errors.UNIVERSE_INVALID, field="name"
        )
    for field, value, limit in (("name", name, 120), ("description", description, 300)):
        if len(value) > limit:
            raise ValidationFailed(
                f"At most {limit} characters.", code=errors.UNIVERSE_INVALID, field=field
            )
    return name, description


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"There is already a universe named {name!r}.",
        code=errors.UNIVERSE_NAME_TAKEN,
        field="name",
    )


def universe_save(
    *,
    actor: Actor,
    name: str,
    filters: Mapping[str, Any],
    description: str = "",
    universe_id: int | None = None,
    org_unit_id: int | None = None,
) -> Universe:
    """Create a universe, or change the one ``universe_id`` names, counted as it is saved.

    A new universe is made for ``org_unit_id`` (one of the staff member's units; by default
    the first of them, or the whole campaign for national staff). Only whoever made a
    universe, or an admin of its unit or above, may change it; one the staff member does not
    see is not found. Names are unique whatever their case, so that a list of universes reads
    unambiguously.
    """
    scope = organizing.staff_scope(actor)
    name, description = _universe_fields(name, description)
    unit = _unit_for(scope, org_unit_id) if org_unit_id is not None or universe_id is None else None
    spec = universes.parse(filters)
    # Counted before the transaction: a count on a state's file takes a moment, and holding
    # the write lock for it would make other writers wait.
    total = universes.count(spec)
    try:
        with transaction.atomic():
            others = Universe.objects.filter(name__iexact=name)
            if universe_id is not None:
                others = others.exclude(pk=universe_id)
            if others.exists():
                raise _name_taken(name)
            if universe_id is None:
                universe = Universe.objects.create(
                    name=name,
                    description=description,
                    filters=spec.to_json(),
                    org_unit=unit,
                    created_by_id=actor.pk if actor and actor.is_authenticated else None,
                    last_count=total,
                    counted_at=timezone.now(),
                )
                audit.audit_create(actor=actor, action="universe.create", instance=universe)
                return universe
            universe = _universe_to_change(scope, universe_id)
            before = audit.snapshot(universe)
            universe.name = name
            universe.description = description
            universe.filters = spec.to_json()
            if org_unit_id is not None:
                universe.org_unit = unit
            universe.last_count = total
            universe.counted_at = timezone.now()
            universe.save()
            audit.audit_update(
                actor=actor, action="universe.update", instance=universe, before=before
            )
            return universe
    except IntegrityError:
        # Two saves of the same new name at once: the unique index decides, the loser is told.
        raise _name_taken(name) from None


def _unit_for(scope: organizing.StaffScope, org_unit_id: int | None) -> organizing.OrgUnit | None:
    """The unit a universe is made for: one the staff member holds a role in or below."""
    if org_unit_id is None:
        if scope.everywhere or not scope.unit_paths:
            return None
        return organizing.org_unit_by_path(scope.unit_paths[0])
    unit = organizing.org_unit_get(org_unit_id)
    if unit is None or not (
        scope.is_superuser or any(unit.path.startswith(p) for p in scope.unit_paths)
    ):
        raise ValidationFailed(
            "Choose one of your own units.", code=errors.UNIVERSE_INVALID, field="org_unit"
        )
    return unit


def _universe_for_update(scope: organizing.StaffScope, universe_id: int) -> Universe:
    """The universe, locked, if this staff member sees it."""
    universe = (
        # Only the universe's row is locked: its unit, joined to check who sees it, may be none.
        Universe.objects.select_for_update(of=("self",))
        .filter(selectors.universe_visible(scope), pk=universe_id)
        .select_related("org_unit")
        .first()
    )
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    return universe


def _universe_to_change(scope: organizing.StaffScope, universe_id: int) -> Universe:
    universe = _universe_for_update(scope, universe_id)
    if not selectors.universe_may_change(scope, universe):
        raise PermissionDenied(
            "Only whoever made this universe, or an admin of its unit, may change it.",
            code=errors.UNIVERSE_CHANGE_DENIED,
        )
    return universe


def universe_delete(*, actor: Actor, universe_id: int) -> None:
    """Delete a universe; whoever made it and the admins of its unit and above may."""
    scope = organizing.staff_scope(actor)
    with transaction.atomic():
        universe = _universe_to_change(scope, universe_id)
        audit.audit_delete(actor=actor, action="universe.delete", instance=universe)
        universe.delete()


def universe_recount(*, actor: Actor, universe_id: int) -> Universe:
    """Count a saved universe again and keep the count with when it was taken; anyone who
    sees the universe may, since the count is an aggregate they see already."""
    scope = organizing.staff_scope(actor)
    universe = selectors.universe_get(universe_id, scope)
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    total = universes.count(universes.parse(universe.filters))
    with transaction.atomic():
        universe = _universe_for_update(scope, universe_id)
        before = audit.snapshot(universe)
        universe.last_count = total
        universe.counted_at = timezone.now()
        universe.save(update_fields=["last_count", "counted_at", "updated_at"])
        audit.audit_update(actor=actor, action="universe.recount", instance=universe, before=before)
    return universe


@dataclass(frozen=True)
class UniverseExport:
    universe: Universe
    rows: int
    header: tuple[str, ...]
    # Read lazily, in chunks: consume it once, while the response streams.
    records: Iterator[tuple[Any, ...]]


def universe_export(*, actor: Actor, universe_id: int) -> UniverseExport:
    """The people of a universe that the staff member may see, logged as one read.

    The log row is written before any row is read, so an export is never unlogged, and says
    how many people it held. People outside the staff member's units are left out.
    """
    scope = organizing.staff_scope(actor)
    if not scope.everywhere and not scope.person_paths:
        raise PermissionDenied(
            "Your role works with aggregates only; exports hold personal data.",
            code=errors.UNIVERSE_EXPORT_DENIED,
        )
    universe = selectors.universe_get(universe_id, scope)
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    people = universes.people(universes.parse(universe.filters)).filter(scope.person_filter())
    with transaction.atomic():
        rows = people.count()
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.READ,
            action="universe.export",
            entity_type="people.universe",
            entity_id=universe.pk,
            summary=f"exported {rows} people of universe {universe.name!r}",
        )
    return UniverseExport(
        universe=universe,
        rows=rows,
        header=tuple(header for header, _ in universes.EXPORT_COLUMNS),
        records=universes.export_rows(people),
    )

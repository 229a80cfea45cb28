"""Turf cutting, hand adjustments and walk lists: the writes behind the turf pages.

A door is an address: the households of one building (same street line and ZIP code) are
one stop on the route, visited one after the other. A household without coordinates stands
at its ZIP code's centroid (from the bundled ZIP table), so it is walked with its ZIP's
turf rather than dropped; one whose ZIP code is unknown too cannot be placed and is left out
(the cut says how many).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction

from groundgame.audit.services import Actor, audit_create, audit_record, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.content import selectors as content_selectors
from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from groundgame.events import selectors as events_selectors
from groundgame.field import errors, turf_cutting, turf_selectors, walking_routes
from groundgame.field.models import Turf, TurfCut, TurfStop, WalkList
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors
from groundgame.people.selectors import HouseholdPoint

TARGET_MIN, TARGET_MAX = 10, 500
BOUNDARIES = {"": "No boundary", "zip5": "ZIP code", "county_fips": "County"}
# Read aloud at a staging location and typed on a phone: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8


@dataclass
class Doors:
    """The doors of a set of households, as arrays: one row per door."""

    latitude: np.ndarray[Any, np.dtype[np.float64]]
    longitude: np.ndarray[Any, np.dtype[np.float64]]
    street: list[str]
    zip5: list[str]
    county: list[str]
    households: list[list[int]]  # household ids at each door, by id
    people: list[int]
    unplaced: int = 0  # households with neither coordinates nor a known ZIP code

    def __len__(self) -> int:
        return len(self.street)


@dataclass
class Route:
    """A turf's doors in walking order, with the households to list at each."""

    households: list[int] = field(default_factory=list)
    doors: int = 0
    people: int = 0
    meters: float = 0.0
    latitude: float | None = None
    longitude: float | None = None
    zip5: str = ""
    county: str = ""


def doors_of(points: Iterable[HouseholdPoint]) -> Doors:
    """Group households into doors; coordinates of a door are its households' mean."""
    index: dict[tuple[str, str], int] = {}
    lat_sum: list[float] = []
    lon_sum: list[float] = []
    street: list[str] = []
    zip5: list[str] = []
    county: list[str] = []
    households: list[list[int]] = []
    people: list[int] = []
    unplaced = 0
    for pk, line, zip_code, county_fips, lat, lon, residents in points:
        if lat is None or lon is None:
            centroid = organizing_selectors.zip_centroid(zip_code)
            if centroid is None:
                unplaced += 1
                continue
            lat, lon = centroid
        key = walking_routes.door_key(line, zip_code)
        door = index.get(key)
        if door is None:
            door = index[key] = len(street)
            lat_sum.append(0.0)
            lon_sum.append(0.0)
            street.append(line)
            zip5.append(zip_code)
            county.append(county_fips)
            households.append([])
            people.append(0)
        lat_sum[door] += lat
        lon_sum[door] += lon
        households[door].append(pk)
        people[door] += residents
    sizes = np.array([len(h) for h in households], dtype=float)
    return Doors(
        latitude=np.array(lat_sum) / np.maximum(sizes, 1),
        longitude=np.array(lon_sum) / np.maximum(sizes, 1),
        street=street,
        zip5=zip5,
        county=county,
        households=[sorted(h) for h in households],
        people=people,
        unplaced=unplaced,
    )


def route_doors(doors: Doors, members: Sequence[int] | np.ndarray[Any, Any]) -> Route:
    """The walking route through the doors ``members`` (indices into ``doors``)."""
    idx = np.asarray(members, dtype=np.intp)
    if len(idx) == 0:
        return Route()
    lat, lon = doors.latitude[idx], doors.longitude[idx]
    xy = walking_routes.project(lat, lon)
    order = walking_routes.route(xy, [doors.street[i] for i in idx])
    walked = idx[order]
    return Route(
        households=[h for door in walked for h in doors.households[door]],
        doors=len(idx),
        people=sum(doors.people[i] for i in idx),
        meters=walking_routes.path_meters(xy, order),
        latitude=float(lat.mean()),
        longitude=float(lon.mean()),
        zip5=Counter(doors.zip5[i] for i in idx).most_common(1)[0][0],
        county=Counter(doors.county[i] for i in idx).most_common(1)[0][0],
    )


# Cutting ---------------------------------------------------------------------------------


def turf_cut(
    *,
    actor: Actor,
    universe_id: int,
    org_unit_id: int,
    target_doors: int,
    boundary: str = "",
    name: str = "",
) -> TurfCut:
    """Cut the households of a saved universe, within the unit, into turfs of about
    ``target_doors`` doors, each routed. Nothing is written unless every turf is made."""
    scope = organizing_selectors.staff_scope(actor)
    unit = _unit_in_scope(scope, org_unit_id)
    if not TARGET_MIN <= target_doors <= TARGET_MAX:
        raise ValidationFailed(
            f"A turf has between {TARGET_MIN} and {TARGET_MAX} doors.",
            code=errors.TURF_TARGET_INVALID,
            field="target_doors",
        )
    if boundary not in BOUNDARIES:
        raise ValidationFailed(
            "The boundary is a ZIP code, a county or none.",
            code=errors.TURF_BOUNDARY_INVALID,
            field="boundary",
        )
    universe = people_selectors.universe_get(universe_id, scope)
    if universe is None:
        raise ValidationFailed(
            "There is no such universe.", code=errors.TURF_UNIVERSE_NOT_FOUND, field="universe"
        )
    spec = _spec_within(universe.filters, unit)
    piece = turf_selectors.door_piece(universe.pk)
    doors = doors_of(_door_points(spec, piece=piece) if spec else ())
    capped = (
        turf_selectors.doors_over_caps(people_selectors.universe_people(spec), piece=piece)
        if spec
        else 0
    )
    if len(doors) == 0:
        over = f" ({capped} over the door caps)" if capped else ""
        raise ValidationFailed(
            f"The universe has no households with an address in {unit.name} to knock{over}.",
            code=errors.TURF_UNIVERSE_EMPTY,
            field="universe",
        )
    if len(doors) < target_doors:
        raise ValidationFailed(
            f"The universe has only {len(doors)} doors: fewer than one turf of {target_doors}.",
            code=errors.TURF_UNIVERSE_TOO_SMALL,
            field="target_doors",
        )
    labels = _labels(doors, target_doors, boundary)
    members = np.split(np.argsort(labels, kind="stable"), np.cumsum(np.bincount(labels))[:-1])
    routes = [route_doors(doors, m) for m in members]
    # Numbered west to east, so that numbers read across the map.
    routes.sort(key=lambda r: (r.longitude or 0.0, r.latitude or 0.0))
    units = organizing_selectors.coverage_map()
    with transaction.atomic():
        cut = TurfCut.objects.create(
            universe_id=universe.pk,
            org_unit=unit,
            name=name.strip()[:200] or f"{universe.name}: turfs of {target_doors}",
            target_doors=target_doors,
            boundary=boundary,
            status=TurfCut.Status.DONE,
            households=sum(len(r.households) for r in routes),
            capped_doors=capped,
            created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        made = Turf.objects.bulk_create(
            [
                _turf(cut, number, route, units.get(route.county, unit.pk))
                for number, route in enumerate(routes, start=1)
            ],
            batch_size=5_000,
        )
        _stops_create((turf.pk, route.households) for turf, route in zip(made, routes, strict=True))
        audit_create(
            actor=actor,
            action="turf_cut.create",
            instance=cut,
            summary=f"{cut.name}: {len(made)} turfs, {len(doors)} doors"
            + (
                f", {doors.unplaced} households without a location left out"
                if doors.unplaced
                else ""
            )
            + (f", {capped} doors over the door caps left out" if capped else ""),
        )
    return cut


def _unit_in_scope(scope: StaffScope, unit_id: int) -> Any:
    unit = organizing_selectors.org_unit_get(unit_id)
    if unit is None:
        raise ValidationFailed(
            "There is no such org unit.", code=errors.TURF_ORG_UNIT_INVALID, field="org_unit"
        )
    if not scope.covers(unit.path):
        raise PermissionDenied(
            f"You may not cut turfs for {unit.name}.",
            code=errors.TURF_ORG_UNIT_INVALID,
            field="org_unit",
        )
    return unit


def _spec_within(spec: dict[str, Any], unit: Any) -> dict[str, Any] | None:
    """The universe narrowed to the people placed in the unit (the whole file at the root);
    None when the universe is of another unit altogether."""
    if unit.parent_id is None:
        return spec
    inner = organizing_selectors.org_unit_get(spec["org_unit"]) if "org_unit" in spec else None
    if inner is None:
        return {**spec, "org_unit": unit.pk}
    if inner.path.startswith(unit.path):
        return spec  # already narrower
    return {**spec, "org_unit": unit.pk} if unit.path.startswith(inner.path) else None


def _door_points(
    spec: dict[str, Any], *, household_ids: Iterable[int] | None = None, piece: str = ""
) -> Iterable[HouseholdPoint]:
    """The households of the universe's people the contact rule lets a canvasser ask for,
    each with how many of them live there: a household whose every such person is refused
    at the door (or held out of the cut's program) is not a door."""
    people = turf_selectors.knockable(people_selectors.universe_people(spec), piece=piece)
    return people_selectors.household_points_of(people, household_ids=household_ids)


def _labels(doors: Doors, target: int, boundary: str) -> np.ndarray[Any, Any]:
    xy = walking_routes.project(doors.latitude, doors.longitude)
    if boundary:
        keys = doors.zip5 if boundary == "zip5" else doors.county
        codes = {key: i for i, key in enumerate(sorted(set(keys)))}
        groups = np.array([codes[k] for k in keys], dtype=np.int64)
    else:
        groups = np.zeros(len(doors), dtype=np.int64)
    return turf_cutting.cut(xy, groups, target)


def _turf(cut: TurfCut, number: int, route: Route, unit_id: int) -> Turf:
    return Turf(
        cut=cut,
        number=number,
        name=f"Turf {number} · {route.zip5}",
        org_unit_id=unit_id,
        doors=route.doors,
        people=route.people,
        route_meters=round(route.meters, 1),
        center_latitude=route.latitude,
        center_longitude=route.longitude,
    )


def _stops_create(turf_households: Iterable[tuple[int, list[int]]]) -> None:
    batch: list[TurfStop] = []
    for turf_id, households in turf_households:
        batch.extend(
            TurfStop(turf_id=turf_id, household_id=h, position=position)
            for position, h in enumerate(households, start=1)
        )
        if len(batch) >= 20_000:
            TurfStop.objects.bulk_create(batch)
            batch = []
    TurfStop.objects.bulk_create(batch)


# Hand adjustments --------------------------------------------------------------------------


def turf_stops_move(*, actor: Actor, household_ids: Sequence[int], to_turf_id: int) -> Turf:
    """Move households from other turfs of the same cut to
    ``to_turf_id``; every turf touched is routed again. Returns the receiving turf."""
    scope = organizing_selectors.staff_scope(actor)
    with transaction.atomic():
        target = _turf_for_edit(scope, to_turf_id)
        wanted = set(household_ids)
        stops = list(
            TurfStop.objects.filter(turf__cut_id=target.cut_id, household_id__in=wanted)
            .exclude(turf_id=target.pk)
            .select_related("turf__org_unit")
        )
        if not wanted or len(stops) != len(wanted - _households_of(target)):
            raise ValidationFailed(
                "Pick households on other turfs of this cut to move here.",
                code=errors.TURF_STOPS_INVALID,
                field="households",
            )
        sources = {stop.turf_id: stop.turf for stop in stops}
        for source in sources.values():
            _check_editable(scope, source)
            if source.doors and _households_of(source) <= wanted:
                raise ValidationFailed(
                    f"{source.name} would be left empty: merge it instead.",
                    code=errors.TURF_WOULD_BE_EMPTY,
                    field="households",
                )
        TurfStop.objects.filter(pk__in=[s.pk for s in stops]).update(turf=target)
        for turf in [target, *sources.values()]:
            _reroute(turf)
        audit_record(
            actor=actor,
            kind=AuditKind.UPDATE,
            action="turf.stops_move",
            entity_type="field.turf",
            entity_id=target.pk,
            summary=f"{len(stops)} households moved to {target.name}",
            changes={"households": [sorted(sources), sorted(s.household_id for s in stops)]},
        )
    return target


def turf_merge(*, actor: Actor, turf_id: int, into_turf_id: int) -> Turf:
    """Put every door of ``turf_id`` into ``into_turf_id`` (same cut) and remove the first."""
    scope = organizing_selectors.staff_scope(actor)
    with transaction.atomic():
        target = _turf_for_edit(scope, into_turf_id)
        source = _turf_for_edit(scope, turf_id)
        if source.cut_id != target.cut_id or source.pk == target.pk:
            raise ValidationFailed(
                "Merge two different turfs of the same cut.",
                code=errors.TURF_STOPS_INVALID,
                field="into",
            )
        if WalkList.objects.filter(turf=source).exists():
            raise Conflict(
                f"{source.name} has walk lists out: it cannot be merged away.",
                code=errors.TURF_HAS_WALK_LISTS,
            )
        TurfStop.objects.filter(turf=source).update(turf=target)
        audit_record(
            actor=actor,
            kind=AuditKind.DELETE,
            action="turf.merge",
            entity_type="field.turf",
            entity_id=source.pk,
            summary=f"{source.name} merged into {target.name}",
            changes={
                "into": [None, target.pk],
                **{k: [v, None] for k, v in snapshot(source).items()},
            },
        )
        source.delete()
        _reroute(target)
    return target


def turf_split(*, actor: Actor, turf_id: int) -> tuple[Turf, Turf]:
    """Cut a turf in two across its longer side; the second half becomes a new turf."""
    scope = organizing_selectors.staff_scope(actor)
    with transaction.atomic():
        turf = _turf_for_edit(scope, turf_id)
        doors = doors_of(_points(turf, _households_of(turf)))
        if len(doors) < 2:
            raise ValidationFailed(
                f"{turf.name} has one door: there is nothing to split.",
                code=errors.TURF_TOO_SMALL_TO_SPLIT,
            )
        halves = turf_cutting.split_in_two(walking_routes.project(doors.latitude, doors.longitude))
        number = (
            Turf.objects.filter(cut_id=turf.cut_id).order_by("-number").first() or turf
        ).number
        new = Turf.objects.create(
            cut_id=turf.cut_id, number=number + 1, name="", org_unit_id=turf.org_unit_id
        )
        moving = [h for door in np.flatnonzero(halves == 1) for h in doors.households[door]]
        TurfStop.objects.filter(turf=turf, household_id__in=moving).update(turf=new)
        _reroute(turf)
        _reroute(new)
        audit_create(
            actor=actor,
            action="turf.split",
            instance=new,
            summary=f"{new.name} split from {turf.name}",
        )
    return turf, new


def _turf_for_edit(scope: StaffScope, turf_id: int) -> Turf:
    turf = (
        Turf.objects.select_for_update(of=("self",))
        .select_related("org_unit", "cut")
        .filter(pk=turf_id)
        .first()
    )
    if turf is None or not scope.covers(turf.org_unit.path):
        raise NotFound("No such turf in your units.", code=errors.TURF_NOT_FOUND)
    return turf


def _check_editable(scope: StaffScope, turf: Turf) -> None:
    if not scope.covers(turf.org_unit.path):
        raise NotFound("No such turf in your units.", code=errors.TURF_NOT_FOUND)


def _households_of(turf: Turf) -> set[int]:
    return set(TurfStop.objects.filter(turf=turf).values_list("household_id", flat=True))


def _points(turf: Turf, household_ids: set[int]) -> list[HouseholdPoint]:
    """The households with the universe's people counted where the cut's universe still
    holds them (a household that has left it is walked all the same, with none)."""
    # The turf is already in the staff member's units; its cut's universe is read as made.
    universe = people_selectors.universe_get(
        turf.cut.universe_id, organizing_selectors.SYSTEM_SCOPE
    )
    counted: dict[int, HouseholdPoint] = {}
    if universe is not None:
        spec = _spec_within(universe.filters, turf.cut.org_unit) or {}
        if spec:
            counted = {p[0]: p for p in _door_points(spec, household_ids=household_ids)}
    missing = household_ids - set(counted)
    rest = people_selectors.household_points(missing) if missing else []
    return sorted([*counted.values(), *rest])


def _reroute(turf: Turf) -> None:
    """Order a turf's stops again and bring its figures up to date."""
    households = _households_of(turf)
    doors = doors_of(_points(turf, households))
    route = route_doors(doors, np.arange(len(doors)))
    # Households that cannot be placed stay on the turf, at the end of the walk.
    placed = set(route.households)
    order = route.households + sorted(households - placed)
    TurfStop.objects.filter(turf=turf).delete()
    _stops_create([(turf.pk, order)])
    turf.doors = route.doors
    turf.people = route.people
    turf.route_meters = round(route.meters, 1)
    turf.center_latitude, turf.center_longitude = route.latitude, route.longitude
    if not turf.name or turf.name.startswith(f"Turf {turf.number} ·"):
        turf.name = f"Turf {turf.number} · {route.zip5}"
    turf.save(
        update_fields=[
            "doors",
            "people",
            "route_meters",
            "center_latitude",
            "center_longitude",
            "name",
            "updated_at",
        ]
    )


# Walk lists --------------------------------------------------------------------------------


def walk_list_code() -> str:
    """A fresh list code: 8 characters from 25 is about 2^37 codes, guessed by nobody."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not WalkList.objects.filter(code=code).exists():
            return code


def walk_list_create(
    *,
    actor: Actor,
    turf_id: int,
    shift_id: int | None = None,
    canvasser_id: int | None = None,
    script_id: int | None = None,
    now: dt.datetime | None = None,
) -> WalkList:
    """Hand a turf to a shift or a volunteer (or both) as a walk list with its own code, with
    the script whose current approved version the canvassing app shows (one of the turf's
    team or a unit above it). ``now``, when given, is the moment it was handed out: a list
    given on paper and entered later (the sync refuses a result recorded before its list)."""
    scope = organizing_selectors.staff_scope(actor)
    with transaction.atomic():
        turf = _turf_for_edit(scope, turf_id)
        shift = None
        if shift_id is not None:
            shift = events_selectors.shift_get(shift_id)
            if shift is None or not scope.covers(shift.event.org_unit.path):
                raise ValidationFailed(
                    "There is no such shift in your units.",
                    code=errors.WALK_LIST_SHIFT_INVALID,
                    field="shift",
                )
        if canvasser_id is not None and not people_selectors.person_exists(canvasser_id):
            raise ValidationFailed(
                "There is no such volunteer.",
                code=errors.WALK_LIST_CANVASSER_INVALID,
                field="canvasser",
            )
        if script_id is not None:
            script = content_selectors.content_item_get(script_id)
            if (
                script is None
                or script.kind != "script"
                or not turf.org_unit.path.startswith(script.org_unit.path)
            ):
                raise ValidationFailed(
                    f"There is no such script for {turf.org_unit.name}.",
                    code=errors.WALK_LIST_SCRIPT_INVALID,
                    field="script",
                )
        walk_list = WalkList.objects.create(
            turf=turf,
            code=walk_list_code(),
            shift=shift,
            canvasser_id=canvasser_id,
            script_id=script_id,
        )
        if now is not None:
            WalkList.objects.filter(pk=walk_list.pk).update(created_at=now)
            walk_list.created_at = now
        audit_create(
            actor=actor,
            action="walk_list.create",
            instance=walk_list,
            summary=f"{turf.name} as list {walk_list.code}",
        )
    return walk_list

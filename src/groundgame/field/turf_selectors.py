"""Reads behind the turf pages: cuts and turfs within a staff member's units, the map of a
cut, a turf's walk list with the people at each door, and who the contact rule keeps off
the doors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count, QuerySet
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.field import walking_routes
from groundgame.field.models import CanvassResult, Turf, TurfCut, TurfStop, WalkList
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

# The consent channel of a knock on the door.
DOOR = "door"

# Distinct on white and on each other, in an order where neighbours (numbered west to east)
# differ; colour-blind readers still have the numbers.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#ad494a", "#637939", "#7b4173",
)  # fmt: skip
# The map draws at most this many households, spread over all turfs, so a cut of a whole
# state still renders in a blink; hulls and labels are drawn for every turf.
MAP_POINTS = 6_000
MAP_WIDTH, MAP_MIN_HEIGHT, MAP_MAX_HEIGHT, MAP_PAD = 1000.0, 420.0, 1100.0, 24.0


def turf_cut_list(*, scope: StaffScope) -> QuerySet[TurfCut]:
    return (
        TurfCut.objects.filter(scope.person_filter())
        .select_related("org_unit", "universe")
        .annotate(turf_count=Count("turfs"))
        .order_by("-created_at", "-pk")
    )


def turf_cut_get(*, scope: StaffScope, cut_id: int) -> TurfCut | None:
    return turf_cut_list(scope=scope).filter(pk=cut_id).first()


def turf_list(*, scope: StaffScope, cut_id: int) -> QuerySet[Turf]:
    """The turfs of a cut that lie in this scope's units, with their walk lists counted."""
    return (
        Turf.objects.filter(scope.person_filter(), cut_id=cut_id)
        .select_related("org_unit")
        .annotate(list_count=Count("walk_lists"))
        .order_by("number")
    )


def turf_get(*, scope: StaffScope, turf_id: int) -> Turf | None:
    return (
        Turf.objects.filter(scope.person_filter(), pk=turf_id)
        .select_related("org_unit", "cut__universe")
        .first()
    )


def turf_doors(turf_ids: list[int]) -> dict[int, list[int]]:
    """The households of each turf, in walking order."""
    doors: dict[int, list[int]] = {pk: [] for pk in turf_ids}
    stops = TurfStop.objects.filter(turf_id__in=turf_ids).order_by("turf_id", "position")
    for turf_id, household_id in stops.values_list("turf_id", "household_id"):
        doors[turf_id].append(household_id)
    return doors


def walk_list_list(*, turf_id: int) -> QuerySet[WalkList]:
    return (
        WalkList.objects.filter(turf_id=turf_id)
        .select_related("shift__event", "canvasser", "script")
        .order_by("-created_at")
    )


# The map ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TurfCounts:
    """What a turf's walk list holds now: its doors, households and people."""

    doors: int = 0
    households: int = 0
    people: int = 0


@dataclass
class TurfShape:
    turf: Turf
    colour: str
    counts: TurfCounts = TurfCounts()  # its walk list's figures (``turf_counts``)
    dots: list[tuple[float, float]] = field(default_factory=list)
    hull: str = ""  # SVG points of the convex hull
    label: tuple[float, float] = (0.0, 0.0)


@dataclass
class CutMap:
    shapes: list[TurfShape]
    width: float = MAP_WIDTH
    height: float = MAP_MIN_HEIGHT
    drawn: int = 0
    households: int = 0


def turf_cut_map(turfs: list[Turf]) -> CutMap:
    """Each turf's households as dots (a sample on large cuts), its hull and its number,
    projected to the SVG's user space (north up, meters to scale), and its walk list's
    figures."""
    stops = list(
        TurfStop.objects.filter(turf__in=[t.pk for t in turfs]).values_list(
            "turf_id", "household_id"
        )
    )
    step = max(1, len(stops) // MAP_POINTS)
    sample = stops[::step]
    coords = {
        p[0]: (p[4], p[5])
        for p in people_selectors.household_points({h for _, h in sample})
        if p[4] is not None and p[5] is not None
    }
    by_turf: dict[int, list[tuple[float, float]]] = {}
    for turf_id, household in sample:
        if household in coords:
            by_turf.setdefault(turf_id, []).append(coords[household])
    counts = turf_counts(t.pk for t in turfs)
    shapes = [
        TurfShape(turf=t, colour=PALETTE[i % len(PALETTE)], counts=counts.get(t.pk, TurfCounts()))
        for i, t in enumerate(turfs)
    ]
    # In the order of the shapes, so that each takes its run of the projected points.
    latitudes = [lat for s in shapes for lat, _ in by_turf.get(s.turf.pk, ())]
    longitudes = [lon for s in shapes for _, lon in by_turf.get(s.turf.pk, ())]
    if not latitudes:
        return CutMap(shapes=shapes, households=len(stops))
    xy = walking_routes.project(np.array(latitudes), np.array(longitudes))
    to_svg, height = _fit(xy)
    at = 0
    for shape in shapes:
        count = len(by_turf.get(shape.turf.pk, ()))
        points = to_svg(xy[at : at + count]) if count else np.zeros((0, 2))
        at += count
        shape.dots = [(round(x, 1), round(y, 1)) for x, y in points]
        hull = _hull(shape.dots)
        shape.hull = " ".join(f"{x},{y}" for x, y in hull)
        if shape.dots:
            shape.label = (
                round(float(points[:, 0].mean()), 1),
                round(float(points[:, 1].mean()), 1),
            )
    return CutMap(shapes=shapes, height=height, drawn=len(latitudes), households=len(stops))


def _fit(xy: walking_routes.FloatArray) -> tuple[Any, float]:
    """A function taking meters to SVG coordinates, and the map's height: the points' box
    scaled to the map's width, same scale on both axes, y flipped so north is up. The height
    follows the points' shape within bounds, so a tall turf is drawn tall (on a phone too)."""
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = np.maximum(high - low, 1.0)
    inner = MAP_WIDTH - 2 * MAP_PAD
    height = float(np.clip(inner * span[1] / span[0] + 2 * MAP_PAD, MAP_MIN_HEIGHT, MAP_MAX_HEIGHT))
    scale = min(inner / span[0], (height - 2 * MAP_PAD) / span[1])
    offset = (np.array([MAP_WIDTH, height]) - span * scale) / 2

    def to_svg(points: walking_routes.FloatArray) -> walking_routes.FloatArray:
        out = np.asarray((points - low) * scale + offset, dtype=float)
        out[:, 1] = height - out[:, 1]
        return out

    return to_svg, round(height, 1)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull by Andrew's monotone chain."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


# Who may be knocked for ------------------------------------------------------------------


def door_piece(universe_id: int) -> str:
    """How the contact rule names the doors of a universe's turf cuts, a piece of any
    program cut from that universe."""
    return f"doors:{universe_id}"


def knockable(people: QuerySet[Any], *, caps: bool = True, piece: str = "") -> QuerySet[Any]:
    """``people`` narrowed by the one contact rule to those a canvasser may ask for at the
    door. A walk list is about no topic in particular, so the rule's door-channel conditions
    decide (not on the do-not-contact list, a household, the door channel not left), then
    the door caps: a person knocked for as often as the cap allows, and every resident of a
    household visited as often, are left out. ``caps=False`` asks consent alone, to count
    what the caps leave out. ``piece`` names the cut's doors, whose program's holdout the rule
    keeps out."""
    allowed = consent_selectors.reachable(people, channel=DOOR, topic=None, piece=piece)
    return consent_selectors.within_caps(allowed, channel=DOOR) if caps else allowed


def doors_over_caps(people: QuerySet[Any], *, piece: str = "") -> int:
    """How many households of ``people`` the door caps alone leave out."""

    def doors(residents: QuerySet[Any]) -> int:
        return residents.filter(household__isnull=False).values("household_id").distinct().count()

    return doors(knockable(people, caps=False, piece=piece)) - doors(knockable(people, piece=piece))


@dataclass(frozen=True)
class Refused:
    """Who the rule refuses at the door among some households: the people left off the
    list, and the households whose every resident it refuses, which are no longer doors."""

    people: frozenset[int] = frozenset()
    households: frozenset[int] = frozenset()


def door_refusals(household_ids: Iterable[int]) -> Refused:
    """The people living at these households whom the rule now refuses at the door."""
    residents = people_selectors.household_residents(household_ids)
    allowed = set(knockable(residents).values_list("pk", flat=True))
    everyone = list(residents.values_list("pk", "household_id"))
    still_doors = {household for pk, household in everyone if pk in allowed}
    return Refused(
        people=frozenset(pk for pk, _ in everyone if pk not in allowed),
        households=frozenset(h for _, h in everyone if h is not None and h not in still_doors),
    )


def resident_counts(household_ids: Iterable[int]) -> dict[int, int]:
    """How many people at each household the rule lets a canvasser ask for: the people a
    walk list shows there."""
    ids = list(household_ids)
    counts: dict[int, int] = {}
    for start in range(0, len(ids), 10_000):
        residents = knockable(people_selectors.household_residents(ids[start : start + 10_000]))
        rows = residents.order_by().values_list("household_id").annotate(n=Count("pk"))
        counts.update((household, n) for household, n in rows if household is not None)
    return counts


# Turf figures -------------------------------------------------------------------------------


def turf_counts(turf_ids: Iterable[int]) -> dict[int, TurfCounts]:
    """The figures of each turf's walk list as the turf page and the canvassing app have it
    (``turf_walk``): households whose every resident the rule refuses are left out, the rest
    grouped into doors by address, the people the rule lets a canvasser ask for counted. In
    a few queries for all the turfs, so that a cut's table shows the figures its turfs' pages
    do, rather than those of the moment of the cut."""
    stops = list(
        TurfStop.objects.filter(turf_id__in=list(turf_ids)).values_list("turf_id", "household_id")
    )
    households = [h for _, h in stops]
    refused = door_refusals(households)
    kept = [(t, h) for t, h in stops if h not in refused.households]
    at = {
        p[0]: walking_routes.door_key(p[1], p[2])
        for p in people_selectors.household_points(h for _, h in kept)
    }
    people = resident_counts(h for _, h in kept)
    doors: dict[int, set[tuple[str, str]]] = {}
    counts: dict[int, list[int]] = {}
    for turf, household in kept:
        doors.setdefault(turf, set()).add(at.get(household) or walking_routes.door_key("", ""))
        tally = counts.setdefault(turf, [0, 0])
        tally[0] += 1
        tally[1] += people.get(household, 0)
    return {
        turf: TurfCounts(len(doors[turf]), households, residents)
        for turf, (households, residents) in counts.items()
    }


# A turf this far from the cut's target size (as a share of it) is pointed out on the cut's
# page: without a boundary the cutter keeps turfs within about 12%, so this is the boundary's
# (or a hand adjustment's) doing.
FAR_FROM_TARGET = 0.25


@dataclass(frozen=True)
class SizeWarning:
    turf: Turf
    doors: int
    off: float  # the share of the target it is over (positive) or under (negative)

    @property
    def percent(self) -> int:
        return round(abs(self.off) * 100)


def turf_size_warnings(cut: TurfCut, shapes: list[TurfShape]) -> list[SizeWarning]:
    """The turfs of a cut whose walk lists' doors are more than ``FAR_FROM_TARGET`` off its
    target, furthest first."""
    target = cut.target_doors
    found = []
    for shape in shapes:
        doors = shape.counts.doors
        off = (doors - target) / target if target else 0.0
        if abs(off) > FAR_FROM_TARGET:
            found.append(SizeWarning(shape.turf, doors, off))
    return sorted(found, key=lambda w: (-abs(w.off), w.turf.number))


# The walk list -----------------------------------------------------------------------------


@dataclass
class Resident:
    person_id: int
    name: str
    age: int | None
    party: str
    support: int | None


@dataclass
class Door:
    number: int  # position on the walk, 1..
    address: str
    households: list[int]
    residents: list[Resident]
    x: float = 0.0
    y: float = 0.0


@dataclass
class WalkRoute:
    doors: list[Door]
    path: str  # SVG polyline points in walking order
    width: float = MAP_WIDTH
    height: float = MAP_MIN_HEIGHT
    people: int = 0
    households: int = 0


def turf_walk(turf: Turf, *, today: dt.date | None = None) -> WalkRoute:
    """A turf's doors in walking order, the people at each, and the route drawn to scale;
    people the contact rule refuses at the door are left out, and so are the households
    whose every resident it refuses."""
    today = today or timezone.localdate()
    stops = list(
        TurfStop.objects.filter(turf=turf)
        .order_by("position")
        .values_list("household_id", flat=True)
    )
    refused = door_refusals(stops)
    household_order = [h for h in stops if h not in refused.households]
    points = {p[0]: p for p in people_selectors.household_points(household_order)}
    residents: dict[int, list[Resident]] = {}
    people = list(
        knockable(people_selectors.household_residents(household_order)).select_related(
            "voter_record"
        )
    )
    support = _latest_support([p.pk for p in people])
    for person in people:
        voter = getattr(person, "voter_record", None)
        residents.setdefault(person.household_id or 0, []).append(
            Resident(
                person_id=person.pk,
                name=" ".join(n for n in (person.first_name, person.last_name, person.suffix) if n),
                age=_age(person.birth_date, today),
                party=voter.get_party_display() if voter and voter.party else "",
                support=support.get(person.pk),
            )
        )
    doors: list[Door] = []
    index: dict[tuple[str, str], Door] = {}
    for household in household_order:
        point = points.get(household)
        street, zip5 = (point[1], point[2]) if point else ("", "")
        key = walking_routes.door_key(street, zip5)
        door = index.get(key)
        if door is None:
            door = index[key] = Door(
                number=len(doors) + 1, address=f"{street}, {zip5}", households=[], residents=[]
            )
            doors.append(door)
        door.households.append(household)
        door.residents.extend(residents.get(household, []))
    located = [
        (door, points[door.households[0]][4], points[door.households[0]][5])
        for door in doors
        if points.get(door.households[0]) and points[door.households[0]][4] is not None
    ]
    path, height = "", MAP_MIN_HEIGHT
    if located:
        xy = walking_routes.project(
            np.array([lat for _, lat, _ in located], dtype=float),
            np.array([lon for _, _, lon in located], dtype=float),
        )
        to_svg, height = _fit(xy)
        svg = to_svg(xy)
        for (door, _, _), (x, y) in zip(located, svg, strict=True):
            door.x, door.y = round(float(x), 1), round(float(y), 1)
        path = " ".join(f"{door.x},{door.y}" for door, _, _ in located)
    return WalkRoute(
        doors=doors,
        path=path,
        height=height,
        people=len(people),
        households=len(household_order),
    )


def _latest_support(person_ids: list[int]) -> dict[int, int]:
    """Each person's support as last recorded at the door (1 strong for .. 5 against)."""
    rows = (
        CanvassResult.objects.filter(person_id__in=person_ids, support__isnull=False)
        .order_by("person_id", "recorded_at")
        .values_list("person_id", "support")
    )
    return {person: value for person, value in rows if person is not None and value is not None}


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

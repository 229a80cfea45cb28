"""Which canvass results look fabricated: flagged for a person to review, never dropped.

A canvasser filling in doors from a kitchen table leaves two traces: results closer together
in time than a conversation (or the walk between two doors) can take, and a phone that is
nowhere near the addresses. Each rule below names one trace; a result gets a flag per rule it
breaks, ``{"code": ..., "detail": ...}``, and the review page shows them.

Doors are judged in the order they were recorded on the phone (``recorded_at``), not the
order they reached the server, so syncing late or out of order flags the same doors.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from groundgame.field.walking_routes import EARTH_RADIUS_M
from groundgame.organizing import selectors as organizing_selectors

# A conversation at the door (with a survey) takes longer than this; a "talked" result less
# than this after the previous door of the list is flagged.
TALK_MIN_SECONDS = 20
# Faster than a brisk walk or a jog between doors (1.4-3 m/s). Canvassers who drive a rural
# turf will be flagged here; a reviewer confirms those with one click.
MAX_SPEED_MPS = 3.0
# Below this the distance between two doors is within GPS and geocoding error: no speed.
MIN_SPEED_DISTANCE_M = 50.0
# The phone's position against the geocoded address: farther than this is not at the door.
FAR_FROM_DOOR_M = 300.0
# A household without coordinates is compared to its ZIP code's centroid, which can be a few
# kilometres from the door: only a phone farther than this from it (another town) is flagged.
FAR_FROM_ZIP_M = 5_000.0

TOO_FAST = "too_fast"
IMPOSSIBLE_SPEED = "impossible_speed"
FAR_FROM_DOOR = "far_from_door"
FAR_FROM_ZIP = "far_from_zip"


@dataclass(frozen=True)
class Place:
    """Where a household is: its geocoded point, or else its ZIP centroid (``exact`` False)."""

    latitude: float
    longitude: float
    exact: bool


@dataclass(frozen=True)
class Door:
    """One result as the rules see it. ``key`` identifies it to the caller."""

    key: object
    household_id: int
    outcome: str
    recorded_at: dt.datetime
    latitude: float | None
    longitude: float | None


Flag = dict[str, str]


def meters_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in meters."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def household_place(latitude: float | None, longitude: float | None, zip5: str) -> Place | None:
    """A household's geocoded point; without one, its ZIP centroid (see FAR_FROM_ZIP_M)."""
    if latitude is not None and longitude is not None:
        return Place(latitude, longitude, exact=True)
    centroid = organizing_selectors.zip_centroid(zip5)
    return Place(*centroid, exact=False) if centroid else None


def _distance_text(meters: float) -> str:
    return f"{meters / 1000:.1f} km" if meters >= 1000 else f"{meters:.0f} m"


def _pace_flags(previous: Door, door: Door, places: dict[int, Place]) -> list[Flag]:
    seconds = (door.recorded_at - previous.recorded_at).total_seconds()
    flags: list[Flag] = []
    if door.outcome == "talked" and seconds < TALK_MIN_SECONDS:
        flags.append(
            {"code": TOO_FAST, "detail": f"a conversation {seconds:.0f} s after the last door"}
        )
    here, there = places.get(door.household_id), places.get(previous.household_id)
    # Centroids are kilometres off: a speed between them would accuse honest canvassers.
    if here is None or there is None or not (here.exact and there.exact):
        return flags
    meters = meters_between(there.latitude, there.longitude, here.latitude, here.longitude)
    if meters >= MIN_SPEED_DISTANCE_M and meters > MAX_SPEED_MPS * max(seconds, 0.0):
        flags.append(
            {
                "code": IMPOSSIBLE_SPEED,
                "detail": f"{_distance_text(meters)} from the last door in {seconds:.0f} s",
            }
        )
    return flags


def _place_flags(door: Door, places: dict[int, Place]) -> list[Flag]:
    place = places.get(door.household_id)
    if place is None or door.latitude is None or door.longitude is None:
        return []
    meters = meters_between(door.latitude, door.longitude, place.latitude, place.longitude)
    if place.exact and meters > FAR_FROM_DOOR_M:
        return [{"code": FAR_FROM_DOOR, "detail": f"recorded {_distance_text(meters)} away"}]
    if not place.exact and meters > FAR_FROM_ZIP_M:
        return [
            {
                "code": FAR_FROM_ZIP,
                "detail": f"recorded {_distance_text(meters)} from the address's ZIP code",
            }
        ]
    return []


def door_flags(doors: Iterable[Door], places: dict[int, Place]) -> dict[object, list[Flag]]:
    """The flags of each door of one walk list, judged against the door recorded before it.

    Give every door of the list around the ones being judged (stored and new): each is paced
    against its predecessor in recording order. Doors without a flag are left out.
    """
    ordered: Sequence[Door] = sorted(doors, key=lambda d: (d.recorded_at, str(d.key)))
    flagged: dict[object, list[Flag]] = {}
    for index, door in enumerate(ordered):
        flags = _place_flags(door, places)
        if index:
            flags = _pace_flags(ordered[index - 1], door, places) + flags
        if flags:
            flagged[door.key] = flags
    return flagged

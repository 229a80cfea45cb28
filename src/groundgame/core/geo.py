"""ZIP code centroids and great-circle distances, for finding events near a volunteer, and
the time zone of a ZIP code, a county or a state, for texting people in their own hours and
showing an event's times in its own.

Centroids and zones come from the bundled ``zipcodes`` table, so neither calls a geocoder.
"""

from __future__ import annotations

import math
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import addfips
import zipcodes

EARTH_RADIUS_MILES = 3958.8
_FIPS = addfips.AddFIPS()


@dataclass(frozen=True)
class ZipPlace:
    zip5: str
    latitude: float
    longitude: float
    city: str
    state: str
    county_fips: str


@lru_cache(maxsize=4096)
def zip_place(zip5: str) -> ZipPlace | None:
    """The centroid and place of a 5-digit ZIP code; None when it is not a known ZIP."""
    if len(zip5) != 5 or not zip5.isdigit():
        return None
    found = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]
    if not found or not found[0].get("lat"):
        return None
    place = found[0]
    return ZipPlace(
        zip5=zip5,
        latitude=float(place["lat"]),
        longitude=float(place["long"]),
        city=str(place["city"]).title(),
        state=str(place["state"]),
        county_fips=_FIPS.get_county_fips(place["county"], state=place["state"]) or "",
    )


def distance_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance: exact enough for "within 25 miles" at any latitude."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, miles: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) degrees around a point: an indexable prefilter for the
    exact distance, a little larger than the circle."""
    dlat = miles / 69.0
    dlon = miles / max(1.0, 69.0 * math.cos(math.radians(lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=4096)
def zip_timezone(zip5: str) -> str | None:
    """The IANA time zone of a 5-digit ZIP code; None when the ZIP or its zone is unknown (a
    few hundred rows of the table carry no zone, one a place name instead of a zone)."""
    if len(zip5) != 5 or not zip5.isdigit():
        return None
    found = zipcodes.matching(zip5)  # type: ignore[no-untyped-call]
    zone = str(found[0].get("timezone") or "") if found else ""
    return zone if zone in _zones() else None


@lru_cache(maxsize=1)
def _state_zones() -> dict[str, str]:
    """Each state's main zone: the one most of its ZIP codes are in."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for place in zipcodes.list_all():  # type: ignore[no-untyped-call]
        zone = place.get("timezone") or ""
        if zone in _zones():
            counts[str(place["state"])][zone] += 1
    return {state: zones.most_common(1)[0][0] for state, zones in counts.items()}


@lru_cache(maxsize=1)
def _county_zones() -> dict[str, str]:
    """Each county's main zone: the one most of its ZIP codes are in."""
    by_name: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for place in zipcodes.list_all():  # type: ignore[no-untyped-call]
        zone = place.get("timezone") or ""
        if zone in _zones() and place.get("county"):
            by_name[(str(place["county"]), str(place["state"]))][zone] += 1
    # Named counties first, then one FIPS look-up each (not one per ZIP code: 40,000).
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for (county, state), zones in by_name.items():
        fips = _FIPS.get_county_fips(county, state=state)
        if fips:
            counts[fips].update(zones)
    return {fips: zones.most_common(1)[0][0] for fips, zones in counts.items()}


def county_timezone(county_fips: str) -> str | None:
    """The time zone most of a county's ZIP codes are in (``"04013"``, Maricopa County, ->
    ``America/Phoenix``); None for an unknown county."""
    return _county_zones().get(county_fips)


def area_timezone(areas: Iterable[tuple[Iterable[str], str]]) -> str | None:
    """The zone of the first area, nearest first, that has one; an area is (the counties it
    covers, its state): the zone most of the counties are in, else the state's. An org
    unit's area is its own, then each unit's above it."""
    for counties, state in areas:
        zones = Counter(zone for fips in counties if (zone := county_timezone(fips)))
        if zones:
            return zones.most_common(1)[0][0]
        if state and (zone := state_timezone(state)):
            return zone
    return None


def state_timezone(state: str) -> str | None:
    """The time zone most of a state's ZIP codes are in (``"FL"`` -> ``America/New_York``);
    None for an unknown state."""
    return _state_zones().get(state.upper())

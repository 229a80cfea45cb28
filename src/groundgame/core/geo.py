"""ZIP code centroids and great-circle distances, for finding events near a volunteer.

Centroids come from the bundled ``zipcodes`` table, so a search never calls a geocoder.
"""

from __future__ import annotations

import math
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

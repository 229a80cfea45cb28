"""Neighbourhoods of households on real-looking street grids, for the turf cutter's tests.

Households and people are bulk-created directly, like a factory (hundreds of them); the
universe goes through its service.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from groundgame.people import services as people
from groundgame.people.models import Household, Person

# (ZIP, county FIPS, centre) of two Durham ZIP codes and one in Raleigh (Wake).
PLACES = {
    "27701": ("37063", (35.9960, -78.9020)),
    "27703": ("37063", (35.9780, -78.8500)),
    "27601": ("37183", (35.7730, -78.6380)),
}
BLOCK_M = 110.0  # one block between cross streets
DOOR_M = 22.0  # house fronts along a street


@dataclass
class Town:
    universe: Any
    households: list[Household]


def _offset(centre: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    lat, lon = centre
    return (
        lat + north_m / 111_320.0,
        lon + east_m / (111_320.0 * math.cos(math.radians(lat))),
    )


def build_town(
    *,
    unit: Any,
    doors_per_zip: dict[str, int],
    name: str = "Town",
    seed: int = 7,
    shared_buildings: int = 0,
) -> Town:
    """``doors_per_zip`` doors on an east-west street grid around each ZIP's centre, both
    sides of each street, one adult per household placed in ``unit``; the first
    ``shared_buildings`` doors of each ZIP hold a second household (an apartment)."""
    rng = random.Random(seed)
    rows: list[Household] = []
    for zip5, doors in doors_per_zip.items():
        county, centre = PLACES[zip5]
        per_street = 24
        for n in range(doors):
            street, slot = divmod(n, per_street)
            side = slot % 2
            east = (slot // 2) * DOOR_M * 2 + side * 4.0 + rng.uniform(-2, 2)
            north = street * BLOCK_M + side * 18.0
            lat, lon = _offset(centre, east, north)
            number = 100 + 2 * (slot // 2) + side
            line = f"{number} {['Oak', 'Elm', 'Pine', 'Main', 'Cedar', 'Lake'][street % 6]} St"
            if street >= 6:
                line += f" {street // 6}"
            units = [""] + (["Apt 2"] if n < shared_buildings else [])
            for apt in units:
                rows.append(
                    Household(
                        street=line, unit=apt, city="Durham", state="NC", zip5=zip5,
                        county_fips=county, latitude=round(lat, 6), longitude=round(lon, 6),
                    )
                )  # fmt: skip
    households = Household.objects.bulk_create(rows)
    Person.objects.bulk_create(
        Person(
            first_name=f"Voter{i}", last_name="Doe", household=h, org_unit_id=unit.pk,
            birth_date=None,
        )
        for i, h in enumerate(households)
    )  # fmt: skip
    universe = people.universe_save(actor=None, name=name, filters={})
    return Town(universe=universe, households=households)

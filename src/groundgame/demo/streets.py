"""Streets for the synthetic households: neighbourhoods of parallel streets near their ZIP
code's centre, so that the demo's doors stand where doors stand and its turfs walk like real
ones.

A neighbourhood is a block of parallel streets, 110 m apart (a city block), each with lots
16 m apart on both sides; house numbers rise along the street, even on one side and odd on
the other. The block is turned by its own angle, and a ZIP code's neighbourhoods are laid
out from its centre outwards on a grid of 1.5 km cells. About half the lots are homes of the
file's households (the rest are homes of people not on it), taken in random order. The
street names of a ZIP code are all different, so no two streets of it share an address.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

LOT_M = 16.0  # between two houses on one side of a street
SIDE_M = 9.0  # from the middle of the street to a house
BLOCK_M = 110.0  # between two parallel streets
LOTS_PER_SIDE = 24  # a street of 368 m
CELL_M = 1_500.0  # between the centres of two neighbourhoods of one ZIP code
FILL = 0.45  # the share of a neighbourhood's lots that are the file's households
METERS_PER_DEGREE = 111_320.0

# Neighbourhood centres of a ZIP code, in cells, nearest its centre first.
_CELLS = sorted(
    ((x, y) for x in range(-6, 7) for y in range(-6, 7)), key=lambda c: (math.hypot(*c), c)
)


@dataclass
class Neighbourhood:
    """The homes of a block of streets, handed out one at a time."""

    latitude: float  # its centre
    longitude: float
    angle: float  # radians, of its streets from east
    streets: list[str]
    lots: list[tuple[int, int, int]]  # (street, lot, side) of the homes not handed out yet

    @property
    def full(self) -> bool:
        return not self.lots

    def home(self) -> tuple[str, float, float]:
        """The next home: its street address, latitude and longitude."""
        street, lot, side = self.lots.pop()
        # Across the streets and along them, from the block's centre, in meters.
        along = (lot - (LOTS_PER_SIDE - 1) / 2) * LOT_M + side * LOT_M / 4
        across = (street - (len(self.streets) - 1) / 2) * BLOCK_M + (2 * side - 1) * SIDE_M
        east = along * math.cos(self.angle) - across * math.sin(self.angle)
        north = along * math.sin(self.angle) + across * math.cos(self.angle)
        cos_lat = math.cos(math.radians(self.latitude))
        return (
            f"{100 + 2 * lot + side} {self.streets[street]}",
            round(self.latitude + north / METERS_PER_DEGREE, 6),
            round(self.longitude + east / (METERS_PER_DEGREE * cos_lat), 6),
        )


@dataclass
class Streets:
    """The neighbourhoods laid out so far, by ZIP code. ``name(rng)`` draws a street's name;
    the generator given makes every choice, so the same seed lays out the same town."""

    rng: random.Random
    name: Callable[[random.Random], str]
    _cells: dict[str, int] = field(default_factory=dict)  # neighbourhoods per ZIP code
    _names: dict[str, set[str]] = field(default_factory=dict)  # street names per ZIP code

    def neighbourhood(
        self, zip5: str, latitude: float, longitude: float, homes: int
    ) -> Neighbourhood:
        """A new neighbourhood in the ZIP code (centred at ``latitude``, ``longitude``) with
        room for ``homes`` of the file's households."""
        lots = 2 * LOTS_PER_SIDE
        count = max(1, math.ceil(homes / FILL / lots))
        used = self._names.setdefault(zip5, set())
        streets = [self._new_name(used) for _ in range(count)]
        cell = self._cells.get(zip5, 0)
        self._cells[zip5] = cell + 1
        x, y = _CELLS[cell % len(_CELLS)]
        east = x * CELL_M + self.rng.uniform(-150, 150)
        north = y * CELL_M + self.rng.uniform(-150, 150)
        cos_lat = math.cos(math.radians(latitude))
        free = [(s, lot, side) for s in range(count) for lot in range(LOTS_PER_SIDE)
                for side in (0, 1)]  # fmt: skip
        self.rng.shuffle(free)
        return Neighbourhood(
            latitude=latitude + north / METERS_PER_DEGREE,
            longitude=longitude + east / (METERS_PER_DEGREE * cos_lat),
            # Most towns' grids run near the compass points; some are turned.
            angle=math.radians(self.rng.choice((0.0, 0.0, 90.0, self.rng.uniform(-40, 40)))),
            streets=streets,
            lots=free,
        )

    def _new_name(self, used: set[str]) -> str:
        name = self.name(self.rng)
        # A ZIP code with more streets than common names numbers the rest (5th St).
        for _ in range(20):
            if name not in used:
                break
            name = self.name(self.rng)
        n = len(used)
        while name in used:
            n += 1
            name = f"{_ordinal(n)} St"
        used.add(name)
        return name


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"

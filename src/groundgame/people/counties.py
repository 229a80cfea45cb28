"""The counties of the seven swing states with their real presidential returns, bundled.

Read by the county filter of universes (a county's name for its FIPS code) and by the
synthetic campaign, which sizes and shapes its voter file on the returns. Only aggregates
are bundled; no record of a real person. The table ``data/swing_counties.csv`` is derived
from the shared data set, not edited (see ``groundgame.demo.reference``).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

YEARS = (2016, 2020, 2024)


@dataclass(frozen=True)
class SwingCounty:
    fips: str
    state: str
    name: str
    votes: dict[int, int]  # total presidential ballots by election year
    dem_2024: int
    gop_2024: int

    @property
    def dem_share_2024(self) -> float:
        """Harris's share of the two-party vote."""
        return self.dem_2024 / (self.dem_2024 + self.gop_2024)


@cache
def swing_counties() -> tuple[SwingCounty, ...]:
    """Every county of the seven swing states, in FIPS order."""
    table = resources.files("groundgame.people") / "data" / "swing_counties.csv"
    return tuple(
        SwingCounty(
            fips=r["fips"],
            state=r["state"],
            name=r["county"],
            votes={y: int(r[f"votes_{y}"]) for y in YEARS},
            dem_2024=int(r["dem_2024"]),
            gop_2024=int(r["gop_2024"]),
        )
        for r in csv.DictReader(io.StringIO(table.read_text(encoding="utf-8")))
    )

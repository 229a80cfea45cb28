"""Real county returns of the seven swing states, bundled for the synthetic campaign.

The synthetic voter file places its voters and their vote history so that each county looks
like the real one: as many voters as its share of the 2024 presidential vote, turnout in 2016,
2020 and 2024 that follows its real returns, party registration leaning as it voted in 2024.
Only aggregates are bundled; no record of a real person.

Sources (see ``data/README.md`` of the shared data set beside the project):

- ``elections/county_president_2016_2020_2024.csv``: presidential votes per county; 2016 from
  the MIT Election Data + Science Lab (MEDSL) countypres_2000-2016, 2020 and 2024 from
  tonmcg/US_County_Level_Election_Results_08-24 (MIT licence).
- ``elections/turnout_2024_by_state_ufl_v0.3.csv``: 2024 turnout of the voting-eligible
  population per state, University of Florida Election Lab.

The bundled tables are derived, not edited: the counties in the people app's
``data/swing_counties.csv`` (its county filter names counties from it; read here through
``people.selectors``), the states in this package's ``data/swing_states.csv``. Rebuild both
from the project root with::

    python -m groundgame.demo.reference ../shared/data

A test checks that the bundled files equal what this module derives from the shared data.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from groundgame.people import selectors as people_selectors

# State FIPS prefix of each swing state: the shared county file spells the state differently
# from one year to the next (postal code in 2016, full name later), the FIPS never changes.
SWING_STATES = {"04": "AZ", "13": "GA", "26": "MI", "32": "NV", "37": "NC", "42": "PA", "55": "WI"}
YEARS = people_selectors.RETURN_YEARS

_COUNTY_COLUMNS = [
    "fips",
    "state",
    "county",
    *(f"votes_{y}" for y in YEARS),
    "dem_2024",
    "gop_2024",
]
_STATE_COLUMNS = ["state", "name", "ballots_2024", "vep_2024", "vep_turnout_2024"]


@dataclass(frozen=True)
class SwingState:
    state: str
    name: str
    ballots_2024: int
    vep_2024: int
    vep_turnout_2024: float


def derive(shared: Path) -> tuple[str, str]:
    """The two bundled tables (counties, states) as CSV text, computed from the shared data."""
    elections = shared / "elections"
    rows: dict[str, dict[str, str]] = {}
    with (elections / "county_president_2016_2020_2024.csv").open(newline="") as f:
        for r in csv.DictReader(f):
            state = SWING_STATES.get(r["fips"][:2])
            if state is None:
                continue
            row = rows.setdefault(r["fips"], {"fips": r["fips"], "state": state})
            row[f"votes_{r['year']}"] = r["total_votes"]
            if r["year"] == "2024":
                row.update(county=r["county"], dem_2024=r["votes_dem"], gop_2024=r["votes_gop"])
    counties = _csv_text(_COUNTY_COLUMNS, [rows[f] for f in sorted(rows)])

    states = []
    with (elections / "turnout_2024_by_state_ufl_v0.3.csv").open(newline="") as f:
        for r in csv.DictReader(f):
            if r["STATE_ABV"] in SWING_STATES.values():
                rate = float(r["VEP_TURNOUT_RATE"].rstrip("%")) / 100
                states.append(
                    {
                        "state": r["STATE_ABV"],
                        "name": r["STATE"],
                        "ballots_2024": r["TOTAL_BALLOTS_COUNTED"],
                        "vep_2024": r["VEP"],
                        "vep_turnout_2024": f"{rate:.4f}",
                    }
                )
    return counties, _csv_text(_STATE_COLUMNS, sorted(states, key=lambda s: s["state"]))


def _csv_text(columns: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@cache
def swing_states() -> dict[str, SwingState]:
    text = (resources.files("groundgame.demo") / "data" / "swing_states.csv").read_text(
        encoding="utf-8"
    )
    return {
        r["state"]: SwingState(
            state=r["state"],
            name=r["name"],
            ballots_2024=int(r["ballots_2024"]),
            vep_2024=int(r["vep_2024"]),
            vep_turnout_2024=float(r["vep_turnout_2024"]),
        )
        for r in csv.DictReader(io.StringIO(text))
    }


def main(argv: list[str]) -> int:
    shared = Path(argv[0] if argv else "../shared/data")
    counties, states = derive(shared)
    # The counties are the people app's table: its county filter reads them too.
    people_data = Path(str(resources.files("groundgame.people"))) / "data"
    (people_data / "swing_counties.csv").write_text(counties, encoding="utf-8")
    Path(__file__).with_name("data").joinpath("swing_states.csv").write_text(
        states, encoding="utf-8"
    )
    print(f"wrote {counties.count(chr(10)) - 1} counties and {states.count(chr(10)) - 1} states")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

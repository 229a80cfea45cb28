"""Small North Carolina files written row by row, and the command line run in a child
process, for the import tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from groundgame.people.voterfile.layouts import nc

VOTER_DEFAULTS = {
    "county_id": "32",  # Durham: FIPS 37063
    "county_desc": "DURHAM",
    "last_name": "SMITH",
    "first_name": "ANN",
    "status_cd": "A",
    "res_street_address": "100 MAIN ST",
    "res_city_desc": "DURHAM",
    "state_cd": "NC",
    "zip_code": "27701",
    "registr_dt": "01/15/2010",
    "party_cd": "DEM",
}


def voter_line(ncid: str, **fields: str) -> str:
    values = {**VOTER_DEFAULTS, "ncid": ncid, **fields}
    return "\t".join(values.get(c, "") for c in nc.COLUMNS)


def ballot_line(ncid: str, date: str, method: str = "IN-PERSON", kind: str = "GENERAL") -> str:
    values = {"ncid": ncid, "election_lbl": date, "election_desc": f"{date} {kind}",
              "voting_method": method}  # fmt: skip
    return "\t".join(values.get(c, "") for c in nc.HISTORY_COLUMNS)


def write_pair(
    directory: Path,
    voters: Iterable[str | Mapping[str, str]],
    ballots: Iterable[str] = (),
    *,
    name: str = "a",
) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    voters_path, history_path = directory / f"{name}_ncvoter.txt", directory / f"{name}_ncvhis.txt"
    lines = [v if isinstance(v, str) else voter_line(**v) for v in voters]
    voters_path.write_text("\n".join(["\t".join(nc.COLUMNS), *lines]) + "\n", encoding="utf-8")
    history_path.write_text(
        "\n".join(["\t".join(nc.HISTORY_COLUMNS), *ballots]) + "\n", encoding="utf-8"
    )
    return voters_path, history_path


def cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``groundgame *args`` on the embedded database under ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["GROUNDGAME_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "groundgame", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip

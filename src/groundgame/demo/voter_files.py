"""Synthetic state voter files in the states' own public layouts, for tests and benchmarks.

``write_nc`` writes an ``ncvoter`` + ``ncvhis`` pair as the North Carolina State Board of
Elections publishes them (tab-delimited, every field quoted, MM/DD/YYYY dates, its county,
party, status and voting-method codes): voters in households at real ZIP codes of their
county, counties sized by their 2024 vote, party registration, and vote history in the 2016,
2018, 2020, 2022 and 2024 generals and the 2020, 2022 and 2024 primaries. A share of the rows
(``dirty_rate``) is dirty the way real exports are: odd case and stray whitespace (which load),
and missing names, malformed dates, unknown codes, short lines and repeated ids (which are
rejected).

Nobody in it is real (names from lists of common names, invented street numbers, phones in
the fictional 555-01XX range). The writer streams: per row it only picks from precomputed
pools and joins strings, so a state's 8 million rows take minutes, in constant memory.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from groundgame.demo import names
from groundgame.demo.voters import Zip, county_zips
from groundgame.people import selectors as people_selectors

VOTERS_FILE = "ncvoter_Statewide.txt"
HISTORY_FILE = "ncvhis_Statewide.txt"

# (date, ncvhis description, turnout among registered voters, shares of IN-PERSON,
# ABSENTEE ONESTOP, ABSENTEE BY MAIL, PROVISIONAL), roughly North Carolina's.
NC_ELECTIONS = (
    (dt.date(2016, 11, 8), "GENERAL", 0.69, (0.33, 0.60, 0.06, 0.01)),
    (dt.date(2018, 11, 6), "GENERAL", 0.53, (0.55, 0.40, 0.04, 0.01)),
    (dt.date(2020, 3, 3), "PRIMARY", 0.37, (0.60, 0.36, 0.03, 0.01)),
    (dt.date(2020, 11, 3), "GENERAL", 0.75, (0.10, 0.65, 0.24, 0.01)),
    (dt.date(2022, 5, 17), "PRIMARY", 0.20, (0.70, 0.27, 0.02, 0.01)),
    (dt.date(2022, 11, 8), "GENERAL", 0.51, (0.45, 0.50, 0.04, 0.01)),
    (dt.date(2024, 3, 5), "PRIMARY", 0.35, (0.55, 0.41, 0.03, 0.01)),
    (dt.date(2024, 11, 5), "GENERAL", 0.73, (0.20, 0.72, 0.07, 0.01)),
)
_METHODS = ("IN-PERSON", "ABSENTEE ONESTOP", "ABSENTEE BY MAIL", "PROVISIONAL")
_PARTIES = (("DEM", 0.31), ("REP", 0.30), ("UNA", 0.38), ("LIB", 0.005), ("GRE", 0.005))
_PARTY_DESC = {
    "DEM": "DEMOCRATIC",
    "REP": "REPUBLICAN",
    "UNA": "UNAFFILIATED",
    "LIB": "LIBERTARIAN",
    "GRE": "GREEN",
}
_STATUS = (
    ("A", "ACTIVE", "AV", "VERIFIED", 0.86),
    ("I", "INACTIVE", "IN", "CONFIRMATION NOT RETURNED", 0.12),
    ("R", "REMOVED", "RL", "MOVED FROM COUNTY", 0.02),
)
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
_HOUSEHOLD_WEIGHTS = tuple(accumulate((0.30, 0.38, 0.17, 0.10, 0.05)))
_DIRT = ("case", "space", "no_last_name", "bad_date", "bad_party", "short_line", "duplicate")
# Dirt that makes the importer reject the row.
REJECTED_DIRT = frozenset({"no_last_name", "bad_date", "bad_party", "short_line", "duplicate"})


@dataclass(frozen=True)
class SynthFiles:
    voters_path: Path
    history_path: Path
    voters: int  # lines of the voters file
    households: int
    history: int  # lines of the history file
    dirty: dict[str, int]  # lines of each kind of dirt

    @property
    def rejected(self) -> int:
        return sum(n for kind, n in self.dirty.items() if kind in REJECTED_DIRT)


def _q(fields: list[str] | tuple[str, ...]) -> str:
    return '"' + '"\t"'.join(fields) + '"'


@dataclass
class _County:
    county_id: str
    desc: str
    zips: tuple[Zip, ...]
    tails: tuple[str, ...]  # quoted precinct and district columns, one per precinct
    precincts: tuple[tuple[str, str], ...]


def _counties(rng: random.Random) -> tuple[list[_County], list[float]]:
    zips = county_zips()
    counties, weights = [], []
    for c in people_selectors.swing_county_list():
        if c.state != "NC" or c.fips not in zips:
            continue
        number = (int(c.fips[2:]) + 1) // 2  # the Census numbered the alphabetical list oddly
        tails, precincts = [], []
        for p in range(1, 13):
            code = f"{number:02d}{p:02d}"
            desc = f"PRECINCT {code}"
            precincts.append((code, desc))
            district = [
                code, desc, "", "", "", "", f"{rng.randint(1, 14):02d}", f"{rng.randint(1, 30)}",
                f"{rng.randint(1, 40)}", f"{rng.randint(1, 50)}", f"{rng.randint(1, 120)}",
                f"{rng.randint(1, 7)}", f"DISTRICT {rng.randint(1, 7)}", "", "", "", "", "", "",
                "", "", "", "", "", "", "", "", "", "", "", "", code, desc,
            ]  # fmt: skip
            tails.append(_q(district))
        counties.append(
            _County(str(number), c.name.upper(), zips[c.fips], tuple(tails), tuple(precincts))
        )
        weights.append(float(c.votes[2024]))
    return counties, list(accumulate(weights))


def write_nc(
    out: Path,
    *,
    rows: int,
    seed: int = 2024,
    dirty_rate: float = 0.005,
    progress: Callable[[str, int, int], None] | None = None,
) -> SynthFiles:
    """Write ``rows`` voters (and their history) into the directory ``out``."""
    nc = people_selectors.voter_file_layout("nc")
    assert nc is not None  # the layout ships with the people app
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counties, county_weights = _counties(rng)
    first_f = names.FEMALE
    first_m = names.MALE
    female_w = list(accumulate(1.0 / (r + 8) for r in range(len(first_f))))
    male_w = list(accumulate(1.0 / (r + 8) for r in range(len(first_m))))
    surname_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.SURNAMES))))
    street_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.STREETS))))
    party_w = list(accumulate(w for _, w in _PARTIES))
    status_w = list(accumulate(s[-1] for s in _STATUS))
    street_types = [t.upper() for t in names.STREET_TYPES]
    elections = [
        (d, f"{d:%m/%d/%Y}", f"{d:%m/%d/%Y} {kind}", turnout, list(accumulate(shares)))
        for d, kind, turnout, shares in NC_ELECTIONS
    ]
    dirty = dict.fromkeys(_DIRT, 0)
    voters_path, history_path = out / VOTERS_FILE, out / HISTORY_FILE
    written = households = history_lines = 0
    serial = 0
    last_ncid = ""
    choices, rand, randint = rng.choices, rng.random, rng.randint
    with (
        voters_path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as vf,
        history_path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as hf,
    ):
        vf.write(_q(nc.columns) + "\n")
        hf.write(_q(nc.history_columns) + "\n")
        vbuf: list[str] = []
        hbuf: list[str] = []
        while written < rows:
            county = choices(counties, cum_weights=county_weights)[0]
            where = county.zips[int(rand() * len(county.zips))]
            p = int(rand() * len(county.tails))
            tail, (pct, pct_desc) = county.tails[p], county.precincts[p]
            surname = choices(names.SURNAMES, cum_weights=surname_w)[0].upper()
            street = (
                f"{randint(100, 9899)} {choices(names.STREETS, cum_weights=street_w)[0].upper()} "
                f"{street_types[int(rand() * len(street_types))]}"
            )
            if rand() < 0.12:
                street += f" APT {randint(1, 40)}{'ABCD'[int(rand() * 4)]}"
            size = min(
                _HOUSEHOLD_SIZES[_bisect(_HOUSEHOLD_WEIGHTS, rand() * _HOUSEHOLD_WEIGHTS[-1])],
                rows - written,
            )
            households += 1
            party_head = choices(_PARTIES, cum_weights=party_w)[0][0]
            lean = rand()  # the household's turnout propensity, shared in part by its members
            for member in range(size):
                serial += 1
                written += 1
                female = rand() < 0.52
                first = (
                    choices(first_f, cum_weights=female_w)[0]
                    if female
                    else choices(first_m, cum_weights=male_w)[0]
                ).upper()
                middle = (
                    choices(first_f if rand() < 0.5 else first_m)[0].upper() if rand() < 0.7 else ""
                )
                last = surname if member < 2 or rand() < 0.7 else (
                    choices(names.SURNAMES, cum_weights=surname_w)[0].upper()
                )  # fmt: skip
                age = randint(18, 95)
                birth_year = 2024 - age
                party = party_head if rand() < 0.6 else choices(_PARTIES, cum_weights=party_w)[0][0]
                s = _bisect(status_w, rand() * status_w[-1])
                reg_year = randint(max(birth_year + 18, 1970), 2024)
                registered = f"{randint(1, 12):02d}/{randint(1, 28):02d}/{reg_year}"
                ncid = f"{chr(65 + serial % 26)}{chr(65 + serial // 26 % 26)}{serial:07d}"
                reg_num = str(serial)
                phone = f"{where.area_codes[0]}5550{randint(100, 199)}" if rand() < 0.4 else ""
                zip_code = where.zip5
                kind = _DIRT[int(rand() * len(_DIRT))] if rand() < dirty_rate else ""
                if kind == "case":
                    first, last = first.lower(), last.capitalize()
                elif kind == "space":
                    first, street = f" {first}  ", f"{street.replace(' ', '  ', 1)} "
                elif kind == "no_last_name":
                    last = ""
                elif kind == "bad_date":
                    registered = f"{randint(13, 19)}/{randint(32, 39)}/{reg_year}"
                elif kind == "bad_party":
                    party = "XYZ"
                elif kind == "duplicate" and last_ncid:
                    ncid = last_ncid
                elif kind == "duplicate":
                    kind = ""
                if kind:
                    dirty[kind] += 1
                fields = [
                    county.county_id, county.desc, reg_num, ncid, last, first, middle, "",
                    *_STATUS_FIELDS[s], street, where.city.upper(), "NC", zip_code, "", "", "",
                    "", "", "", "", phone, "N", registered, "W", "NL", party,
                    "F" if female else "M", str(birth_year), str(age), "NC", "Y",
                ]  # fmt: skip
                line = _q(fields) + "\t" + tail
                if kind == "short_line":
                    line = line.rsplit("\t", 5)[0]
                vbuf.append(line)
                if kind not in REJECTED_DIRT:
                    # Repeat only an id that loads: a repeat of a rejected row would load.
                    last_ncid = ncid
                if kind == "duplicate":
                    continue  # the repeated id's history is the first row's
                # Propensity: part the household's, part the voter's own; older voters vote more.
                propensity = 0.5 * lean + 0.5 * rand() + (age - 50) / 250
                lead = f'"{county.county_id}"\t"{county.desc}"\t"{reg_num}"\t"'
                back = f'"\t"{pct}"\t"{pct_desc}"\t"{ncid}"\t"{county.county_id}"\t"{county.desc}"\t"{pct}"\t"{pct_desc}"'  # noqa: E501
                for day, label, desc, turnout, method_w in elections:
                    if day.year - birth_year < 18 or day.year < reg_year:
                        continue
                    if rand() < turnout * (0.35 + 1.3 * propensity):
                        method = _METHODS[_bisect(method_w, rand() * method_w[-1])]
                        voted = party if "PRIMARY" in desc and party != "UNA" else ""
                        hbuf.append(
                            f'{lead}{label}"\t"{desc}"\t"{method}"\t"{voted}"\t"'
                            f"{_PARTY_DESC.get(voted, '')}{back}"
                        )
                        history_lines += 1
            if len(vbuf) >= 10_000:
                vf.write("\n".join(vbuf) + "\n")
                hf.write("\n".join(hbuf) + "\n")
                vbuf, hbuf = [], []
                if progress is not None:
                    progress("synthetic voters", written, rows)
        if vbuf:
            vf.write("\n".join(vbuf) + "\n")
        if hbuf:
            hf.write("\n".join(hbuf) + "\n")
    if progress is not None:
        progress("synthetic voters", written, rows)
    return SynthFiles(voters_path, history_path, written, households, history_lines, dirty)


_STATUS_FIELDS = [s[:4] for s in _STATUS]


def _bisect(cum: list[float] | tuple[float, ...], x: float) -> int:
    for i, c in enumerate(cum):
        if x < c:
            return i
    return len(cum) - 1

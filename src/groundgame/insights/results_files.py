"""Readers of the public election files the desk analyses (see ``data/README.md`` of the
public data set): county presidential returns, MEDSL's candidate-level returns, the EAVS
ballots by method, MEDSL's 2024 state returns and 2024 county ballots by vote mode.

Each reader takes the text of one file and returns its rows and the rows it refused, each with
its line number and reason, so a load reports what it could not read and loses nothing
silently. They touch no database: the loader stores what they return, and the backtest reads
the files through them directly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

COUNTY_RETURNS = "county_president_2016_2020_2024.csv"
MEDSL_COUNTY_RETURNS = "county_president_2000_2016_medsl.csv"
STATE_CANDIDATES_2024 = "state_president_2024_medsl.csv"
BALLOTS_BY_MODE_2024 = "county_president_2024_by_mode_6states.csv"
EAVS_YEARS = (2016, 2018, 2020)


def eavs_file(year: int) -> str:
    return f"eavs_county_ballots_by_method_{year}.csv"


# State FIPS code -> postal code (the fifty states and DC).
STATE_BY_FIPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY",
}  # fmt: skip
STATES = frozenset(STATE_BY_FIPS.values())

# Vote modes of the 2024 mode file that are ballots cast before election day.
EARLY_MODE_WORDS = ("ABSENTEE", "EARLY", "MAIL", "OVERSEAS")


class RowError(ValueError):
    """What is wrong with one row, in words a person can act on."""


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str


@dataclass
class Parsed(Generic[T]):
    rows: list[T] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


@dataclass(frozen=True)
class CountyVotes:
    year: int
    county_fips: str
    state: str
    county_name: str
    dem: int
    gop: int
    other: int
    total: int
    line: int


@dataclass(frozen=True)
class CountyMethods:
    year: int
    county_fips: str
    state: str
    total: int
    early: int
    line: int


@dataclass(frozen=True)
class CandidateVotes:
    year: int
    state: str
    candidate: str
    party: str
    votes: int
    line: int


@dataclass(frozen=True)
class CountyModes:
    """A county's 2024 ballots by mode: those cast before election day, and all of them."""

    county_fips: str
    state: str
    early: int
    total: int
    line: int


def fips_of(value: str, *, column: str = "county_fips") -> str:
    """A county FIPS code as five digits (files drop the leading zero), or RowError."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not 4 <= len(text) <= 5:
        raise RowError(f"{column}: {value!r} is not a county FIPS code (five digits)")
    code = text.zfill(5)
    if code[:2] not in STATE_BY_FIPS:
        raise RowError(f"{column}: {code} is in no state (unknown state code {code[:2]})")
    return code


def count_of(value: str | None, column: str) -> int:
    """A non-negative whole count, or RowError naming the column."""
    text = (value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text:
        raise RowError(f"{column}: missing")
    try:
        number = int(text)
    except ValueError:
        raise RowError(f"{column}: {value!r} is not a whole number") from None
    if number < 0:
        raise RowError(f"{column}: {number} is negative")
    return number


def rows_of(text: str, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV with a header; RowError at line 1 if a column is missing."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise RowError(f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}")
    for row in reader:
        yield reader.line_num, row


def each_row(
    text: str,
    required: tuple[str, ...],
    refusals: list[Refusal],
    one: Callable[[int, dict[str, str]], None],
) -> None:
    """Call ``one`` on every row; a row it refuses (RowError) is kept with its line and
    reason, and a file missing a column is refused whole at line 1."""
    try:
        for line, row in rows_of(text, required):
            try:
                one(line, row)
            except RowError as exc:
                refusals.append(Refusal(line, str(exc)))
    except RowError as exc:
        refusals.append(Refusal(1, str(exc)))


def county_returns(text: str) -> Parsed[CountyVotes]:
    """``county_president_2016_2020_2024.csv``: one row per county and year."""

    read = Parsed[CountyVotes]()

    def one(line: int, row: dict[str, str]) -> None:
        fips = fips_of(row["fips"], column="fips")
        dem, gop = count_of(row["votes_dem"], "votes_dem"), count_of(row["votes_gop"], "votes_gop")
        other = count_of(row["votes_other"], "votes_other")
        total = count_of(row["total_votes"], "total_votes")
        if dem + gop > total:
            raise RowError(f"total_votes: {total} is less than the two parties' {dem + gop}")
        read.rows.append(
            CountyVotes(
                year=_year(row["year"]),
                county_fips=fips,
                state=STATE_BY_FIPS[fips[:2]],
                county_name=row["county"].strip()[:100],
                dem=dem,
                gop=gop,
                other=other,
                total=total,
                line=line,
            )
        )

    columns = ("year", "fips", "county", "votes_dem", "votes_gop", "votes_other", "total_votes")
    each_row(text, columns, read.refusals, one)
    return read


@dataclass
class _CountySum:
    line: int
    name: str
    total: int
    dem: int = 0
    gop: int = 0


def medsl_county_returns(text: str, *, before: int = 2016) -> Parsed[CountyVotes]:
    """MEDSL's 2000-2016 file (one row per county and candidate) summed per county, for the
    years before ``before`` (2016 is in the newer file already). A county's line is that of
    its first row."""
    sums: dict[tuple[int, str], _CountySum] = {}
    read = Parsed[CountyVotes]()

    def one(line: int, row: dict[str, str]) -> None:
        year = _year(row["year"])
        if year >= before:
            return
        fips = fips_of(row["FIPS"], column="FIPS")
        total = count_of(row["totalvotes"], "totalvotes")
        party = row["party"].strip().lower()
        county = sums.setdefault((year, fips), _CountySum(line, row["county"].strip()[:100], total))
        if party == "democrat":
            county.dem += count_of(row["candidatevotes"], "candidatevotes")
        elif party == "republican":
            county.gop += count_of(row["candidatevotes"], "candidatevotes")

    columns = ("year", "county", "FIPS", "party", "candidatevotes", "totalvotes")
    each_row(text, columns, read.refusals, one)
    for (year, fips), c in sorted(sums.items()):
        if c.dem + c.gop > c.total:
            read.refusals.append(
                Refusal(c.line, f"totalvotes: {c.total} is less than the two parties' votes")
            )
            continue
        other = c.total - c.dem - c.gop
        state = STATE_BY_FIPS[fips[:2]]
        read.rows.append(
            CountyVotes(year, fips, state, c.name, c.dem, c.gop, other, c.total, c.line)
        )
    return read


def eavs_methods(text: str) -> Parsed[CountyMethods]:
    """An EAVS ballots-by-method file: early = absentee (UOCAVA) + mail + early in person +
    all-mail jurisdictions' ballots."""
    early_columns = ("absentee_uovaca_part", "mail_part", "in_person_early_part", "vbm_part")

    read = Parsed[CountyMethods]()

    def one(line: int, row: dict[str, str]) -> None:
        fips = fips_of(row["fips"], column="fips")
        total = count_of(row["total_part"], "total_part")
        early = sum(count_of(row[c], c) for c in early_columns)
        year = _year(row["election_year"])
        read.rows.append(CountyMethods(year, fips, STATE_BY_FIPS[fips[:2]], total, early, line))

    each_row(text, ("fips", "election_year", "total_part", *early_columns), read.refusals, one)
    return read


def state_candidates(text: str) -> Parsed[CandidateVotes]:
    """MEDSL's state returns: one row per state, candidate and mode. Where a state gives a
    TOTAL row only that counts, else its modes are summed (no ballot counted twice)."""
    read = Parsed[CandidateVotes]()
    by_mode: dict[tuple[int, str, str], dict[str, tuple[int, str, int]]] = {}

    def one(line: int, row: dict[str, str]) -> None:
        state = row["state_po"].strip().upper()
        if state not in STATES:
            raise RowError(f"state_po: {state!r} is not a state")
        candidate = row["candidate"].strip()[:120]
        if not candidate:
            raise RowError("candidate: missing")
        key = (_year(row["year"]), state, candidate)
        modes = by_mode.setdefault(key, {})
        mode = row["mode"].strip().upper()
        votes = count_of(row["votes"], "votes")
        _, _, before = modes.get(mode, (line, "", 0))
        modes[mode] = (line, row["party_simplified"].strip() or "OTHER", before + votes)

    columns = ("year", "state_po", "candidate", "party_simplified", "mode", "votes")
    each_row(text, columns, read.refusals, one)
    for (year, state, candidate), modes in sorted(by_mode.items()):
        counted = {"TOTAL": modes["TOTAL"]} if "TOTAL" in modes else modes
        line = min(line for line, _, _ in counted.values())
        party = next(iter(counted.values()))[1]
        votes = sum(v for _, _, v in counted.values())
        read.rows.append(CandidateVotes(year, state, candidate, party[:60], votes, line))
    return read


def county_modes_2024(text: str) -> Parsed[CountyModes]:
    """The 2024 county ballots by mode: ballots cast early (absentee, early, mail, overseas)
    and all ballots (the TOTAL row where a county has one beside its split rows, else the sum
    of its rows). The statewide rows (FIPS 00000) are left out: no county holds them."""
    read = Parsed[CountyModes]()
    counties: dict[str, dict[str, int]] = {}
    lines: dict[str, int] = {}

    def one(line: int, row: dict[str, str]) -> None:
        raw = row["county_fips"].strip()
        if raw.strip("0") == "":
            return
        fips = fips_of(raw)
        mode = row["mode"].strip().upper()
        votes = count_of(row["votes_all_candidates"], "votes_all_candidates")
        modes = counties.setdefault(fips, {})
        modes[mode] = modes.get(mode, 0) + votes
        lines.setdefault(fips, line)

    each_row(text, ("county_fips", "mode", "votes_all_candidates"), read.refusals, one)
    for fips, modes in sorted(counties.items()):
        early = sum(v for m, v in modes.items() if any(w in m for w in EARLY_MODE_WORDS))
        total = modes.get("TOTAL", sum(v for m, v in modes.items() if m != "TOTAL"))
        read.rows.append(CountyModes(fips, STATE_BY_FIPS[fips[:2]], early, total, lines[fips]))
    return read


def _year(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 1788 <= int(text) <= 2100:
        raise RowError(f"year: {value!r} is not an election year")
    return int(text)

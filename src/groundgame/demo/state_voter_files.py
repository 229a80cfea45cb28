"""Synthetic voter files in Arizona's, Nevada's and Wisconsin's public layouts, for tests and
``groundgame voters synth --layout az|nv|wi``.

Each state's writer draws the same synthetic voters (names from lists of common names, in
households at real ZIP codes of their county, counties weighted by their 2024 vote; party,
status, registration, and ballots in the state's elections since 2016, each cast at the
polls, early, by mail or provisionally) and writes them in the state's columns and codes: its
county names, party and status words, date format, and its history, in election columns
(Arizona, Wisconsin) or a file of its own (Nevada). A share of the rows (``dirty_rate``) is
dirty: odd case and stray spaces (which load), and a missing last name, an impossible date, an
unknown status or county, a short line, a repeated voter id, an unknown voting method, a
ballot of nobody on the file (which the import rejects). ``Written.rejected`` lists each of
those lines with the column the import names.

Nobody in it is real (names from lists of common names, invented street numbers, phones in
the fictional 555-01XX range). Small files, for tests and trials: a state's millions of rows
are ``write_nc``'s business, which streams.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from groundgame.demo import names
from groundgame.demo.voters import Zip, county_zips
from groundgame.people import selectors as people_selectors

Layout = people_selectors.Layout

_PARTIES = (("DEM", 0.33), ("REP", 0.35), ("UNA", 0.3), ("LIB", 0.01), ("GRE", 0.01))
_STATUSES = (("active", 0.86), ("inactive", 0.12), ("removed", 0.02))
_METHODS = ("election_day", "early", "mail", "provisional")
_METHOD_SHARES = (0.3, 0.25, 0.44, 0.01)
# Dirt that loads, and dirt the import rejects (with the layout field whose column it names,
# "" for the whole line).
_CLEAN_DIRT = ("case", "space")
_REJECTED_DIRT = {
    "no_last_name": "last_name",
    "bad_date": "registered_on",
    "bad_status": "status",
    "bad_county": "county",
    "short_line": "",
    "duplicate": "state_voter_id",
    "bad_method": "method",
    "unknown_voter": "state_voter_id",
}


@dataclass(frozen=True)
class Ballot:
    day: dt.date
    election: str  # the election's column (election columns) or name
    method: str  # VoteHistory.Method value


@dataclass
class SynthVoter:
    """A voter in no state's layout: what each state's writer puts in its own columns."""

    voter_id: str
    first: str
    middle: str
    last: str
    birth: dt.date
    registered: dt.date
    street: str  # house number, street and type
    unit: str
    zip: Zip
    county_fips: str
    county_name: str  # the Census's ("Maricopa County", "Carson City")
    party: str  # VoterRecord.Party value
    status: str  # VoterRecord.Status value
    phone: str
    email: str
    ballots: list[Ballot] = field(default_factory=list)

    @property
    def street_line(self) -> str:
        return f"{self.street} {self.unit}".strip()


@dataclass(frozen=True)
class Written:
    voters_path: Path
    history_path: Path | None
    voters: int  # lines of the voters file
    ballots: int  # ballots written for voters whose line loads
    # (file, line) -> the column the import names for each line it must reject.
    rejected: dict[tuple[str, int], str]
    # The first voter, as the import must record them.
    sample: SynthVoter

    @property
    def history_rejected(self) -> int:
        return sum(1 for file, _ in self.rejected if file == "history")


@dataclass(frozen=True)
class _Election:
    column: str  # its column (or, in a history file, its name)
    day: dt.date
    primary: bool
    turnout: float


class _Writer:
    """A state's file: its header and how a voter (and their ballots) becomes its lines."""

    layout: Layout
    elections: tuple[_Election, ...]

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def header(self) -> list[str]:
        raise NotImplementedError

    def voter_row(self, v: SynthVoter) -> dict[str, str]:
        raise NotImplementedError

    def line(self, row: dict[str, str], columns: list[str]) -> str:
        raise NotImplementedError


def _county_word(name: str) -> str:
    return name.removesuffix(" County")


def _mdy(day: dt.date) -> str:
    return f"{day:%m/%d/%Y}"


def _csv_line(values: list[str], delimiter: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(values)
    return out.getvalue()


def _elections(layout: Layout, columns: tuple[tuple[str, float], ...]) -> tuple[_Election, ...]:
    """Election columns with their days, as the layout reads them."""
    pattern, resolve = layout.history_column, layout.history_column_election
    assert pattern is not None
    assert resolve is not None
    found = []
    for column, turnout in columns:
        match = pattern.match(column)
        assert match is not None, column
        day, name = resolve(match)
        found.append(_Election(column, day, "Primary" in name, turnout))
    return tuple(found)


class _Arizona(_Writer):
    PARTY = {"DEM": "Democratic", "REP": "Republican", "UNA": "Party Not Designated",
             "LIB": "Libertarian", "GRE": "Green"}  # fmt: skip
    STATUS = {"active": "Active", "inactive": "Inactive", "removed": "Canceled"}
    METHOD = {"election_day": "P", "early": "E", "mail": "E", "provisional": "PV"}

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.elections = _elections(
            layout,
            (("GENERAL2016", 0.74), ("GENERAL2018", 0.64), ("2020PRESIDENTIALPREFERENCE", 0.3),
             ("PRIMARY2020", 0.36), ("GENERAL2020", 0.79), ("PRIMARY2022", 0.35),
             ("GENERAL2022", 0.63), ("2024PRESIDENTIALPREFERENCE", 0.27),
             ("PRIMARY2024", 0.3), ("GENERAL2024", 0.77)),
        )  # fmt: skip

    def header(self) -> list[str]:
        return [*self.layout.columns, *(e.column for e in self.elections)]

    def voter_row(self, v: SynthVoter) -> dict[str, str]:
        row = {
            "RegistrantID": v.voter_id, "RegistrationDate": _mdy(v.registered),
            "DOB": str(v.birth.year), "LastName": v.last, "FirstName": v.first,
            "MiddleName": v.middle, "Status": self.STATUS[v.status],
            "County": _county_word(v.county_name), "ResidenceAddress": v.street_line,
            "ResidenceCity": v.zip.city.upper(), "ResidenceState": "AZ",
            "ResidenceZip": v.zip.zip5, "Party": self.PARTY[v.party], "Phone": v.phone,
        }  # fmt: skip
        primaries = {"DEM": " - DEM", "REP": " - REP"}
        for b in v.ballots:
            primary = next(e.primary for e in self.elections if e.column == b.election)
            party = primaries.get(v.party, "") if primary else ""
            row[b.election] = self.METHOD[b.method] + party
        return row

    def line(self, row: dict[str, str], columns: list[str]) -> str:
        return _csv_line([row.get(c, "") for c in columns], ",")


class _Wisconsin(_Writer):
    STATUS = {"active": "Active", "inactive": "Inactive", "removed": "Inactive"}
    METHOD = {"election_day": "At Polls", "early": "Absentee", "mail": "Absentee",
              "provisional": "Provisional"}  # fmt: skip

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.elections = _elections(
            layout,
            (("November2016", 0.72), ("April2018", 0.25), ("November2018", 0.6),
             ("April2020", 0.35), ("November2020", 0.75), ("August2022", 0.26),
             ("November2022", 0.58), ("April2024", 0.32), ("November2024", 0.74)),
        )  # fmt: skip

    def header(self) -> list[str]:
        return [*self.layout.columns, *(e.column for e in self.elections)]

    def voter_row(self, v: SynthVoter) -> dict[str, str]:
        city = v.zip.city.upper()
        county = v.county_name.upper()
        row = {
            "Voter Reg Number": v.voter_id, "LastName": v.last, "FirstName": v.first,
            "MiddleName": v.middle, "PhoneNumber": v.phone, "EmailAddress": v.email,
            "Address1": v.street_line, "Address2": f"{city} WI {v.zip.zip5}",
            "ZipCode": v.zip.zip5, "Jurisdiction": f"CITY OF {city} - {county}",
            "County": v.county_name, "State": "Wisconsin",
            "Voter Status": self.STATUS[v.status], "ApplicationDate": _mdy(v.registered),
            "ApplicationSource": "Online", "IsPermanentAbsentee": "N", "Voter Type": "Regular",
        }  # fmt: skip
        for b in v.ballots:
            row[b.election] = self.METHOD[b.method]
        return row

    def line(self, row: dict[str, str], columns: list[str]) -> str:
        return "\t".join(row.get(c, "") for c in columns)


class _Nevada(_Writer):
    PARTY = {"DEM": "Democrat", "REP": "Republican", "UNA": "Non-Partisan",
             "LIB": "Libertarian", "GRE": "Green"}  # fmt: skip
    STATUS = {"active": "Active", "inactive": "Inactive", "removed": "Inactive"}
    METHOD = {"election_day": "PP", "early": "EV", "mail": "MB", "provisional": "PV"}

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.elections = tuple(
            _Election(_mdy(day), day, day.month == 6, turnout)
            for day, turnout in (
                (dt.date(2016, 11, 8), 0.76), (dt.date(2018, 6, 12), 0.23),
                (dt.date(2018, 11, 6), 0.62), (dt.date(2020, 6, 9), 0.3),
                (dt.date(2020, 11, 3), 0.77), (dt.date(2022, 6, 14), 0.27),
                (dt.date(2022, 11, 8), 0.55), (dt.date(2024, 6, 11), 0.22),
                (dt.date(2024, 11, 5), 0.74),
            )
        )  # fmt: skip

    def header(self) -> list[str]:
        return list(self.layout.columns)

    def voter_row(self, v: SynthVoter) -> dict[str, str]:
        return {
            "VoterID": v.voter_id, "County": _county_word(v.county_name), "First_Name": v.first,
            "Middle_Name": v.middle, "Last_Name": v.last, "Birth_Date": _mdy(v.birth),
            "Registration_Date": _mdy(v.registered), "Address_1": v.street,
            "Address_2": v.unit, "City": v.zip.city.upper(), "State_addr": "NV",
            "Zip": v.zip.zip5, "Phone": v.phone, "Party": self.PARTY[v.party],
            "County_Status": self.STATUS[v.status], "County_Voter_ID": v.voter_id[-6:],
            "ID_Required": "N",
        }  # fmt: skip

    def line(self, row: dict[str, str], columns: list[str]) -> str:
        return _csv_line([row.get(c, "") for c in columns], ",")

    def history_line(self, serial: int, voter_id: str, b: Ballot, method: str = "") -> str:
        return _csv_line([str(serial), voter_id, _mdy(b.day), method or self.METHOD[b.method]], ",")


WRITERS: dict[str, tuple[type[_Writer], str, str | None]] = {
    # layout -> the writer, the voters file's name and the history file's (None: in columns)
    "az": (_Arizona, "az_voter_registration_list.csv", None),
    "nv": (_Nevada, "VoterList.ElgbVtr.synthetic.csv", "VoterList.VtHst.synthetic.csv"),
    "wi": (_Wisconsin, "WisVote_voter_list.txt", None),
}


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


class _Voters:
    """Synthetic voters of one state, household by household."""

    def __init__(self, state: str, rng: random.Random, elections: tuple[_Election, ...]) -> None:
        zips = county_zips()
        self.counties = [
            c for c in people_selectors.swing_county_list() if c.state == state and c.fips in zips
        ]
        self.zips = zips
        self.weights = list(accumulate(float(c.votes[2024]) for c in self.counties))
        self.rng, self.elections, self.state = rng, elections, state
        self.serial = 0

    def household(self) -> list[SynthVoter]:
        rng = self.rng
        county = rng.choices(self.counties, cum_weights=self.weights)[0]
        where = rng.choice(self.zips[county.fips])
        street = f"{rng.randint(100, 9899)} {rng.choice(names.STREETS).upper()} " + (
            rng.choice(names.STREET_TYPES).upper()
        )
        unit = f"APT {rng.randint(1, 40)}{rng.choice('ABCD')}" if rng.random() < 0.12 else ""
        surname = rng.choice(names.SURNAMES).upper()
        size = rng.choices((1, 2, 3, 4), weights=(0.3, 0.4, 0.2, 0.1))[0]
        return [
            self._voter(county.fips, county.name, where, street, unit, surname) for _ in range(size)
        ]

    def _voter(
        self, fips: str, county: str, where: Zip, street: str, unit: str, surname: str
    ) -> SynthVoter:
        rng = self.rng
        self.serial += 1
        first = rng.choice(names.FEMALE if rng.random() < 0.52 else names.MALE).upper()
        birth = dt.date(rng.randint(1930, 2006), rng.randint(1, 12), rng.randint(1, 28))
        registered = dt.date(
            rng.randint(max(birth.year + 18, 1975), 2024), rng.randint(1, 12), rng.randint(1, 28)
        )
        voter = SynthVoter(
            voter_id=str(100_000_000 + self.serial * 7),
            first=first,
            middle=rng.choice(names.MALE).upper() if rng.random() < 0.6 else "",
            last=surname,
            birth=birth,
            registered=registered,
            street=street,
            unit=unit,
            zip=where,
            county_fips=fips,
            county_name=county,
            party=_pick(rng, _PARTIES),
            status=_pick(rng, _STATUSES),
            phone=f"{where.area_codes[0]}5550{rng.randint(100, 199)}" if rng.random() < 0.4 else "",
            email=f"{first.lower()}.{self.serial}@example.com" if rng.random() < 0.2 else "",
        )
        lean = rng.random()
        for e in self.elections:
            if e.day < registered or e.day.year - birth.year < 18:
                continue
            if rng.random() < e.turnout * (0.4 + 1.2 * lean):
                method = rng.choices(_METHODS, weights=_METHOD_SHARES)[0]
                voter.ballots.append(Ballot(e.day, e.column, method))
        return voter


def write(
    layout_name: str, out: Path, *, rows: int, seed: int = 2024, dirty_rate: float = 0.02
) -> Written:
    """Write ``rows`` voters in the layout (and their history) into the directory ``out``."""
    layout = people_selectors.voter_file_layout(layout_name)
    assert layout is not None  # the layouts ship with the people app
    cls, voters_name, history_name = WRITERS[layout_name]
    writer = cls(layout)
    rng = random.Random(seed)
    source = _Voters(layout.state, rng, writer.elections)
    out.mkdir(parents=True, exist_ok=True)
    columns = writer.header()
    elections = [e.column for e in writer.elections]
    voter_lines = [writer.line(dict(zip(columns, columns, strict=True)), columns)]
    history_lines: list[str] = []
    rejected: dict[tuple[str, int], str] = {}
    # The first voter's line: the line after the header, or line 1 of a file without one.
    first_line = 2 if layout.header else 1
    loaded: list[SynthVoter] = []
    ballots = 0
    kinds = [*_REJECTED_DIRT, *_CLEAN_DIRT]
    # A bad voting method is a bad cell in election columns; in a history file, a bad line.
    kinds.remove("unknown_voter" if history_name is None else "bad_method")
    while len(voter_lines) - 1 < rows:
        for v in source.household():
            if len(voter_lines) - 1 == rows:
                break
            line = first_line + len(voter_lines) - 1
            # The first line stays clean: a file without a header is judged by it.
            kind = rng.choice(kinds) if line > first_line and rng.random() < dirty_rate else ""
            row = writer.voter_row(v)
            column = _dirty(kind, row, layout, v, loaded[-1] if loaded else v, elections, rng)
            text = writer.line(row, columns)
            if kind == "short_line":
                text = text.rsplit(layout.delimiter, 3)[0]
            voter_lines.append(text)
            if kind in _REJECTED_DIRT and kind != "unknown_voter":
                rejected[("voters", line)] = column
                continue
            loaded.append(v)
            ballots += len(v.ballots)
            if isinstance(writer, _Nevada):
                for b in v.ballots:
                    serial = len(history_lines) + 1
                    history_lines.append(writer.history_line(serial, v.voter_id, b))
                if kind == "unknown_voter":
                    # A ballot of a voter on no line, and one cast in no known way.
                    b = Ballot(dt.date(2024, 11, 5), "", "mail")
                    nobody = f"9{len(history_lines):08d}"
                    for voter_id, method, named in (
                        (nobody, "", "VoterID"),
                        (v.voter_id, "ZZ", "Vote_Code"),
                    ):
                        serial = len(history_lines) + 1
                        history_lines.append(writer.history_line(serial, voter_id, b, method))
                        rejected[("history", serial)] = named
    if not layout.header:
        voter_lines = voter_lines[1:]
    voters_path = out / voters_name
    voters_path.write_text("\n".join(voter_lines) + "\n", encoding="utf-8")
    history_path = None
    if history_name is not None:
        history_path = out / history_name
        history_path.write_text("\n".join(history_lines) + "\n", encoding="utf-8")
    return Written(voters_path, history_path, rows, ballots, rejected, loaded[0])


def _dirty(
    kind: str,
    row: dict[str, str],
    layout: Layout,
    v: SynthVoter,
    before: SynthVoter,
    elections: list[str],
    rng: random.Random,
) -> str:
    """Make the row dirty in the ``kind`` way (``before``: the last voter loaded); returns the
    column the import names when it rejects the row."""
    fields = layout.fields
    if kind == "case":
        row[fields["first_name"]] = v.first.lower()
    elif kind == "space":
        row[fields["last_name"]] = f"  {v.last.title()}  "
    elif kind == "no_last_name":
        row[fields["last_name"]] = ""
    elif kind == "bad_date":
        row[fields["registered_on"]] = f"13/{rng.randint(32, 39)}/2019"
    elif kind == "bad_status":
        row[fields["status"]] = "XYZ"
    elif kind == "bad_county":
        row[fields["county"]] = "Atlantis"
    elif kind == "duplicate":
        row[fields["state_voter_id"]] = before.voter_id
        return "state_voter_id"  # the import names the field: the line is fine but for it
    elif kind == "bad_method":
        election = rng.choice(elections)
        row[election] = "Z"
        return election
    named = _REJECTED_DIRT.get(kind, "")
    return fields.get(named, named)

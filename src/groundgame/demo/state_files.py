"""Synthetic voter files in Arizona's, Nevada's, Wisconsin's, Michigan's, Florida's,
Pennsylvania's and Georgia's public layouts, for tests, the command line and demonstrations of
the importer (North Carolina's, at any size, are ``voter_files.write_nc``'s).

One generator makes households of synthetic voters in a state's counties (sized by their 2024
vote, or for Florida by their count of ZIP codes), with party, status, registration and a
vote history over the state's recent elections; a writer per state (``WRITERS``) puts each
voter and ballot into the state's columns and codes, and the layout (``people.voterfile.
layouts``) says how a line is split (delimiter or fixed widths, header or not). A share of
the lines (``dirty_rate``) is dirty the way real exports are: odd case and stray whitespace
(which load), and a missing last name, a malformed date, an unknown status or county, a
short line, a repeated id, an unknown voting method in an election column, and in a history
file an unknown voting method or a voter the file does not hold (which are rejected).
``StateFiles.rejected`` lists each rejected line with its number and the column the importer
names, and ``StateFiles.sample`` one clean voter as the import must store them.

Nobody in it is real (names from lists of common names, invented street numbers, phones in
the fictional 555-01XX range).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, count
from pathlib import Path

from groundgame.demo import names
from groundgame.demo.voters import Zip, county_zips, state_zips
from groundgame.people import selectors as people_selectors

Layout = people_selectors.Layout

Row = dict[str, str]

_PARTIES = (("DEM", 0.36), ("REP", 0.36), ("UNA", 0.25), ("LIB", 0.01), ("GRE", 0.01),
            ("OTH", 0.01))  # fmt: skip
_METHODS = (("election_day", 0.45), ("early", 0.25), ("mail", 0.28), ("provisional", 0.02))
_HOUSEHOLD_WEIGHTS = tuple(accumulate((0.30, 0.38, 0.17, 0.10, 0.05)))
_VOTER_DIRT = ("case", "space", "no_last_name", "bad_date", "bad_status", "bad_county",
               "short_line", "duplicate")  # fmt: skip
_LOADING_DIRT = frozenset({"case", "space"})
_HISTORY_DIRT = ("bad_method", "unknown_voter")
# Florida's area codes (the swing states' are in ``names.AREA_CODES``).
_FL_AREA_CODES = ("239", "305", "321", "352", "386", "407", "561", "727", "754", "772", "786",
                  "813", "850", "863", "904", "941", "954")  # fmt: skip


@dataclass
class County:
    fips: str
    code: str  # as the state's file writes it
    name: str
    zips: tuple[Zip, ...]


@dataclass
class Voter:
    """A synthetic voter, before a state's writer puts them in its columns."""

    voter_id: str
    first: str
    middle: str
    last: str
    suffix: str
    birth: dt.date
    phone: str  # ten digits, or empty
    email: str
    number: str
    street: str
    street_type: str
    unit: str
    county: County
    where: Zip
    party: str  # VoterRecord.Party value
    status: str  # VoterRecord.Status value
    registered: dt.date
    ballots: list[tuple[dt.date, str, str]]  # (date, kind, method as VoterRecord stores it)


@dataclass(frozen=True)
class Sample:
    """A voter whose line is clean, as the import must store them."""

    state_voter_id: str
    first_name: str
    last_name: str
    county_fips: str
    city: str  # as the household keeps it
    zip5: str
    party: str
    status: str
    registered_on: dt.date
    birth_date: dt.date | None
    ballots: tuple[tuple[dt.date, str], ...]  # (election date, method)


@dataclass(frozen=True)
class StateFiles:
    layout: str
    voters_path: Path
    history_path: Path | None  # None: the history is in the voters file's election columns
    voters: int  # data lines of the voters file
    households: int  # households with a voter whose line loads
    history: int  # data lines of the history file
    ballots: int  # ballots of the voters whose line loads, less those on a rejected line
    dirty: dict[str, int]  # lines of each kind of dirt
    rejected: tuple[tuple[str, int, str], ...]  # (file, line, column) the import reports
    sample: Sample

    @property
    def loaded(self) -> int:
        return self.voters - sum(1 for r in self.rejected if r[0] == "voters")


class Writer:
    """How one state writes a voter and their ballots: the file names, its elections
    (date, kind), its codes and its columns. Subclasses fill the hooks."""

    name: str  # the layout's
    voters_file: str
    history_file: str = ""  # none: the history is in the voters file's election columns
    # (date, kind): the kind is what the writer needs to write the election (its type code,
    # or its column in the voters file).
    elections: tuple[tuple[dt.date, str], ...]
    party: dict[str, str] = {}  # VoterRecord.Party -> the state's code ({} : none registered)
    status: dict[str, str]
    method: dict[str, str]  # our method -> the state's code, as its layout's table keys it

    @cached_property
    def layout(self) -> Layout:
        layout = people_selectors.voter_file_layout(self.name)
        assert layout is not None  # the layouts ship with the people app
        return layout

    def counties(self) -> tuple[list[County], list[float]]:
        """The state's counties with their codes, and cumulative weights."""
        zips = county_zips()
        by_fips = self.county_codes()
        counties, weights = [], []
        for c in people_selectors.swing_county_list():
            if c.state == self.layout.state and c.fips in zips:
                name = c.name.upper().removesuffix(" COUNTY")
                counties.append(County(c.fips, by_fips[c.fips], name, zips[c.fips]))
                weights.append(float(c.votes[2024]))
        return counties, list(accumulate(weights))

    def county_codes(self) -> dict[str, str]:
        """FIPS -> the state's county code, read back from the layout's own table."""
        county_fips = self.layout.county_fips
        return {fips: code for code in self.county_candidates() if (fips := county_fips(code))}

    def county_candidates(self) -> Iterator[str]:
        """Every code the state's county column could hold (numbers, by default)."""
        return (str(n) for n in range(1, 1000))

    def county_names(self) -> Iterator[str]:
        """The county candidates of a state whose files name the county."""
        return (
            c.name.upper().removesuffix(" COUNTY")
            for c in people_selectors.swing_county_list()
            if c.state == self.layout.state
        )

    def voter_columns(self) -> tuple[str, ...]:
        """The voters file's columns: the layout's, and any election columns after them."""
        return self.layout.columns

    def method_column(self, day: dt.date) -> str:
        """The voters file's column holding how the voter voted in the election of ``day``."""
        raise NotImplementedError

    def voter_id(self, serial: int) -> str:
        return str(serial)

    def voter_row(self, v: Voter) -> Row:
        raise NotImplementedError

    def history_rows(self, v: Voter) -> list[Row]:
        """The history file's lines of a voter (none where history is in the voters file)."""
        return []

    def extra_lines(self, counties: list[County]) -> list[Row]:
        """History lines that belong to no voter (an election map's)."""
        return []

    def date(self, day: dt.date) -> str:
        return day.strftime(self.layout.date_format)


class Michigan(Writer):
    name = "mi"
    voters_file, history_file = "EntireStateVoters.csv", "EntireStateVoterHistory.csv"
    elections = (
        (dt.date(2016, 11, 8), "General"), (dt.date(2018, 11, 6), "General"),
        (dt.date(2020, 8, 4), "Primary"), (dt.date(2020, 11, 3), "General"),
        (dt.date(2022, 11, 8), "General"), (dt.date(2024, 2, 27), "Presidential Primary"),
        (dt.date(2024, 11, 5), "General"),
    )  # fmt: skip
    status = {"active": "A", "inactive": "V"}
    method = {"election_day": "N", "early": "N", "provisional": "N", "mail": "Y"}

    def county_candidates(self) -> Iterator[str]:
        return (f"{n:02d}" for n in range(1, 100))

    def voter_id(self, serial: int) -> str:
        return str(100_000_000 + serial * 7)

    def voter_row(self, v: Voter) -> Row:
        return {
            "LAST_NAME": v.last, "FIRST_NAME": v.first, "MIDDLE_NAME": v.middle,
            "NAME_SUFFIX": v.suffix, "YEAR_OF_BIRTH": str(v.birth.year), "GENDER": "",
            "REGISTRATION_DATE": self.date(v.registered), "STREET_NUMBER": v.number,
            "STREET_NAME": v.street, "STREET_TYPE": v.street_type, "EXTENSION": v.unit,
            "CITY": v.where.city.upper(), "STATE": "MI", "ZIP_CODE": v.where.zip5,
            "VOTER_IDENTIFICATION_NUMBER": v.voter_id, "COUNTY_CODE": v.county.code,
            "COUNTY_NAME": v.county.name, "VOTER_STATUS_TYPE_CODE": self.status[v.status],
        }  # fmt: skip

    def history_rows(self, v: Voter) -> list[Row]:
        return [
            {"VOTER_IDENTIFICATION_NUMBER": v.voter_id, "COUNTY_CODE": v.county.code,
             "COUNTY_NAME": v.county.name, "ELECTION_DATE": self.date(day),
             "IS_ABSENTEE_VOTER": self.method[method]}
            for day, _, method in v.ballots
        ]  # fmt: skip


class Florida(Writer):
    name = "fl"
    voters_file, history_file = "FL_Voter_Extract.txt", "FL_Voter_History.txt"
    elections = (
        (dt.date(2016, 11, 8), "GEN"), (dt.date(2018, 11, 6), "GEN"),
        (dt.date(2020, 3, 17), "PPP"), (dt.date(2020, 11, 3), "GEN"),
        (dt.date(2022, 8, 23), "PRI"), (dt.date(2022, 11, 8), "GEN"),
        (dt.date(2024, 11, 5), "GEN"),
    )  # fmt: skip
    party = {"DEM": "DEM", "REP": "REP", "UNA": "NPA", "LIB": "LPF", "GRE": "GRE", "OTH": "IND"}
    status = {"active": "ACT", "inactive": "INA"}
    method = {"election_day": "Y", "early": "E", "mail": "A", "provisional": "P"}

    def counties(self) -> tuple[list[County], list[float]]:
        zips = state_zips("FL", _FL_AREA_CODES)
        codes = self.county_codes()
        counties = [County(f, codes[f], codes[f], zs) for f, zs in sorted(zips.items())]
        # Florida is not among the bundled swing states: a county's ZIP codes stand in for
        # its size.
        return counties, list(accumulate(float(len(c.zips)) for c in counties))

    def county_candidates(self) -> Iterator[str]:
        # Florida's counties have three-letter codes.
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return (a + b + c for a in letters for b in letters for c in letters)

    def voter_id(self, serial: int) -> str:
        return f"{100_000_000 + serial:09d}"

    def voter_row(self, v: Voter) -> Row:
        return {
            "county_code": v.county.code, "voter_id": v.voter_id, "name_last": v.last,
            "name_suffix": v.suffix, "name_first": v.first, "name_middle": v.middle,
            "requested_public_records_exemption": "N",
            "residence_address_line_1": f"{v.number} {v.street} {v.street_type}",
            "residence_address_line_2": v.unit, "residence_city": v.where.city.upper(),
            "residence_state": "FL", "residence_zipcode": v.where.zip5,
            "birth_date": self.date(v.birth), "registration_date": self.date(v.registered),
            "party_affiliation": self.party[v.party], "voter_status": self.status[v.status],
            "daytime_area_code": v.phone[:3], "daytime_phone_number": v.phone[3:],
            "email_address": v.email,
        }  # fmt: skip

    def history_rows(self, v: Voter) -> list[Row]:
        return [
            {"county_code": v.county.code, "voter_id": v.voter_id,
             "election_date": self.date(day), "election_type": kind,
             "history_code": self.method[method]}
            for day, kind, method in v.ballots
        ]  # fmt: skip


class Pennsylvania(Writer):
    name = "pa"
    voters_file, history_file = "PA_FVE.txt", "PA_Election_Map.txt"
    elections = (
        (dt.date(2016, 11, 8), "GENERAL"), (dt.date(2018, 11, 6), "GENERAL"),
        (dt.date(2020, 6, 2), "GENERAL PRIMARY"), (dt.date(2020, 11, 3), "GENERAL"),
        (dt.date(2022, 11, 8), "GENERAL"), (dt.date(2024, 4, 23), "GENERAL PRIMARY"),
        (dt.date(2024, 11, 5), "GENERAL"),
    )  # fmt: skip
    party = {"DEM": "D", "REP": "R", "UNA": "NF", "LIB": "L", "GRE": "GR", "OTH": "I"}
    status = {"active": "A", "inactive": "I"}
    method = {"election_day": "AP", "early": "AP", "mail": "MB", "provisional": "P"}

    def county_candidates(self) -> Iterator[str]:
        return self.county_names()

    def voter_id(self, serial: int) -> str:
        return f"{serial:012d}"

    def slot(self, day: dt.date) -> int:
        """An election's number in every county's map: newest first, as the counties' are."""
        return len(self.elections) - [d for d, _ in self.elections].index(day)

    def method_column(self, day: dt.date) -> str:
        return f"Election {self.slot(day)} Vote Method"

    def voter_row(self, v: Voter) -> Row:
        row = {
            "ID Number": v.voter_id, "Last Name": v.last, "First Name": v.first,
            "Middle Name": v.middle, "Suffix": v.suffix, "DOB": self.date(v.birth),
            "Registration Date": self.date(v.registered),
            "Voter Status": self.status[v.status], "Party Code": self.party[v.party],
            "House Number": v.number, "Street Name": f"{v.street} {v.street_type}",
            "Apartment Number": v.unit, "City": v.where.city.upper(), "State": "PA",
            "Zip": v.where.zip5, "Home Phone": v.phone, "County": v.county.code,
        }  # fmt: skip
        for day, _, method in v.ballots:
            n = self.slot(day)
            row[f"Election {n} Vote Method"] = self.method[method]
            if "PRIMARY" in dict(self.elections)[day] and v.party in ("DEM", "REP"):
                row[f"Election {n} Party"] = self.party[v.party]
        return row

    def extra_lines(self, counties: list[County]) -> list[Row]:
        return [
            {"County Name": c.code, "Election Number": str(self.slot(day)),
             "Election Description": f"{day.year} {kind}", "Election Date": self.date(day)}
            for c in counties
            for day, kind in self.elections
        ]  # fmt: skip


class Georgia(Writer):
    name = "ga"
    voters_file, history_file = "Georgia_Daily_VoterBase.txt", "Georgia_Voter_History.txt"
    elections = (
        (dt.date(2016, 11, 8), "003"), (dt.date(2018, 11, 6), "003"),
        (dt.date(2020, 6, 9), "001"), (dt.date(2020, 11, 3), "003"),
        (dt.date(2021, 1, 5), "004"), (dt.date(2022, 11, 8), "003"),
        (dt.date(2024, 3, 12), "010"), (dt.date(2024, 11, 5), "003"),
    )  # fmt: skip
    status = {"active": "A", "inactive": "I"}
    # Absentee and provisional flags.
    method = {"election_day": "N/N", "early": "Y/N", "mail": "Y/N", "provisional": "N/Y"}

    def county_candidates(self) -> Iterator[str]:
        return (f"{n:03d}" for n in range(1, 1000))

    def voter_id(self, serial: int) -> str:
        return f"{serial:08d}"  # as the import stores it: the list writes it unpadded

    def voter_row(self, v: Voter) -> Row:
        return {
            "COUNTY_CODE": v.county.code, "REGISTRATION_NUMBER": v.voter_id.lstrip("0"),
            "VOTER_STATUS": self.status[v.status], "LAST_NAME": v.last, "FIRST_NAME": v.first,
            "MIDDLE_MAIDEN_NAME": v.middle, "NAME_SUFFIX": v.suffix,
            "RESIDENCE_HOUSE_NUMBER": v.number, "RESIDENCE_STREET_NAME": v.street,
            "RESIDENCE_STREET_SUFFIX": v.street_type, "RESIDENCE_APT_UNIT_NBR": v.unit,
            "RESIDENCE_CITY": v.where.city.upper(), "RESIDENCE_ZIPCODE": v.where.zip5,
            "BIRTHDATE": str(v.birth.year), "REGISTRATION_DATE": self.date(v.registered),
        }  # fmt: skip

    def history_rows(self, v: Voter) -> list[Row]:
        rows = []
        for day, kind, method in v.ballots:
            absentee, provisional = self.method[method].split("/")
            party = {"DEM": "D", "REP": "R"}.get(v.party, "NP") if kind in ("001", "010") else ""
            rows.append(
                {"County Number": v.county.code, "Registration Number": v.voter_id,
                 "Election Date": self.date(day), "Election Type": kind, "Party": party,
                 "Absentee": absentee, "Provisional": provisional, "Supplemental": "N"}
            )  # fmt: skip
        return rows


class _ElectionColumns(Writer):
    """A state whose voters file has a column per election (named by ``kind``), the cell
    saying how the voter voted."""

    def voter_columns(self) -> tuple[str, ...]:
        return (*self.layout.columns, *(column for _, column in self.elections))

    def method_column(self, day: dt.date) -> str:
        return dict(self.elections)[day]

    def county_candidates(self) -> Iterator[str]:
        return self.county_names()


class Arizona(_ElectionColumns):
    name = "az"
    voters_file = "az_voter_registration_list.csv"
    elections = (
        (dt.date(2016, 11, 8), "GENERAL2016"), (dt.date(2018, 11, 6), "GENERAL2018"),
        (dt.date(2020, 3, 17), "2020PRESIDENTIALPREFERENCE"), (dt.date(2020, 8, 4), "PRIMARY2020"),
        (dt.date(2020, 11, 3), "GENERAL2020"), (dt.date(2022, 8, 2), "PRIMARY2022"),
        (dt.date(2022, 11, 8), "GENERAL2022"), (dt.date(2024, 3, 19), "2024PRESIDENTIALPREFERENCE"),
        (dt.date(2024, 7, 30), "PRIMARY2024"), (dt.date(2024, 11, 5), "GENERAL2024"),
    )  # fmt: skip
    party = {"DEM": "Democratic", "REP": "Republican", "UNA": "Party Not Designated",
             "LIB": "Libertarian", "GRE": "Green", "OTH": "Other"}  # fmt: skip
    status = {"active": "Active", "inactive": "Inactive"}
    method = {"election_day": "P", "early": "E", "mail": "E", "provisional": "PV"}

    def voter_row(self, v: Voter) -> Row:
        row = {
            "RegistrantID": v.voter_id, "RegistrationDate": self.date(v.registered),
            "DOB": str(v.birth.year), "LastName": v.last, "FirstName": v.first,
            "MiddleName": v.middle, "Status": self.status[v.status], "County": v.county.code,
            "ResidenceAddress": f"{v.number} {v.street} {v.street_type} {v.unit}".strip(),
            "ResidenceCity": v.where.city.upper(), "ResidenceState": "AZ",
            "ResidenceZip": v.where.zip5, "Party": self.party[v.party], "Phone": v.phone,
        }  # fmt: skip
        for _, column, method in v.ballots:
            # A primary's cell adds the party ballot taken (``E - DEM``).
            primary = "GENERAL" not in column and v.party in ("DEM", "REP")
            row[column] = self.method[method] + (f" - {v.party}" if primary else "")
        return row


class Nevada(Writer):
    name = "nv"
    voters_file, history_file = "VoterList.ElgbVtr.synthetic.csv", "VoterList.VtHst.synthetic.csv"
    elections = (
        (dt.date(2016, 11, 8), ""), (dt.date(2018, 6, 12), ""), (dt.date(2018, 11, 6), ""),
        (dt.date(2020, 6, 9), ""), (dt.date(2020, 11, 3), ""), (dt.date(2022, 6, 14), ""),
        (dt.date(2022, 11, 8), ""), (dt.date(2024, 6, 11), ""), (dt.date(2024, 11, 5), ""),
    )  # fmt: skip
    party = {"DEM": "Democrat", "REP": "Republican", "UNA": "Non-Partisan",
             "LIB": "Libertarian", "GRE": "Green", "OTH": "Other"}  # fmt: skip
    status = {"active": "Active", "inactive": "Inactive"}
    method = {"election_day": "PP", "early": "EV", "mail": "MB", "provisional": "PV"}

    def __init__(self) -> None:
        self.serial = count(1)  # the history file's VotingHistoryID

    def county_candidates(self) -> Iterator[str]:
        return self.county_names()

    def voter_id(self, serial: int) -> str:
        return str(100_000_000 + serial * 7)

    def voter_row(self, v: Voter) -> Row:
        return {
            "VoterID": v.voter_id, "County": v.county.code.title(), "First_Name": v.first,
            "Middle_Name": v.middle, "Last_Name": v.last, "Birth_Date": self.date(v.birth),
            "Registration_Date": self.date(v.registered),
            "Address_1": f"{v.number} {v.street} {v.street_type}", "Address_2": v.unit,
            "City": v.where.city.upper(), "State_addr": "NV", "Zip": v.where.zip5,
            "Phone": v.phone, "Party": self.party[v.party],
            "County_Status": self.status[v.status], "County_Voter_ID": v.voter_id[-6:],
            "ID_Required": "N",
        }  # fmt: skip

    def history_rows(self, v: Voter) -> list[Row]:
        return [
            {"VotingHistoryID": str(next(self.serial)), "VoterID": v.voter_id,
             "Election_Date": self.date(day), "Vote_Code": self.method[method]}
            for day, _, method in v.ballots
        ]  # fmt: skip


class Wisconsin(_ElectionColumns):
    name = "wi"
    voters_file = "WisVote_voter_list.txt"
    elections = (
        (dt.date(2016, 11, 8), "November2016"), (dt.date(2018, 4, 3), "April2018"),
        (dt.date(2018, 11, 6), "November2018"), (dt.date(2020, 4, 7), "April2020"),
        (dt.date(2020, 11, 3), "November2020"), (dt.date(2022, 8, 9), "August2022"),
        (dt.date(2022, 11, 8), "November2022"), (dt.date(2024, 4, 2), "April2024"),
        (dt.date(2024, 11, 5), "November2024"),
    )  # fmt: skip
    status = {"active": "Active", "inactive": "Inactive"}
    method = {"election_day": "At Polls", "early": "Absentee", "mail": "Absentee",
              "provisional": "Provisional"}  # fmt: skip

    def voter_row(self, v: Voter) -> Row:
        city, county = v.where.city.upper(), v.county.code
        row = {
            "Voter Reg Number": v.voter_id, "LastName": v.last, "FirstName": v.first,
            "MiddleName": v.middle, "PhoneNumber": v.phone, "EmailAddress": v.email,
            "Address1": f"{v.number} {v.street} {v.street_type} {v.unit}".strip(),
            "Address2": f"{city} WI {v.where.zip5}", "ZipCode": v.where.zip5,
            "Jurisdiction": f"CITY OF {city} - {county} COUNTY", "County": f"{county} COUNTY",
            "State": "Wisconsin", "Voter Status": self.status[v.status],
            "ApplicationDate": self.date(v.registered), "ApplicationSource": "Online",
            "IsPermanentAbsentee": "N", "Voter Type": "Regular",
        }  # fmt: skip
        for _, column, method in v.ballots:
            row[column] = self.method[method]
        return row


WRITERS: dict[str, type[Writer]] = {
    w.name: w for w in (Arizona, Florida, Georgia, Michigan, Nevada, Pennsylvania, Wisconsin)
}


class _Out:
    """A file of the layout's shape, written line by line, that counts its data lines."""

    def __init__(self, path: Path, layout: Layout, what: str, columns: tuple[str, ...]) -> None:
        self.shape = layout.shape(what)
        self.columns = columns
        self.file = path.open("w", encoding="utf-8", newline="")
        self.line = 0
        if self.shape.header:
            self.file.write(self.join(list(columns)) + "\n")
            self.line = 1

    def join(self, values: list[str]) -> str:
        if self.shape.widths:
            return "".join(v[:w].ljust(w) for v, w in zip(values, self.shape.widths, strict=False))
        if self.shape.delimiter == ",":
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="").writerow(values)
            return buffer.getvalue()
        return self.shape.delimiter.join(values)

    def write(self, row: Row, drop: int = 0) -> int:
        """Write ``row`` (less its last ``drop`` fields); returns its line number."""
        values = [row.get(c, "") for c in self.columns]
        self.file.write(self.join(values[: len(values) - drop]) + "\n")
        self.line += 1
        return self.line

    def close(self) -> None:
        self.file.close()


def write(
    name: str,
    out: Path,
    *,
    rows: int,
    seed: int = 2024,
    dirty_rate: float = 0.005,
    progress: Callable[[str, int, int], None] | None = None,
) -> StateFiles:
    """Write ``rows`` voters of the layout ``name`` (and their history) into ``out``."""
    writer = WRITERS[name]()
    layout = writer.layout
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    counties, weights = writer.counties()
    voters_out = _Out(out / writer.voters_file, layout, "voters", writer.voter_columns())
    history_path = out / writer.history_file if writer.history_file else None
    history_out = _Out(history_path or Path(os.devnull), layout, "history", layout.history_columns)
    dirty = dict.fromkeys((*_VOTER_DIRT, *_HISTORY_DIRT), 0)
    rejected: list[tuple[str, int, str]] = []
    sample: Sample | None = None
    households = written = ballots = 0
    last_loaded_id = ""
    inline = layout.history_column is not None
    unknown = count(1)  # ids of voters the file does not hold
    try:
        for row in writer.extra_lines(counties):
            history_out.write(row)
        for members in _households(writer, rng, counties, weights, rows):
            any_loaded = False
            for v in members:
                written += 1
                row = writer.voter_row(v)
                kind = _dirt(rng, dirty_rate, _VOTER_DIRT)
                if kind == "duplicate" and not last_loaded_id:
                    kind = ""
                column, drop = _soil(layout, row, kind, last_loaded_id)
                if inline and not kind and v.ballots and rng.random() < dirty_rate:
                    kind, column = "bad_method", _bad_inline_method(writer, row, v)
                if kind:
                    dirty[kind] += 1
                line = voters_out.write(row, drop)
                if kind and kind not in _LOADING_DIRT:
                    rejected.append(("voters", line, column))
                    continue
                any_loaded = True
                last_loaded_id = v.voter_id
                ballots += len(v.ballots)
                clean = not kind
                for hrow in writer.history_rows(v):
                    hkind = _dirt(rng, dirty_rate, _HISTORY_DIRT)
                    hcolumn = _soil_history(layout, hrow, hkind, unknown)
                    hline = history_out.write(hrow)
                    if hkind:
                        dirty[hkind] += 1
                        rejected.append(("history", hline, hcolumn))
                        ballots -= 1
                        clean = False
                if sample is None and clean and v.ballots:
                    sample = _sample(writer, v)
            households += any_loaded
            if progress is not None and written % 10_000 < len(members):
                progress("synthetic voters", written, rows)
    finally:
        voters_out.close()
        history_out.close()
    if progress is not None:
        progress("synthetic voters", written, rows)
    assert sample is not None, "no clean voter written: raise rows or lower dirty_rate"
    history_lines = history_out.line - (1 if history_out.shape.header else 0)
    return StateFiles(
        name, out / writer.voters_file, history_path,
        written, households, history_lines, ballots, {k: n for k, n in dirty.items() if n},
        tuple(rejected), sample,
    )  # fmt: skip


def _dirt(rng: random.Random, rate: float, kinds: tuple[str, ...]) -> str:
    return kinds[int(rng.random() * len(kinds))] if rng.random() < rate else ""


def _soil(layout: Layout, row: Row, kind: str, last_loaded_id: str) -> tuple[str, int]:
    """Make ``row`` dirty in the way ``kind`` says: the column the import will name, and how
    many fields to drop from the end of the line."""
    first, last = layout.label("first_name"), layout.label("last_name")
    if kind == "case":
        row[first], row[last] = row[first].lower(), row[last].capitalize()
    elif kind == "space":
        row[first] = f" {row[first]}  "
    elif kind == "no_last_name":
        row[last] = ""
        return last, 0
    elif kind == "bad_date":
        row[layout.label("registered_on")] = "13/45/2020"
        return layout.label("registered_on"), 0
    elif kind == "bad_status":
        row[layout.label("status")] = "ZZ"
        return layout.label("status"), 0
    elif kind == "bad_county":
        row[layout.label("county")] = "999"
        return layout.label("county"), 0
    elif kind == "short_line":
        return "", 3
    elif kind == "duplicate":
        row[layout.label("state_voter_id")] = last_loaded_id
        return "state_voter_id", 0
    return "", 0


def _bad_inline_method(writer: Writer, row: Row, v: Voter) -> str:
    """An unknown method code in one of the voter's election columns; returns the column."""
    column = writer.method_column(v.ballots[0][0])
    row[column] = "ZZ"
    return column


def _soil_history(layout: Layout, row: Row, kind: str, unknown: Iterator[int]) -> str:
    if kind == "bad_method":
        # The first of the method's columns (Georgia's absentee flag).
        column = layout.label("method", history=True)
        row[column.split("+")[0]] = "Q"
        return column
    if kind == "unknown_voter":
        # An id no voter has (each its own: the same ballot twice is one ballot).
        column = layout.label("state_voter_id", history=True)
        width = len(row[column])
        row[column] = f"99{next(unknown):0{width - 2}d}"
        return column
    return ""


def _households(
    writer: Writer, rng: random.Random, counties: list[County], weights: list[float], rows: int
) -> Iterator[list[Voter]]:
    """Households of voters until ``rows`` voters, each at an address of its own."""
    used: set[tuple[str, ...]] = set()
    serial = 0
    female_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.FEMALE))))
    male_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.MALE))))
    surname_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.SURNAMES))))
    street_w = list(accumulate(1.0 / (r + 8) for r in range(len(names.STREETS))))
    party_w = list(accumulate(w for _, w in _PARTIES))
    method_w = list(accumulate(w for _, w in _METHODS))
    written = 0
    while written < rows:
        county = rng.choices(counties, cum_weights=weights)[0]
        where = county.zips[int(rng.random() * len(county.zips))]
        while True:
            number = str(rng.randint(100, 9899))
            street = rng.choices(names.STREETS, cum_weights=street_w)[0].upper()
            street_type = names.STREET_TYPES[int(rng.random() * len(names.STREET_TYPES))].upper()
            unit = f"APT {rng.randint(1, 40)}" if rng.random() < 0.12 else ""
            if (key := (number, street, street_type, unit, where.zip5)) not in used:
                used.add(key)
                break
        size = min(1 + _index(_HOUSEHOLD_WEIGHTS, rng.random()), rows - written)
        surname = rng.choices(names.SURNAMES, cum_weights=surname_w)[0].upper()
        lean = rng.random()
        party_head = rng.choices(_PARTIES, cum_weights=party_w)[0][0]
        members = []
        for i in range(size):
            serial += 1
            female = rng.random() < 0.52
            first = rng.choices(
                names.FEMALE if female else names.MALE, cum_weights=female_w if female else male_w
            )[0].upper()
            middle = rng.choice(names.FEMALE if rng.random() < 0.5 else names.MALE).upper()
            last = surname if i < 2 or rng.random() < 0.7 else (
                rng.choices(names.SURNAMES, cum_weights=surname_w)[0].upper()
            )  # fmt: skip
            age = rng.randint(18, 90)
            birth = dt.date(2024 - age, rng.randint(1, 12), rng.randint(1, 28))
            registered = dt.date(
                rng.randint(max(birth.year + 18, 1980), 2024), rng.randint(1, 12), 1
            )
            party = party_head if rng.random() < 0.6 else rng.choices(_PARTIES, party_w)[0][0]
            if not writer.party:
                party = ""
            propensity = 0.5 * lean + 0.5 * rng.random() + (age - 50) / 250
            ballots = []
            for day, kind in writer.elections:
                if day < registered or day.year - birth.year < 18:
                    continue
                turnout = 0.7 if day.month == 11 and day.year % 4 == 0 else 0.45
                if rng.random() < turnout * (0.35 + 1.3 * propensity):
                    method = _METHODS[_index(method_w, rng.random())][0]
                    ballots.append((day, kind, method))
            phone = (
                f"{where.area_codes[0]}5550{rng.randint(100, 199)}" if rng.random() < 0.4 else ""
            )
            members.append(
                Voter(
                    voter_id=writer.voter_id(serial), first=first, middle=middle, last=last,
                    suffix="JR" if rng.random() < 0.02 else "", birth=birth, phone=phone,
                    email=f"{first}.{last}{serial}@example.org".lower() if phone else "",
                    number=number, street=street, street_type=street_type, unit=unit,
                    county=county, where=where, party=party,
                    status="active" if rng.random() < 0.88 else "inactive",
                    registered=registered, ballots=ballots,
                )
            )  # fmt: skip
        written += size
        yield members


def _index(cum: tuple[float, ...] | list[float], x: float) -> int:
    x *= cum[-1]
    return next((i for i, c in enumerate(cum) if x < c), len(cum) - 1)


def _sample(writer: Writer, v: Voter) -> Sample:
    layout = writer.layout
    return Sample(
        state_voter_id=v.voter_id,
        first_name=v.first.title(),
        last_name=v.last.title(),
        county_fips=v.county.fips,
        city=v.where.city.title(),
        zip5=v.where.zip5,
        party=v.party,
        status=v.status,
        registered_on=v.registered,
        birth_date=v.birth if "birth_date" in layout.fields else None,
        # The method as the import reads the state's code back.
        ballots=tuple(
            (day, layout.method_codes[writer.method[m].upper()]) for day, _, m in v.ballots
        ),
    )

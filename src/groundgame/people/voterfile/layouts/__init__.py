"""Voter-file layouts: how a state's public file is laid out and what each column means.

A layout is a description, not code: the header, which column fills which field of a person,
household and voter record, the code tables for party, status and voting method, the date
format, and where the vote history is (a file of its own, as North Carolina's ``ncvhis``, or
one column per election, as Ohio's statewide file). Adding a state is adding one module here
that defines ``LAYOUT`` and listing it in ``_MODULES``; the importer reads every layout the
same way. The helpers below are what more than one state needs: dates, counties numbered or
named, and the day of an election a column names only by month or year.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# The fields a layout can fill, and the columns of a vote-history file.
VOTER_FIELDS = (
    "state_voter_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "birth_date",
    "phone",
    "email",
    "street",
    "unit",
    "city",
    "zip5",
    "county",
    "party",
    "status",
    "registered_on",
    # The address's coordinates, in decimal degrees (WGS 84), where the file carries them.
    "latitude",
    "longitude",
)
HISTORY_FIELDS = ("state_voter_id", "election_date", "election_name", "method")

_MODULES = {
    "az": "groundgame.people.voterfile.layouts.az",
    "nc": "groundgame.people.voterfile.layouts.nc",
    "ngpvan_nc": "groundgame.people.voterfile.layouts.ngpvan_nc",
    "nv": "groundgame.people.voterfile.layouts.nv",
    "oh": "groundgame.people.voterfile.layouts.oh",
    "wi": "groundgame.people.voterfile.layouts.wi",
}


@dataclass(frozen=True)
class Layout:
    name: str
    state: str
    title: str
    delimiter: str
    # The voters file's header, in file order (real files list every column, used or not).
    columns: tuple[str, ...]
    # Field (of ``VOTER_FIELDS``) -> column. Fields left out stay empty.
    fields: Mapping[str, str]
    date_format: str  # strptime format of every date column
    party_codes: Mapping[str, str]  # file code (upper case) -> VoterRecord.Party value
    status_codes: Mapping[str, str]  # file code (upper case) -> VoterRecord.Status value
    county_fips: Callable[[str], str | None]  # the county column's value -> 5-digit FIPS
    # Fields whose absence rejects the row.
    required: tuple[str, ...] = ("state_voter_id", "last_name", "county", "status")
    # History in a file of its own: its header and field -> column, with the method codes.
    history_columns: tuple[str, ...] = ()
    history_fields: Mapping[str, str] = field(default_factory=dict)
    method_codes: Mapping[str, str] = field(default_factory=dict)
    # History as one column per election in the voters file: the pattern of those columns'
    # names (groups ``kind`` and ``date``), and the method recorded (such files do not say).
    history_column: re.Pattern[str] | None = None
    history_column_date_format: str = ""
    inline_method: str = ""
    # Where the column's name does not hold the whole date (Wisconsin's ``November2024``): the
    # election's day and name from the column name's match, in place of its ``date`` group.
    history_column_election: Callable[[re.Match[str]], tuple[dt.date, str]] | None = None
    # Where an election's column says how the ballot was cast (Arizona, Wisconsin): the cell's
    # code (upper case) -> VoteHistory.Method value. A primary's cell may add the party
    # ballot taken after " - " (Arizona's ``E - DEM``); it is not kept. Empty: any mark in
    # the cell is a ballot cast by ``inline_method``.
    inline_method_codes: Mapping[str, str] = field(default_factory=dict)
    # False for files without a header row (Nevada's): the columns are ``columns`` (and
    # ``history_columns``) in that order, and the data start on line 1.
    header: bool = True
    # Field -> how its column's text becomes the field's, where a column holds more than the
    # field (Wisconsin's residence city is only in a "CITY WI 53703" line).
    field_values: Mapping[str, Callable[[str], str]] = field(default_factory=dict)

    @property
    def has_history_file(self) -> bool:
        return bool(self.history_columns)


def names() -> tuple[str, ...]:
    return tuple(_MODULES)


def get(name: str) -> Layout:
    module = _MODULES.get(name.lower())
    if module is None:
        raise KeyError(name)
    layout: Layout = importlib.import_module(module).LAYOUT
    return layout


def date_parser(fmt: str) -> Callable[[str], dt.date]:
    """A fast parser for one date format (the file has millions of them): slicing for the
    common fixed-width formats, ``strptime`` otherwise. Raises ``ValueError``."""
    if fmt == "%m/%d/%Y":

        def mdy(value: str) -> dt.date:
            if len(value) != 10 or value[2] != "/" or value[5] != "/":
                raise ValueError(value)
            return dt.date(int(value[6:]), int(value[:2]), int(value[3:5]))

        return mdy
    if fmt == "%Y-%m-%d":
        return dt.date.fromisoformat
    return lambda value: dt.datetime.strptime(value, fmt).date()


def named_fips(state: str) -> Callable[[str], str | None]:
    """FIPS of a county given by name, as Arizona, Nevada and Wisconsin write them: case,
    spacing, punctuation and a trailing "County" do not matter ("LA CROSSE", "LaCrosse County",
    "St. Croix", "Carson City"). The names are the Census's, from the bundled swing counties."""
    from groundgame.people.counties import swing_counties

    table = {_county_key(c.name): c.fips for c in swing_counties() if c.state == state}
    if not table:
        raise ValueError(f"no counties of {state} are bundled")

    def fips(value: str) -> str | None:
        return table.get(_county_key(value))

    return fips


def _county_key(name: str) -> str:
    key = "".join(c for c in name.upper() if c.isalnum())
    return key.removesuffix("COUNTY") if key != "COUNTY" else key


def weekday_of_month(year: int, month: int, weekday: int, nth: int, *, after: int = 1) -> dt.date:
    """The ``nth`` ``weekday`` (Monday 0) of a month on or after its day ``after``: the
    statutes set election days so ("the Tuesday after the first Monday of November" is
    ``weekday_of_month(y, 11, 1, 1, after=2)``)."""
    first = dt.date(year, month, after)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def general_election_day(year: int) -> dt.date:
    """The federal general election: the Tuesday after the first Monday of November
    (2 U.S.C. 7)."""
    return weekday_of_month(year, 11, 1, 1, after=2)


def odd_fips(state_fips: str, count: int) -> Callable[[str], str | None]:
    """FIPS of a county numbered alphabetically 1..count, where the Census numbered the same
    alphabetical list with odd numbers (North Carolina, Ohio, and most states)."""

    def fips(value: str) -> str | None:
        if not value.isdigit() or not 1 <= int(value) <= count:
            return None
        return f"{state_fips}{2 * int(value) - 1:03d}"

    return fips

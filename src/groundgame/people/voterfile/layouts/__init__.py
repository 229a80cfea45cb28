"""Voter-file layouts: how a state's public file is laid out and what each column means.

A layout is a description, not code: the columns (from the file's header row, or the layout's
own list when the state publishes none), how a line splits (a delimiter, or fixed widths),
which column (or columns, joined) fills which field of a person, household and voter record,
the code tables for party, status and voting method, the date format, and where the vote
history is: a file of its own (North Carolina's ``ncvhis``), one column per election (Ohio's
statewide file), or numbered election columns holding how the voter voted, which a file of its
own dates (Pennsylvania's election map). Adding a state is adding one module here that
defines ``LAYOUT`` and listing it in ``_MODULES``; the importer reads every layout the same way.
The helpers below are what more than one state needs: dates, counties numbered or named, and
the day of an election a column names only by month or year.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from groundgame.people.counties import SwingCounty, swing_counties

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
# The columns of an election map (a history file that dates numbered election columns of the
# voters file): the county it is for and the election's number there, its date and name.
ELECTION_MAP_FIELDS = ("county", "slot", "election_date", "election_name")

_MODULES = {
    "az": "groundgame.people.voterfile.layouts.az",
    "fl": "groundgame.people.voterfile.layouts.fl",
    "ga": "groundgame.people.voterfile.layouts.ga",
    "mi": "groundgame.people.voterfile.layouts.mi",
    "nc": "groundgame.people.voterfile.layouts.nc",
    "ngpvan_nc": "groundgame.people.voterfile.layouts.ngpvan_nc",
    "nv": "groundgame.people.voterfile.layouts.nv",
    "oh": "groundgame.people.voterfile.layouts.oh",
    "pa": "groundgame.people.voterfile.layouts.pa",
    "wi": "groundgame.people.voterfile.layouts.wi",
}

# A field read from one column, or from several whose values are joined (a street address
# published as house number, street name and type; a voting method as two flags).
Columns = str | tuple[str, ...]


def column_label(columns: Columns) -> str:
    """The column(s) as a report names them."""
    return columns if isinstance(columns, str) else "+".join(columns)


class Shape(NamedTuple):
    """How a file's lines split: on ``delimiter``, or at fixed ``widths`` (then the delimiter
    is empty); ``header`` says whether the first line names the columns."""

    delimiter: str
    header: bool = True
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class Layout:
    name: str
    state: str
    title: str
    delimiter: str
    # The voters file's header, in file order (real files list every column, used or not).
    columns: tuple[str, ...]
    # Field (of ``VOTER_FIELDS``) -> column(s). Fields left out stay empty.
    fields: Mapping[str, Columns]
    date_format: str  # strptime format of every date column
    party_codes: Mapping[str, str]  # file code (upper case) -> VoterRecord.Party value
    status_codes: Mapping[str, str]  # file code (upper case) -> VoterRecord.Status value
    county_fips: Callable[[str], str | None]  # the county column's value -> 5-digit FIPS
    # Fields whose absence rejects the row.
    required: tuple[str, ...] = ("state_voter_id", "last_name", "county", "status")
    # History in a file of its own: its columns and field -> column(s).
    history_columns: tuple[str, ...] = ()
    history_fields: Mapping[str, Columns] = field(default_factory=dict)
    # History as one column per election in the voters file: the pattern of those columns'
    # names, with groups ``kind`` and ``date``, or with group ``slot``: the history file is
    # then an election map (``ELECTION_MAP_FIELDS``) dating each county's slots.
    history_column: re.Pattern[str] | None = None
    history_column_date_format: str = ""
    # How a ballot was cast: the code (upper case) of a history line's method, or of an
    # election column's cell (Arizona, Wisconsin, Pennsylvania), -> VoteHistory.Method value.
    # A code mapped to "" records no ballot, and is passed over. A primary's cell may add the
    # party ballot taken after " - " (Arizona's ``E - DEM``); it is not kept. Election columns
    # without codes (Ohio's) hold a mark: a ballot cast by ``inline_method``.
    method_codes: Mapping[str, str] = field(default_factory=dict)
    inline_method: str = ""
    # Where the column's name does not hold the whole date (Wisconsin's ``November2024``): the
    # election's day and name from the column name's match, in place of its ``date`` group.
    history_column_election: Callable[[re.Match[str]], tuple[dt.date, str]] | None = None
    # Field -> how its column's text becomes the field's, where a column holds more than the
    # field (Wisconsin's residence city is only in a "CITY WI 53703" line).
    field_values: Mapping[str, Callable[[str], str]] = field(default_factory=dict)
    # False for files without a header row (Nevada's, Florida's, Pennsylvania's): the columns
    # are ``columns`` (and ``history_columns``) in that order, and the data start on line 1.
    # The history file's shape, where it differs from the voters file's (Georgia's fixed
    # widths).
    header: bool = True
    history_shape: Shape | None = None
    # Election-type code (of the history's ``election_name`` column) -> the word of the
    # election's name, "2024 General": files that name an election by a code.
    election_kinds: Mapping[str, str] = field(default_factory=dict)
    # Voter ids zero-padded to this many characters, where one file pads them and the other
    # does not (Georgia's history does, its voter list does not).
    id_width: int = 0

    @property
    def has_history_file(self) -> bool:
        return bool(self.history_columns)

    @property
    def has_election_map(self) -> bool:
        return "slot" in self.history_fields

    def voter_id(self, value: str) -> str:
        """A voter id as the import stores and matches it."""
        return value.strip().upper().zfill(self.id_width)

    def label(self, field: str, *, history: bool = False) -> str:
        """How a report names the column(s) of a voters (or history) file's field."""
        return column_label((self.history_fields if history else self.fields)[field])

    def shape(self, what: str) -> Shape:
        """The shape of the ``voters`` or ``history`` file."""
        voters = Shape(self.delimiter, self.header)
        return (self.history_shape or voters) if what == "history" else voters


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


def alphabetical_fips(state: str) -> Callable[[str], str | None]:
    """FIPS of a county numbered alphabetically 1..n among its state's counties, where the
    Census numbering has gaps (Georgia's: counties merged or renamed since it was drawn up).
    Numbered from the bundled table of the swing states' counties."""
    ordered = sorted(_counties(state), key=lambda c: c.name.upper().replace(" COUNTY", ""))
    by_number = {n: c.fips for n, c in enumerate(ordered, start=1)}

    def fips(value: str) -> str | None:
        return by_number.get(int(value)) if value.isdigit() else None

    return fips


def named_fips(state: str) -> Callable[[str], str | None]:
    """FIPS of a county given by name, as Arizona, Nevada, Wisconsin and Pennsylvania write
    them: case, spacing, punctuation and a trailing "County" do not matter ("LA CROSSE",
    "LaCrosse County", "St. Croix", "Carson City"). The names are the Census's, from the
    bundled swing counties."""
    table = {_county_key(c.name): c.fips for c in _counties(state)}
    if not table:
        raise ValueError(f"no counties of {state} are bundled")

    def fips(value: str) -> str | None:
        return table.get(_county_key(value))

    return fips


def _county_key(name: str) -> str:
    key = "".join(c for c in name.upper() if c.isalnum())
    return key.removesuffix("COUNTY") if key != "COUNTY" else key


def _counties(state: str) -> list[SwingCounty]:
    return [c for c in swing_counties() if c.state == state]

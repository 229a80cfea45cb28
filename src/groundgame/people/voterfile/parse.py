"""Parsing: the rules of a row, which turn a line's fields into a ``Voter`` or a ``HistoryLine``
(cleaning names, dates, codes, addresses and phones) or refuse it with a ``RowProblem``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple, TypeVar

from groundgame.core.errors import ValidationFailed
from groundgame.people import errors
from groundgame.people.voterfile import layouts
from groundgame.people.voterfile.layouts import Layout
from groundgame.people.voterfile.read import RowProblem
from groundgame.people.voterfile.report import RowError


class Ballot(NamedTuple):
    """A vote cast in one election, as vote history records it."""

    election_date: dt.date
    election_name: str
    method: str


class Voter(NamedTuple):
    """A voters-file line that passed the row rules, its values cleaned."""

    line: int
    state_voter_id: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    birth_date: dt.date | None
    phone: str
    email: str
    street: str
    unit: str
    city: str
    zip5: str
    county_fips: str
    party: str
    status: str
    registered_on: dt.date | None
    ballots: tuple[Ballot, ...]
    # The address's coordinates; None when the file carries none for the row.
    latitude: float | None = None
    longitude: float | None = None

    @property
    def address(self) -> tuple[str, str, str, str]:
        return (self.street, self.unit, self.city, self.zip5)


class HistoryLine(NamedTuple):
    """A history-file line that passed the row rules: a voter's ballot."""

    line: int
    state_voter_id: str
    ballot: Ballot


_UNIT = re.compile(r"^(.*?)\s+((?:APT|UNIT|STE|SUITE|LOT|RM|#)\s*#?\s*[\w-]+)$", re.IGNORECASE)


def _words(value: str) -> str:
    return " ".join(value.split())


def clean_name(value: str) -> str:
    """A name spaced and cased one way: files differ in case from one export to the next, and
    one spelling keeps a re-import from reading "SMITH" -> "Smith" as a name change."""
    return " ".join(value.split()).title()


def normalize_address(street: str, unit: str, city: str, zip5: str) -> tuple[str, str, str, str]:
    """The household key: case, spacing and punctuation do not make another address."""
    street = _words(street.replace(".", "").replace(",", " ")).upper()
    unit = _words(unit.replace(".", "")).upper()
    if not unit:
        split = _UNIT.match(street)
        if split:
            street, unit = split.group(1), split.group(2)
    return street.title(), unit.upper(), _words(city).title(), zip5


# Entries kept by each of a parser's caches before it starts over: the values that repeat
# (names, dates, codes, addresses of a household's members) hit long before that.
_CACHED = 100_000


class VoterParser:
    """Turns the fields of one line into a ``Voter``, or raises ``RowProblem``.

    Parsing is most of the import's Python time, so values that repeat across a file (first
    and last names, dates, counties, the address of a household's members, one after the
    other) are normalized once and looked up after that."""

    def __init__(
        self,
        layout: Layout,
        header: Sequence[str],
        elections: ElectionMap | None = None,
    ) -> None:
        self.layout = layout
        position = {c: i for i, c in enumerate(header)}
        width = len(header)
        # A field of several columns reads their values joined, which ``parse`` appends to the
        # line after the empty string (position ``width``) that fields left out read.
        self.joined = [
            [position[c] for c in columns]
            for columns in layout.fields.values()
            if not isinstance(columns, str)
        ]
        joined = iter(range(width + 1, width + 1 + len(self.joined)))
        self.index = {
            f: position[c] if isinstance(c, str) else next(joined) for f, c in layout.fields.items()
        }
        self.column = {f: layout.label(f) for f in layout.fields}
        # Each field's position in the line; a field the layout leaves out reads the empty
        # string the parser appends to every line.
        self.positions = [self.index.get(f, width) for f in layouts.VOTER_FIELDS]
        self.required = [layouts.VOTER_FIELDS.index(f) for f in layout.required]
        self.reshape = [(layouts.VOTER_FIELDS.index(f), v) for f, v in layout.field_values.items()]
        self._parse_date = layouts.date_parser(layout.date_format)
        self.history: list[tuple[int, Ballot]] = []
        # Numbered election columns holding a method code, dated by the election map.
        self.slots: list[tuple[int, str, str]] = []  # (position, slot, column)
        self.elections = elections or {}
        if layout.history_column is not None:
            parse = layouts.date_parser(layout.history_column_date_format)
            for i, name in enumerate(header):
                match = layout.history_column.match(name)
                if not match:
                    continue
                if layout.has_election_map:
                    self.slots.append((i, match.group("slot"), name))
                    continue
                if layout.history_column_election is not None:
                    day, label = layout.history_column_election(match)
                else:
                    day = parse(match.group("date"))
                    label = f"{day.year} {match.group('kind').title()}"
                self.history.append((i, Ballot(day, label, layout.inline_method)))
        self._header = list(header)
        self._names: dict[str, str] = {}
        self._dates: dict[str, dt.date] = {}
        self._counties: dict[str, str] = {}
        self._addresses: dict[tuple[str, str, str, str], tuple[str, str, str, str]] = {}

    def date(self, value: str, name: str) -> dt.date | None:
        """The date field ``name`` holds (None when empty), or ``RowProblem``."""
        if not value:
            return None
        day = self._dates.get(value)
        if day is not None:
            return day
        try:
            day = self._parse_date(value)
        except ValueError:
            raise RowProblem(
                self.column[name], f"{value!r} is not a date ({self.layout.date_format})"
            ) from None
        if day.year < 1900 or day > dt.date.today():
            raise RowProblem(self.column[name], f"{value!r} is not a plausible date")
        _remember(self._dates, value, day)
        return day

    def _name(self, value: str) -> str:
        name = self._names.get(value)
        if name is None:
            name = _remember(self._names, value, clean_name(value)[:100])
        return name

    # The checks below are the rules of a row; ``parse`` applies them to one line, and a first
    # load on PostgreSQL (``firstload``) to each distinct value of a whole file. A row is
    # rejected for the first check it fails, in this order (both follow it).
    CHECK_ORDER = (
        "required", "county", "party", "status", "zip5", "state_voter_id", "birth_date",
        "registered_on", "latitude", "longitude",
    )  # fmt: skip

    def missing(self, values: Sequence[str]) -> None:
        """``values`` in ``layouts.VOTER_FIELDS`` order, stripped."""
        for i in self.required:
            if not values[i]:
                raise RowProblem(self.column[layouts.VOTER_FIELDS[i]], "missing")

    def county(self, value: str) -> str:
        county = self.layout.county_fips(value)
        if county is None:
            raise RowProblem(self.column["county"], f"unknown county {value!r}")
        return county

    def party(self, value: str) -> str:
        value = value.upper()
        party = self.layout.party_codes.get(value)
        if party is None:
            raise RowProblem(self.column["party"], f"unknown party code {value!r}")
        return party

    def status(self, value: str) -> str:
        value = value.upper()
        status = self.layout.status_codes.get(value)
        if status is None:
            raise RowProblem(self.column["status"], f"unknown status code {value!r}")
        return status

    def ballots(self, parts: list[str]) -> tuple[Ballot, ...]:
        """The ballots the election columns of a line mark: with the layout's method codes
        (the cell says how), or any mark as a ballot cast by ``inline_method``."""
        codes = self.layout.method_codes
        if not codes:
            return tuple(b for i, b in self.history if parts[i].strip())
        ballots = []
        for i, ballot in self.history:
            cell = parts[i].strip()
            if not cell:
                continue
            method = codes.get(cell.split(" - ", 1)[0].strip().upper())
            if method is None:
                raise RowProblem(self._header[i], f"unknown voting method {cell!r}")
            if method:
                ballots.append(ballot._replace(method=method))
        return tuple(ballots)

    def zip5(self, value: str) -> str:
        zip5 = value[:5]
        if zip5 and not (zip5.isdigit() and len(zip5) == 5):
            raise RowProblem(self.column["zip5"], f"{value!r} is not a ZIP code")
        return zip5

    def voter_id(self, value: str) -> str:
        value = self.layout.voter_id(value)
        if len(value) > 40:
            raise RowProblem(self.column["state_voter_id"], "longer than 40 characters")
        return value

    def coordinates(self, latitude: str, longitude: str) -> tuple[float | None, float | None]:
        """The address's (latitude, longitude), both None when the row carries none, or
        ``RowProblem`` naming the coordinate that is unreadable, out of range or alone.
        Exports write 0 for an address they could not place, which is no place."""
        if not latitude and not longitude:
            return None, None
        place = (
            self._degrees(latitude, "latitude", 90.0),
            self._degrees(longitude, "longitude", 180.0),
        )
        return (None, None) if place == (0.0, 0.0) else place

    def _degrees(self, value: str, name: str, limit: float) -> float:
        column = self.column[name]
        if not value:
            raise RowProblem(column, "missing while the other coordinate is given")
        try:
            degrees = float(value)
        except ValueError:
            raise RowProblem(column, f"{value!r} is not a {name} in degrees") from None
        if not -limit <= degrees <= limit:  # also refuses nan and inf
            raise RowProblem(column, f"{value!r} is not a {name} (-{limit:g} to {limit:g})")
        return degrees

    @staticmethod
    def suffix(value: str) -> str:
        return _words(value).upper()[:20]

    @staticmethod
    def email(value: str) -> str:
        return value.lower()[:254]

    @staticmethod
    def address(street: str, unit: str, city: str, zip5: str) -> tuple[str, str, str, str]:
        street, unit, city, zip5 = normalize_address(street, unit, city, zip5)
        return street[:200], unit[:40], city[:100], zip5

    def parse(self, number: int, parts: list[str]) -> Voter:
        parts.append("")
        for columns in self.joined:
            parts.append(" ".join(v for v in (parts[i].strip() for i in columns) if v))
        values = [parts[i].strip() for i in self.positions]
        for i, value_of in self.reshape:
            values[i] = value_of(values[i]).strip()
        self.missing(values)
        (voter_id, first, middle, last, suffix, birth, phone, email, street, unit, city,
         zip_value, county_value, party_value, status_value, registered, latitude,
         longitude) = values  # fmt: skip
        county = self._counties.get(county_value)
        if county is None:
            county = _remember(self._counties, county_value, self.county(county_value))
        party = self.party(party_value)
        status = self.status(status_value)
        zip5 = self.zip5(zip_value)
        raw_address = (street, unit, city, zip5)
        address = self._addresses.get(raw_address)
        if address is None:
            address = _remember(self._addresses, raw_address, self.address(*raw_address))
        voter_id = self.voter_id(voter_id)
        if self.slots:
            ballots = self.slot_ballots(parts, county_value)
        else:
            ballots = self.ballots(parts) if self.history else ()
        birth_date = self.date(birth, "birth_date")
        registered_on = self.date(registered, "registered_on")
        name = self._name
        return Voter(
            number,
            voter_id,
            name(first),
            name(middle),
            name(last),
            self.suffix(suffix),
            birth_date,
            clean_phone(phone) if phone else "",
            self.email(email),
            *address,
            county,
            party,
            status,
            registered_on,
            ballots,
            *self.coordinates(latitude, longitude),
        )

    def slot_ballots(self, parts: list[str], county: str) -> tuple[Ballot, ...]:
        """The ballots of a line's numbered election columns: the election each names in the
        county's map, cast the way its method code says (one per election day)."""
        ballots: dict[dt.date, Ballot] = {}
        county = county.upper()
        for i, slot, column in self.slots:
            code = parts[i].strip().upper()
            if not code:
                continue
            method = self.layout.method_codes.get(code)
            if method is None:
                raise RowProblem(column, f"unknown voting method {code!r}")
            election = self.elections.get((county, slot))
            if election is None:
                raise RowProblem(column, f"election {slot} of {county} is not in the election map")
            day, name = election
            if method and day not in ballots:
                ballots[day] = Ballot(day, name, method)
        return tuple(ballots.values())


# (county, election number) -> the election's date and name, from an election map.
ElectionMap = dict[tuple[str, str], tuple[dt.date, str]]


def election_map(
    layout: Layout, lines: Iterable[tuple[int, list[str] | None, str, Any]], header: Sequence[str]
) -> ElectionMap:
    """The elections an election map dates, or ``ValidationFailed`` naming the first bad line
    and column: the map is small, and a voter's history is wrong without it."""
    position = {c: i for i, c in enumerate(header)}
    column = layout.history_fields
    at = {f: position[layouts.column_label(column[f])] for f in layouts.ELECTION_MAP_FIELDS}
    parse = layouts.date_parser(layout.date_format)
    elections: ElectionMap = {}
    for number, parts, _, problem in lines:
        if problem is not None or parts is None:
            reason = problem.reason if problem is not None else "unreadable"
            raise _map_problem(number, "", reason)
        county, slot, day, name = (parts[at[f]].strip() for f in layouts.ELECTION_MAP_FIELDS)
        try:
            date = parse(day)
        except ValueError:
            raise _map_problem(
                number, column["election_date"], f"{day!r} is not a date ({layout.date_format})"
            ) from None
        if not slot.isdigit():
            raise _map_problem(number, column["slot"], f"{slot!r} is not an election number")
        elections[(county.upper(), str(int(slot)))] = (
            date,
            _words(name)[:60] or f"{date} election",
        )
    return elections


def _map_problem(number: int, columns: layouts.Columns, reason: str) -> ValidationFailed:
    where = f", column {layouts.column_label(columns)}" if columns else ""
    return ValidationFailed(
        f"Line {number} of the election map{where}: {reason}.",
        code=errors.VOTER_IMPORT_FILE,
        field="history",
    )


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(cache) >= _CACHED:
        cache.clear()
    cache[key] = value
    return value


def clean_phone(value: str) -> str:
    """E.164 for a US number; anything else is dropped (a phone is optional).

    Not ``services.normalize_phone``, on purpose: that one refuses a number (a person typed
    it, and can correct it) and reads every country's numbering plan with ``phonenumbers``,
    tens of microseconds a call, which millions of rows would pay; a state's file holds US
    numbers, and a bad one must not cost the voter their row."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return f"+1{digits}" if len(digits) == 10 and digits[0] not in "01" else ""


# A ballot not read yet (None is a line that records none).
_UNREAD = Ballot(dt.date.min, "", "")


class HistoryParser:
    """Turns the fields of one history line into a ``HistoryLine``, or raises ``RowProblem``;
    None for a line that records no ballot (its method code says so)."""

    def __init__(self, layout: Layout, header: Sequence[str]) -> None:
        self.layout = layout
        position = {c: i for i, c in enumerate(header)}
        # A field of several columns (a method given as flags) reads their values joined by
        # "/", empty ones kept: each flag keeps its place.
        self.index = {
            f: [position[c]] if isinstance(c, str) else [position[one] for one in c]
            for f, c in layout.history_fields.items()
        }
        self.column = {f: layout.label(f, history=True) for f in layout.history_fields}
        self.date = layouts.date_parser(layout.date_format)
        # A file has few distinct elections: each (date, name, method) is read once.
        self._ballots: dict[tuple[str, str, str], Ballot | None] = {}
        self._id_at = self.index["state_voter_id"][0]
        width = layout.id_width
        self._voter_id = str.upper if not width else lambda value: value.upper().zfill(width)
        self._at = [self.index.get(f, []) for f in ("election_date", "election_name", "method")]
        # One column each (most layouts): the values are the key as they are, read by index
        # (a state's history has tens of millions of lines); a missing name reads "".
        self._single = (
            [at[0] if at else -1 for at in self._at]
            if all(len(at) < 2 for at in self._at)
            else None
        )

    def parse(self, number: int, parts: list[str]) -> HistoryLine | None:
        voter_id = parts[self._id_at].strip()
        if not voter_id:
            raise RowProblem(self.column["state_voter_id"], "missing")
        if self._single is not None:
            day, name, method = self._single
            key = (parts[day], parts[name] if name >= 0 else "", parts[method])
        else:
            day_value, name_value, method_value = (
                "/".join(parts[i].strip() for i in at) for at in self._at
            )
            key = (day_value, name_value, method_value)
        ballot = self._ballots.get(key, _UNREAD)
        if ballot is _UNREAD:
            ballot = _remember(self._ballots, key, self.ballot(*key))
        if ballot is None:
            return None
        return HistoryLine(number, self._voter_id(voter_id), ballot)

    def ballot(self, day_value: str, name_value: str, method_value: str) -> Ballot | None:
        """The ballot a line's date, election name and method make, None when its method code
        records none, or ``RowProblem``."""
        column = self.column
        day_value, method_value = day_value.strip(), method_value.strip()
        if not day_value:
            raise RowProblem(column["election_date"], "missing")
        if not method_value.strip("/"):
            raise RowProblem(column["method"], "missing")
        try:
            day = self.date(day_value)
        except ValueError:
            raise RowProblem(
                column["election_date"],
                f"{day_value!r} is not a date ({self.layout.date_format})",
            ) from None
        method = self.layout.method_codes.get(method_value.upper())
        if method is None:
            raise RowProblem(column["method"], f"unknown voting method {method_value!r}")
        if not method:
            return None
        kinds = self.layout.election_kinds
        if kinds:
            name = f"{day.year} {kinds.get(name_value.strip(), _words(name_value))}"
        else:
            name = _words(name_value) or f"{day.isoformat()} election"
        return Ballot(day, name[:60], method)


def duplicate(v: Voter) -> RowError:
    """The rejection of a line whose voter id an earlier line of the run had."""
    return RowError(
        "voters", v.line, "state_voter_id", f"duplicate voter id {v.state_voter_id!r}", ""
    )


def external_voter_id(state: str, state_voter_id: str) -> str:
    """The voter's id in the ``state_voter`` crosswalk: two states can use the same id, so the
    key carries the state."""
    return f"{state}:{state_voter_id}"

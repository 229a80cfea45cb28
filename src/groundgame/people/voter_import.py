"""Importing a state's voter file, streamed in batches, resumable and idempotent.

A run reads the voters file in batches of rows and commits each batch with its row errors, the
run's counters, its checkpoint (the last line committed) and one audit row, so a run that dies
is continued with ``--resume`` from the line after its checkpoint and loads every row once.
Then the vote-history file (if the layout has one) the same way, and last the voters' general
election count is brought up to date. On PostgreSQL the history file is read first instead,
into a table of the run's own, so that each voter's ballots and count are written with the
voter (see ``_history_stage_phase``); a first load of a state there builds the secondary
indexes and foreign keys after loading (see ``_defer_indexes``), and is read whole in DuckDB
rather than in batches when DuckDB reads its files as this module would
(``voter_firstload``).

Each batch is matched against the file already loaded, by (state, state voter id):

- a new voter becomes a Person in a Household (one per normalized address: two voters at the
  same address share it, within the file and with households already on file), a VoterRecord
  and an ExternalId in the ``state_voter`` system, placed in the team covering the county;
- a known voter is updated in place, and what changed is recorded as VoterChange rows (moved,
  status, party, name, back on the file);
- a second row with an id already seen in this run is rejected as a duplicate.

After the whole voters file, voters of the state that it no longer lists get ``missing_since``
and a MISSING change; they are never deleted. Importing files whose SHA-256 fingerprint equals
a completed run's is recognised and changes nothing.

On PostgreSQL a batch (200,000 rows) is copied into a temporary table and applied by
set-based statements: duplicates and known voters found by joins, the changed ones compared in
Python (the same comparison as SQLite's), households, people, voter records and crosswalk ids
inserted with ids drawn from their sequences, ballots matched to voters and added with one
``INSERT ... ON CONFLICT DO NOTHING`` (so a ballot is never recorded twice). On SQLite a batch
(20,000 rows) goes row by row: known voters looked up, new rows written with ``executemany``.
On both the next batch is read and parsed in a thread while the database applies this one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import errors, layouts, voterfile
from groundgame.people.elections import PRESIDENTIAL_GENERALS, general_votes
from groundgame.people.layouts import Layout
from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterChange,
    VoterImport,
    VoterImportRowError,
    VoterRecord,
)

# Rows per batch (and transaction). PostgreSQL's batches are set-based statements whose fixed
# cost (staging, planning, the commit) wants many rows; SQLite's write row by row.
BATCH_SIZE = {"postgresql": 200_000}
DEFAULT_BATCH_SIZE = 20_000
# Ids per IN (...) list: under SQLite's limit on bound parameters, and short statements for
# PostgreSQL to plan.
_CHUNK = 5_000
_RAW_KEPT = 1_000  # characters of a rejected line kept for the report

Progress = Callable[[str, int, int], None]


class RowProblem(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class Ballot(NamedTuple):
    election_date: dt.date
    election_name: str
    method: str


class Voter(NamedTuple):
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

    @property
    def address(self) -> tuple[str, str, str, str]:
        return (self.street, self.unit, self.city, self.zip5)


class HistoryLine(NamedTuple):
    line: int
    state_voter_id: str
    ballot: Ballot


@dataclass
class RowError:
    file: str
    line: int
    field: str
    reason: str
    raw: str
    # The voter id the rejected row names, if it could be read: that voter is still on the
    # file, and must not be taken as missing from it.
    voter_id: str = ""


@dataclass
class Outcome:
    run: VoterImport
    # Set when the files equal a completed run's: nothing was done.
    already_imported: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        r = self.run
        return r.rows_new + r.rows_updated + r.rows_unchanged


# -- reading -----------------------------------------------------------------------------------


def fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()


def _split(text: str, delimiter: str) -> list[str]:
    if delimiter == ",":
        return next(csv.reader([text]))
    # Tab-delimited files quote every field or none (North Carolina's statewide files quote):
    # splitting on the quoted separator avoids un-quoting each field.
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1].split(f'"{delimiter}"')
    return text.split(delimiter)


def _decode(raw: bytes) -> tuple[str, bool]:
    """The line as text, and whether it was not UTF-8 (then read as Latin-1, which every byte
    sequence is: files from county systems come in both)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("latin-1"), True


def read_header(path: Path, delimiter: str) -> list[str]:
    with path.open("rb") as f:
        text, _ = _decode(f.readline())
    return [c.strip() for c in _split(text.lstrip("\ufeff").rstrip("\r\n"), delimiter)]


def check_header(
    header: Sequence[str], expected: Sequence[str], *, what: str, layout: Layout
) -> list[str]:
    """Refuse a file whose header lacks a column of the layout; the extra columns it has are
    returned (they are ignored)."""
    pattern = layout.history_column if what == "voters" else None
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and not (pattern and pattern.match(c))]
    if missing:
        message = (
            f"The {what} file does not have the {layout.name} layout ({layout.title}): "
            f"missing columns {_list(missing)}"
        )
        if extra:
            message += f"; columns not in the layout {_list(extra)}"
        raise ValidationFailed(message + ".", code=errors.VOTER_IMPORT_LAYOUT, field=what)
    return extra


def _list(names: Sequence[str], most: int = 8) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


class _Lines:
    """The data lines of a file after ``skip_to``, split into fields, with their numbers (the
    header is line 1). Counts lines that were not UTF-8; tracks bytes read for the ETA."""

    def __init__(self, path: Path, delimiter: str, width: int, skip_to: int) -> None:
        self.path, self.delimiter, self.width, self.skip_to = path, delimiter, width, skip_to
        self.latin1 = 0
        self.bytes_read = 0
        self.size = path.stat().st_size

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, str, RowProblem | None]]:
        delimiter, width = self.delimiter, self.width
        with self.path.open("rb", buffering=1 << 20) as f:
            self.bytes_read = len(f.readline())
            number = 1
            for raw in f:
                number += 1
                self.bytes_read += len(raw)
                if number <= self.skip_to:
                    continue
                text, latin1 = _decode(raw)
                self.latin1 += latin1
                text = text.rstrip("\r\n")
                if not text.strip():
                    continue
                try:
                    parts = _split(text, delimiter)
                except csv.Error as exc:
                    yield number, None, text, RowProblem("", f"unreadable line: {exc}")
                    continue
                if len(parts) != width:
                    truncated = not raw.endswith(b"\n") and len(parts) < width
                    reason = (
                        f"truncated last line ({len(parts)} of {width} fields)"
                        if truncated
                        else f"{len(parts)} fields where the header has {width}"
                    )
                    yield number, None, text, RowProblem("", reason)
                    continue
                yield number, parts, text, None


# -- parsing -----------------------------------------------------------------------------------

_UNIT = re.compile(r"^(.*?)\s+((?:APT|UNIT|STE|SUITE|LOT|RM|#)\s*#?\s*[\w-]+)$", re.IGNORECASE)


def _words(value: str) -> str:
    return " ".join(value.split())


def _name(value: str) -> str:
    # Files differ in case from one export to the next; one spelling keeps a re-import from
    # reading "SMITH" -> "Smith" as a name change.
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

    def __init__(self, layout: Layout, header: Sequence[str]) -> None:
        self.layout = layout
        position = {c: i for i, c in enumerate(header)}
        self.index = {f: position[c] for f, c in layout.fields.items()}
        self.column = dict(layout.fields)
        # Each field's position in the line; a field the layout leaves out reads the empty
        # string the parser appends to every line.
        self.positions = [self.index.get(f, -1) for f in layouts.VOTER_FIELDS]
        self.required = [layouts.VOTER_FIELDS.index(f) for f in layout.required]
        self.date = layouts.date_parser(layout.date_format)
        self.history: list[tuple[int, Ballot]] = []
        if layout.history_column is not None:
            parse = layouts.date_parser(layout.history_column_date_format)
            for i, name in enumerate(header):
                match = layout.history_column.match(name)
                if match:
                    day = parse(match.group("date"))
                    label = f"{day.year} {match.group('kind').title()}"
                    self.history.append((i, Ballot(day, label, layout.inline_method)))
        self._names: dict[str, str] = {}
        self._dates: dict[str, dt.date] = {}
        self._counties: dict[str, str] = {}
        self._addresses: dict[tuple[str, str, str, str], tuple[str, str, str, str]] = {}

    def _date(self, value: str, name: str) -> dt.date | None:
        if not value:
            return None
        day = self._dates.get(value)
        if day is not None:
            return day
        try:
            day = self.date(value)
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
            name = _remember(self._names, value, _name(value)[:100])
        return name

    # The checks below are the rules of a row; ``parse`` applies them to one line, and a first
    # load on PostgreSQL (``voter_firstload``) to each distinct value of a whole file. A row is
    # rejected for the first check it fails, in this order (both follow it).
    CHECK_ORDER = (
        "required", "county", "party", "status", "zip5", "state_voter_id", "birth_date",
        "registered_on",
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

    def zip5(self, value: str) -> str:
        zip5 = value[:5]
        if zip5 and not (zip5.isdigit() and len(zip5) == 5):
            raise RowProblem(self.column["zip5"], f"{value!r} is not a ZIP code")
        return zip5

    def voter_id(self, value: str) -> str:
        value = value.upper()
        if len(value) > 40:
            raise RowProblem(self.column["state_voter_id"], "longer than 40 characters")
        return value

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
        values = [parts[i].strip() for i in self.positions]
        self.missing(values)
        (voter_id, first, middle, last, suffix, birth, phone, email, street, unit, city,
         zip_value, county_value, party_value, status_value, registered) = values  # fmt: skip
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
        ballots = tuple(b for i, b in self.history if parts[i].strip())
        name = self._name
        return Voter(
            number,
            voter_id,
            name(first),
            name(middle),
            name(last),
            self.suffix(suffix),
            self._date(birth, "birth_date"),
            _phone(phone) if phone else "",
            self.email(email),
            *address,
            county,
            party,
            status,
            self._date(registered, "registered_on"),
            ballots,
        )


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(cache) >= _CACHED:
        cache.clear()
    cache[key] = value
    return value


def _phone(value: str) -> str:
    """E.164 for a US number; anything else is dropped (a phone is optional).

    Not ``services.normalize_phone``, on purpose: that one refuses a number (a person typed
    it, and can correct it) and reads every country's numbering plan with ``phonenumbers``,
    tens of microseconds a call, which millions of rows would pay; a state's file holds US
    numbers, and a bad one must not cost the voter their row."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    return f"+1{digits}" if len(digits) == 10 and digits[0] not in "01" else ""


class HistoryParser:
    def __init__(self, layout: Layout, header: Sequence[str]) -> None:
        self.layout = layout
        position = {c: i for i, c in enumerate(header)}
        self.index = {f: position[c] for f, c in layout.history_fields.items()}
        self.date = layouts.date_parser(layout.date_format)
        # A file has few distinct elections: each (date, name, method) is read once.
        self._ballots: dict[tuple[str, str, str], Ballot] = {}
        name = self.index.get("election_name")
        self._at = (self.index["election_date"], -1 if name is None else name, self.index["method"])

    def parse(self, number: int, parts: list[str]) -> HistoryLine:
        voter_id = parts[self.index["state_voter_id"]].strip()
        if not voter_id:
            raise RowProblem(self.layout.history_fields["state_voter_id"], "missing")
        day, name, method = self._at
        key = (parts[day], parts[name] if name >= 0 else "", parts[method])
        ballot = self._ballots.get(key)
        if ballot is None:
            ballot = _remember(self._ballots, key, self._ballot(*key))
        return HistoryLine(number, voter_id.upper(), ballot)

    def _ballot(self, day_value: str, name_value: str, method_value: str) -> Ballot:
        column = self.layout.history_fields
        day_value, method_value = day_value.strip(), method_value.strip()
        if not day_value:
            raise RowProblem(column["election_date"], "missing")
        if not method_value:
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
        name = _words(name_value) or f"{day.isoformat()} election"
        return Ballot(day, name[:60], method)


# -- writing -----------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


class _Known(NamedTuple):
    voter_pk: int
    person_pk: int
    party: str
    status: str
    county_fips: str
    registered_on: dt.date | None
    last_import_id: int | None
    missing_since: dt.datetime | None
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    org_unit_id: int | None
    household_id: int | None
    address: tuple[str, str, str, str] | None


def _known_voters(state: str, ids: Sequence[str]) -> dict[str, _Known]:
    found: dict[str, _Known] = {}
    v, p, h = _table(VoterRecord), _table(Person), _table(Household)
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT v.state_voter_id, {_KNOWN_COLUMNS} "  # noqa: S608 - model tables
                f"FROM {v} v JOIN {p} p ON p.id = v.person_id "
                f"LEFT JOIN {h} h ON h.id = p.household_id "
                f"WHERE v.state = %s AND v.state_voter_id IN ({marks})",
                [state, *chunk],
            )
            for row in cursor.fetchall():
                found[row[0]] = _as_known(row[1:])
    return found


# The columns of a known voter, in the order ``_as_known`` reads them.
_KNOWN_COLUMNS = (
    "v.id, v.person_id, v.party, v.status, v.county_fips, v.registered_on, v.last_import_id, "
    "v.missing_since, p.first_name, p.middle_name, p.last_name, p.suffix, p.org_unit_id, "
    "p.household_id, h.street, h.unit, h.city, h.zip5"
)


def _as_known(row: Sequence[Any]) -> _Known:
    registered = row[5]
    if isinstance(registered, str):  # SQLite hands dates back as text
        registered = dt.date.fromisoformat(registered)
    address = None if row[13] is None else (row[14], row[15], row[16], row[17])
    return _Known(
        row[0], row[1], row[2], row[3], row[4], registered, row[6], row[7], row[8], row[9],
        row[10], row[11], row[12], row[13], address,
    )  # fmt: skip


def _households(
    state: str, wanted: dict[tuple[str, str, str, str], str], stamp: Any
) -> dict[tuple[str, str, str, str], int]:
    """Household id of each address (normalized) -> county FIPS: the existing household at that
    address, or a new one."""
    found: dict[tuple[str, str, str, str], int] = {}
    keys = list(wanted)
    with connection.cursor() as cursor:
        for chunk in _chunks(keys, 1_000):
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"SELECT street, unit, city, zip5, MIN(id) FROM {_table(Household)} "  # noqa: S608
                f"WHERE state = %s AND (zip5, street, unit, city) IN (VALUES {values}) "
                "GROUP BY street, unit, city, zip5",
                [state, *(x for s, u, c, z in chunk for x in (z, s, u, c))],
            )
            for street, unit, city, zip5, pk in cursor.fetchall():
                found[(street, unit, city, zip5)] = pk
    new = [k for k in keys if k not in found]
    ids = voterfile.reserve_ids(Household, len(new))
    voterfile.insert_rows(
        Household,
        ("id", "street", "unit", "city", "state", "zip5", "county_fips", "latitude", "longitude",
         "created_at", "updated_at"),
        [(i, s, u, c, state, z, wanted[(s, u, c, z)], None, None, stamp, stamp)
         for i, (s, u, c, z) in zip(ids, new, strict=True)],
    )  # fmt: skip
    found.update(zip(new, ids, strict=True))
    return found


def insert_history(rows: list[tuple[int, dt.date, str, str]]) -> int:
    """Add ballots (voter pk, date, name, method) with ``executemany`` (the SQLite path); one
    already recorded for the voter and date is left as it is. Returns how many were added."""
    if not rows:
        return 0
    columns = "voter_id, election_date, election_name, method"
    with connection.cursor() as cursor:
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT INTO {_table(VoteHistory)} ({columns}) VALUES (%s, %s, %s, %s) "  # noqa: S608
            "ON CONFLICT DO NOTHING",
            rows,
        )
        return int(connection.connection.total_changes - before)


# -- PostgreSQL: a batch as set-based statements -----------------------------------------------
#
# The batch is copied into a temporary table in COPY's text format (one string per batch: far
# cheaper than adapting values row by row), and every step is one statement over that table:
# no per-row round trips, no id lists sent back and forth, ids from the sequences inside the
# statements that use them.

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_fields(texts: tuple[str, ...]) -> str:
    """Text fields joined for COPY; escaped only when one holds a character COPY reserves
    (rare: the file's own delimiter and line breaks are gone once a line is split)."""
    joined = "\t".join(texts)
    if "\\" in joined or "\n" in joined or "\r" in joined or joined.count("\t") != len(texts) - 1:
        joined = "\t".join(t.translate(_COPY_ESCAPES) for t in texts)
    return joined


def _copy_date(day: dt.date | None) -> str:
    return _NULL if day is None else day.isoformat()


def _stage(cursor: Any, table: str, columns: str, text: str) -> None:
    """A fresh temporary table holding ``text`` (COPY text format). Dropped first rather than
    kept: inside an outer transaction (a test's) the previous batch's table is still there."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        copy.write(text)


def _index_joins(cursor: Any) -> None:
    """For the rest of the batch's transaction, join staged rows to the state's tables by
    their indexes. Left to itself, the planner hashes the whole voter table for every batch
    (its statistics lag far behind a table growing by 200,000 rows a batch), which grows
    with the file; a batch's index lookups do not. Nor are the statements compiled (JIT):
    their estimated costs call for it, but index lookups gain nothing from it."""
    cursor.execute("SET LOCAL enable_hashjoin = off")
    cursor.execute("SET LOCAL enable_mergejoin = off")
    cursor.execute("SET LOCAL jit = off")


def _hash_joins(cursor: Any, setting: str) -> None:
    """Between the batch's own temporary tables (no index), hash joins are the right plan."""
    cursor.execute(f"SET LOCAL enable_hashjoin = {setting}")


def _synchronous_commit_off(cursor: Any) -> None:
    """The batch's commit does not wait for its WAL to reach the disk: a database crash may
    lose the last batches, but each takes its checkpoint with it (the run resumes before
    them), and no one has been told they were saved."""
    cursor.execute("SET LOCAL synchronous_commit = off")


def _add_ballots(cursor: Any, select: str, params: list[Any], *, recount: bool) -> int:
    """Insert the ballots ``select`` yields (voter id, date, name, method), skipping those on
    record; with ``recount``, the voters who gained a general-election ballot get their count
    brought up to date in the same statement. Returns how many were added."""
    insert = (
        f"INSERT INTO {_table(VoteHistory)} (voter_id, election_date, election_name, method) "
        f"{select} ON CONFLICT DO NOTHING"
    )
    if not recount:
        cursor.execute(insert, params)
        return int(cursor.rowcount)
    generals = list(PRESIDENTIAL_GENERALS)
    vr, vh = _table(VoterRecord), _table(VoteHistory)
    # The statement sees vote history as it was before it: its count plus the ballots added.
    cursor.execute(
        f"WITH added AS ({insert} RETURNING voter_id, election_date), "  # noqa: S608
        "counted AS (SELECT voter_id, COUNT(*) AS n FROM added "
        "WHERE election_date = ANY(%s) GROUP BY voter_id), "
        f"fixed AS (UPDATE {vr} v SET general_votes = c.n + (SELECT COUNT(*) FROM {vh} h "
        "WHERE h.voter_id = c.voter_id AND h.election_date = ANY(%s)) FROM counted c "
        "WHERE v.id = c.voter_id RETURNING 1) "
        "SELECT (SELECT COUNT(*) FROM added), (SELECT COUNT(*) FROM fixed)",
        [*params, generals, generals],
    )
    return int(cursor.fetchone()[0])


_VOTER_STAGE = (
    "line bigint, state_voter_id text, first_name text, middle_name text, last_name text, "
    "suffix text, phone text, email text, street text, unit text, city text, zip5 text, "
    "county_fips text, party text, status text, birth_date date, registered_on date, "
    "general_votes smallint, org_unit_id bigint"
)
_BALLOT_STAGE = "line bigint, election_date date, election_name text, method text"
_HISTORY_STAGE = (
    "line bigint, state_voter_id text, election_name text, method text, election_date date"
)


def _address_text(address: tuple[str, str, str, str] | None) -> str:
    if address is None:
        return ""
    street, unit, city, zip5 = address
    return ", ".join(p for p in (f"{street} {unit}".strip(), city, zip5) if p)


class _Batcher:
    """Writes batches of one run; keeps nothing across batches but the run and lookups."""

    def __init__(self, run: VoterImport, layout: Layout, actor: Actor) -> None:
        self.run, self.layout, self.actor = run, layout, actor
        self.coverage = organizing.coverage_map()
        self.grown = 0  # voters added since the tables' statistics were last refreshed
        # The run's staged history file (PostgreSQL, with a history file), once it exists.
        self.stage: str | None = None

    def voters(self, voters: list[Voter], problems: list[RowError], last_line: int) -> None:
        if connection.vendor == "postgresql":
            self._voters_staged(voters, problems, last_line)
            return
        run, state = self.run, self.layout.state
        rows_read = len(voters) + len(problems)
        now = timezone.now()
        stamp = connection.ops.adapt_datetimefield_value(now)
        with transaction.atomic():
            known = _known_voters(state, [v.state_voter_id for v in voters])
            new: list[Voter] = []
            touched: list[int] = []  # voter pks seen unchanged
            changed: list[tuple[Voter, _Known, list[_Diff]]] = []
            history: list[tuple[int, dt.date, str, str]] = []
            for v in voters:
                k = known.get(v.state_voter_id)
                if k is None:
                    new.append(v)
                    continue
                if k.last_import_id == run.pk:
                    problems.append(_duplicate(v))
                    continue
                history.extend((k.voter_pk, *b) for b in v.ballots)
                diffs = _differences(v, k)
                # Corrections the file makes that a campaign does not track as a change (the
                # registration date) are still written.
                if diffs or v.registered_on != k.registered_on:
                    changed.append((v, k, diffs))
                else:
                    touched.append(k.voter_pk)
            wanted = {v.address: v.county_fips for v in new if v.street}
            wanted.update(_moved_to(changed))
            households = _households(state, wanted, stamp) if wanted else {}
            self._insert_new(new, households, stamp)
            self._update(changed, households, stamp, now)
            with connection.cursor() as cursor:
                for chunk in _chunks(touched):
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"UPDATE {_table(VoterRecord)} SET last_import_id = %s "  # noqa: S608
                        f"WHERE id IN ({marks})",
                        [run.pk, *chunk],
                    )
            ballots = insert_history(history)
            self._touch_rejected(problems)
            counts = {
                "rows_new": len(new),
                "rows_updated": len(changed),
                "rows_unchanged": len(touched),
            }
            self._commit(
                "voters",
                problems,
                last_line,
                rows_read=rows_read,
                history_new=ballots + sum(len(v.ballots) for v in new),
                **counts,
            )

    def _insert_new(
        self, new: list[Voter], households: dict[tuple[str, str, str, str], int], stamp: Any
    ) -> None:
        if not new:
            return
        state, run_pk = self.layout.state, self.run.pk
        person_ids = voterfile.reserve_ids(Person, len(new))
        voter_ids = voterfile.reserve_ids(VoterRecord, len(new))
        coverage = self.coverage
        voterfile.insert_rows(
            Person,
            ("id", "first_name", "middle_name", "last_name", "suffix", "email", "phone",
             "birth_date", "household_id", "org_unit_id", "merged_into_id", "created_at",
             "updated_at"),
            [(i, v.first_name, v.middle_name, v.last_name, v.suffix, v.email, v.phone,
              v.birth_date, households.get(v.address) if v.street else None,
              coverage.get(v.county_fips), None, stamp, stamp)
             for i, v in zip(person_ids, new, strict=True)],
        )  # fmt: skip
        voterfile.insert_rows(
            VoterRecord,
            ("id", "person_id", "state", "state_voter_id", "county_fips", "party", "status",
             "registered_on", "general_votes", "last_import_id", "missing_since", "created_at",
             "updated_at"),
            [(vi, pi, state, v.state_voter_id, v.county_fips, v.party, v.status, v.registered_on,
              general_votes(b.election_date for b in v.ballots), run_pk, None, stamp, stamp)
             for vi, pi, v in zip(voter_ids, person_ids, new, strict=True)],
        )  # fmt: skip
        voterfile.insert_rows(
            ExternalId,
            ("person_id", "system", "external_id", "created_at", "updated_at"),
            [(pi, ExternalId.System.STATE_VOTER, external_voter_id(state, v.state_voter_id),
              stamp, stamp) for pi, v in zip(person_ids, new, strict=True)],
        )  # fmt: skip
        voterfile.insert_rows(
            VoteHistory,
            ("voter_id", "election_date", "election_name", "method"),
            [(vi, *b) for vi, v in zip(voter_ids, new, strict=True) for b in v.ballots],
        )

    def _update(
        self,
        changed: list[tuple[Voter, _Known, list[_Diff]]],
        households: dict[tuple[str, str, str, str], int],
        stamp: Any,
        now: dt.datetime,
    ) -> None:
        if not changed:
            return
        people: list[tuple[Any, ...]] = []
        records: list[tuple[Any, ...]] = []
        changes: list[VoterChange] = []
        for v, k, diffs in changed:
            moved = v.street and any(kind == VoterChange.Kind.MOVED for kind, _, _ in diffs)
            household = households[v.address] if moved else k.household_id
            org_unit = (
                self.coverage.get(v.county_fips, k.org_unit_id)
                if v.county_fips != k.county_fips
                else k.org_unit_id
            )
            people.append(
                (v.first_name, v.middle_name, v.last_name, v.suffix, household, org_unit, stamp,
                 k.person_pk)
            )  # fmt: skip
            records.append(
                (v.party, v.status, v.county_fips, v.registered_on, self.run.pk, stamp, k.voter_pk)
            )
            changes.extend(
                VoterChange(voter_id=k.voter_pk, run=self.run, kind=kind, before=b, after=a, at=now)
                for kind, b, a in diffs
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {_table(Person)} SET first_name = %s, middle_name = %s, "  # noqa: S608
                "last_name = %s, suffix = %s, household_id = %s, org_unit_id = %s, "
                "updated_at = %s WHERE id = %s",
                people,
            )
            cursor.executemany(
                f"UPDATE {_table(VoterRecord)} SET party = %s, status = %s, county_fips = %s, "  # noqa: S608
                "registered_on = %s, missing_since = NULL, last_import_id = %s, updated_at = %s "
                "WHERE id = %s",
                records,
            )
        VoterChange.objects.bulk_create(changes, batch_size=1_000)

    def _touch_rejected(self, problems: list[RowError]) -> int:
        """A rejected row still lists its voter: keep them from being taken as missing. With
        a staged history file, such a voter on file takes their ballots from it (the batch
        took only those of the rows it loaded); returns how many were added."""
        ids = sorted({p.voter_id for p in problems if p.voter_id})
        vr = _table(VoterRecord)
        with connection.cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"UPDATE {vr} SET last_import_id = %s "  # noqa: S608
                    f"WHERE state = %s AND state_voter_id IN ({marks}) "
                    "AND (last_import_id IS NULL OR last_import_id <> %s)",
                    [self.run.pk, self.layout.state, *chunk, self.run.pk],
                )
            if self.stage is None or not ids:
                return 0
            return _add_ballots(
                cursor,
                "SELECT DISTINCT ON (v.id, h.election_date) v.id, h.election_date, "  # noqa: S608
                f"h.election_name, h.method FROM {self.stage} h JOIN {vr} v ON v.state = %s "
                "AND v.state_voter_id = h.state_voter_id WHERE h.state_voter_id = ANY(%s) "
                "ORDER BY v.id, h.election_date, h.line",
                [self.layout.state, ids],
                recount=True,
            )

    def _stage_ballots(self, cursor: Any) -> None:
        """The staged history's ballots of the batch's voters (the first line of each voter
        and election), and each voter's count of general elections among them."""
        assert self.stage is not None
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_batch_ballots")
        # Looked up by the staged history's index on the voter id, a voter at a time.
        cursor.execute(
            "CREATE TEMP TABLE gg_batch_ballots AS SELECT DISTINCT ON "  # noqa: S608
            "(h.state_voter_id, h.election_date) h.state_voter_id, h.election_date, "
            f"h.election_name, h.method FROM gg_voter_stage s JOIN {self.stage} h "
            "ON h.state_voter_id = s.state_voter_id "
            "ORDER BY h.state_voter_id, h.election_date, h.line"
        )
        _hash_joins(cursor, "on")
        cursor.execute(
            "UPDATE gg_voter_stage s SET general_votes = g.n FROM (SELECT state_voter_id, "
            "COUNT(*) AS n FROM gg_batch_ballots WHERE election_date = ANY(%s) "
            "GROUP BY state_voter_id) AS g WHERE g.state_voter_id = s.state_voter_id",
            [list(PRESIDENTIAL_GENERALS)],
        )
        _hash_joins(cursor, "off")

    def _add_batch_ballots(self, cursor: Any, *, known: bool) -> int:
        """Add ``gg_batch_ballots``: a new voter's as they are (their count is written), a
        known voter's where not recorded yet, with their count brought up to date."""
        _hash_joins(cursor, "on")
        added = _add_ballots(
            cursor,
            "SELECT n.voter_id, b.election_date, b.election_name, b.method "
            "FROM gg_batch_ballots b JOIN gg_new_voters n USING (state_voter_id)",
            [],
            recount=False,
        )
        if not known:
            _hash_joins(cursor, "off")
            cursor.execute("DROP TABLE pg_temp.gg_batch_ballots")
            return added
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_known_ballots")
        cursor.execute(
            "CREATE TEMP TABLE gg_known_ballots AS SELECT b.* FROM gg_batch_ballots b "
            "WHERE NOT EXISTS (SELECT 1 FROM gg_new_voters n "
            "WHERE n.state_voter_id = b.state_voter_id)"
        )
        _hash_joins(cursor, "off")
        added += _add_ballots(
            cursor,
            "SELECT v.id, b.election_date, b.election_name, b.method "  # noqa: S608
            f"FROM gg_known_ballots b JOIN {_table(VoterRecord)} v ON v.state = %s "
            "AND v.state_voter_id = b.state_voter_id",
            [self.layout.state],
            recount=True,
        )
        cursor.execute("DROP TABLE pg_temp.gg_batch_ballots")
        return added

    def history_stage(
        self, lines: list[HistoryLine], problems: list[RowError], last_line: int
    ) -> None:
        """A batch of the history file into the run's staged history (PostgreSQL)."""
        assert self.stage is not None
        text = "".join(
            f"{h.line}\t{_copy_fields((h.state_voter_id, h.ballot.election_name, h.ballot.method))}"
            f"\t{h.ballot.election_date.isoformat()}\n"
            for h in lines
        )
        with transaction.atomic(), connection.cursor() as cursor:
            _synchronous_commit_off(cursor)
            # In the table's own column order (_HISTORY_STAGE).
            with cursor.cursor.copy(f"COPY {self.stage} FROM STDIN") as copy:
                copy.write(text)
            self._commit("staged history", problems, last_line, rows_read=0)

    def history(self, lines: list[HistoryLine], problems: list[RowError], last_line: int) -> None:
        """A batch of the history file, read after the voters file (SQLite: PostgreSQL reads
        it first, see ``history_stage``)."""
        with transaction.atomic():
            known = _voter_pks(self.layout.state, sorted({h.state_voter_id for h in lines}))
            rows = []
            for h in lines:
                pk = known.get(h.state_voter_id)
                if pk is None:
                    problems.append(
                        RowError(
                            "history",
                            h.line,
                            self.layout.history_fields["state_voter_id"],
                            f"no voter {h.state_voter_id!r} on file",
                            "",
                        )
                    )
                else:
                    rows.append((pk, *h.ballot))
            added = insert_history(rows)
            self._commit("history", problems, last_line, history_new=added, rows_read=0)

    def _voters_staged(self, voters: list[Voter], problems: list[RowError], last_line: int) -> None:
        """The PostgreSQL batch: the same outcome as the row path, in set-based statements."""
        run, state = self.run, self.layout.state
        rows_read = len(voters) + len(problems)
        now = timezone.now()
        vr, p, h = _table(VoterRecord), _table(Person), _table(Household)
        coverage = self.coverage
        # v[1:6] + v[7:16]: the Voter's text fields (state voter id to status, without the
        # birth date), in the staging table's order.
        stage = "".join(
            f"{v.line}\t{_copy_fields(v[1:6] + v[7:16])}\t{_copy_date(v.birth_date)}\t"
            f"{_copy_date(v.registered_on)}\t"
            f"{general_votes(b.election_date for b in v.ballots) if v.ballots else 0}\t"
            f"{coverage.get(v.county_fips, _NULL)}\n"
            for v in voters
        )
        ballots = "".join(
            f"{v.line}\t{b.election_date.isoformat()}\t{_copy_fields(b[1:])}\n"
            for v in voters
            for b in v.ballots
        )
        match = "v.state = %s AND v.state_voter_id = s.state_voter_id"
        with transaction.atomic(), connection.cursor() as cursor:
            self._analyze_if_grown(cursor)
            _index_joins(cursor)
            _synchronous_commit_off(cursor)
            _stage(cursor, "gg_voter_stage", _VOTER_STAGE, stage)
            # A voter an earlier batch of this run loaded: a duplicate line of the file. The
            # run is compared with IS NOT DISTINCT FROM, which no index serves: with "=" the
            # planner may start from the index on last_import_id (it believes few rows have
            # it) and scan the staged rows once for each of the run's voters.
            cursor.execute(
                f"DELETE FROM gg_voter_stage s USING {vr} v WHERE {match} "  # noqa: S608
                "AND v.last_import_id IS NOT DISTINCT FROM %s RETURNING s.line, s.state_voter_id",
                [state, run.pk],
            )
            problems.extend(
                RowError("voters", line, "state_voter_id", f"duplicate voter id {vid!r}", "")
                for line, vid in cursor.fetchall()
            )
            # Known voters whose row differs in anything the record keeps: few in a newer file
            # of the same state; the row path's comparison writes them and their changes.
            cursor.execute(
                f"SELECT s.line, {_KNOWN_COLUMNS} FROM gg_voter_stage s "  # noqa: S608
                f"JOIN {vr} v ON {match} JOIN {p} p ON p.id = v.person_id "
                f"LEFT JOIN {h} h ON h.id = p.household_id "
                "WHERE v.missing_since IS NOT NULL OR v.status <> s.status OR v.party <> s.party "
                "OR p.first_name <> s.first_name OR p.middle_name <> s.middle_name "
                "OR p.last_name <> s.last_name OR p.suffix <> s.suffix "
                "OR v.registered_on IS DISTINCT FROM s.registered_on "
                "OR (s.street <> '' AND (h.id IS NULL OR h.street <> s.street "
                "OR h.unit <> s.unit OR h.city <> s.city OR h.zip5 <> s.zip5))",
                [state],
            )
            by_line = {v.line: v for v in voters}
            changed: list[tuple[Voter, _Known, list[_Diff]]] = []
            for row in cursor.fetchall():
                v, k = by_line[row[0]], _as_known(row[1:])
                changed.append((v, k, _differences(v, k)))
            moved = _moved_to(changed)
            stamp = connection.ops.adapt_datetimefield_value(now)
            households = _households(state, moved, stamp) if moved else {}
            self._update(changed, households, stamp, now)
            # The rest of the known voters are unchanged: only seen by this run.
            cursor.execute(
                f"UPDATE {vr} v SET last_import_id = %s FROM gg_voter_stage s "  # noqa: S608
                f"WHERE {match} AND v.last_import_id IS DISTINCT FROM %s",
                [run.pk, state, run.pk],
            )
            unchanged = int(cursor.rowcount)
            # The batch's ballots: from the staged history file, or the voters file's own
            # columns. A new voter's general-election count is written with it.
            # (Either way they are in gg_batch_ballots.)
            has_ballots = self.stage is not None or bool(ballots)
            if self.stage is not None:
                self._stage_ballots(cursor)
            elif ballots:
                _stage(cursor, "gg_ballot_stage", _BALLOT_STAGE, ballots)
                _hash_joins(cursor, "on")
                cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_batch_ballots")
                cursor.execute(
                    "CREATE TEMP TABLE gg_batch_ballots AS SELECT s.state_voter_id, "
                    "b.election_date, b.election_name, b.method FROM gg_ballot_stage b "
                    "JOIN gg_voter_stage s USING (line)"
                )
                _hash_joins(cursor, "off")
            new = self._insert_staged(cursor, now)
            self.grown += new
            ballots_added = 0
            if has_ballots:
                ballots_added = self._add_batch_ballots(cursor, known=len(changed) + unchanged > 0)
            ballots_added += self._touch_rejected(problems)
            counts = {"rows_new": new, "rows_updated": len(changed), "rows_unchanged": unchanged}
            self._commit(
                "voters",
                problems,
                last_line,
                rows_read=rows_read,
                history_new=ballots_added,
                **counts,
            )

    def _analyze_if_grown(self, cursor: Any) -> None:
        """Refresh the statistics of the tables the batch joins once they have grown by half
        since last counted (a few times in a whole state's file): believing the voter table
        near empty, the planner would scan it once per staged row instead of looking rows up
        by its index."""
        tables = [VoterRecord._meta.db_table, Household._meta.db_table]
        cursor.execute(
            "SELECT MIN(reltuples) FROM pg_class WHERE oid = ANY(%s::regclass[])", [tables]
        )
        counted = max(0.0, float(cursor.fetchone()[0]))
        if self.grown > counted / 2:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            self.grown = 0

    def _insert_staged(self, cursor: Any, now: dt.datetime) -> int:
        """People, households, voter records and crosswalk ids for the staged voters not on
        file; returns how many."""
        state, run_pk = self.layout.state, self.run.pk
        vr, p, h = _table(VoterRecord), _table(Person), _table(Household)
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_new_voters")
        # Both ids drawn from the tables' own sequences in the statement itself: safe beside
        # other writers, and nothing comes back to Python.
        cursor.execute(
            "CREATE TEMP TABLE gg_new_voters AS SELECT s.*, "  # noqa: S608
            "nextval(pg_get_serial_sequence(%s, 'id')) AS person_id, "
            "nextval(pg_get_serial_sequence(%s, 'id')) AS voter_id FROM gg_voter_stage s "
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} v WHERE v.state = %s "
            "AND v.state_voter_id = s.state_voter_id)",
            [Person._meta.db_table, VoterRecord._meta.db_table, state],
        )
        new = int(cursor.rowcount)
        if not new:
            return 0
        at = "h.state = %s AND h.zip5 = n.zip5 AND h.street = n.street AND h.unit = n.unit " + (
            "AND h.city = n.city"
        )
        # One household per address not on file yet; its county is the last voter's there.
        columns = voterfile.checked_columns(
            Household,
            ("street", "unit", "city", "state", "zip5", "county_fips", "latitude", "longitude",
             "created_at", "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {h} ({columns}) SELECT * FROM (SELECT DISTINCT ON "  # noqa: S608
            "(n.zip5, n.street, n.unit, n.city) n.street, n.unit, n.city, %s, n.zip5, "
            "n.county_fips, NULL::double precision, NULL::double precision, %s, %s "
            "FROM gg_new_voters n WHERE n.street <> '' "
            f"AND NOT EXISTS (SELECT 1 FROM {h} h WHERE {at}) "
            "ORDER BY n.zip5, n.street, n.unit, n.city, n.line DESC) AS a",
            [state, now, now, state],
        )
        columns = voterfile.checked_columns(
            Person,
            ("id", "first_name", "middle_name", "last_name", "suffix", "email", "phone",
             "birth_date", "household_id", "org_unit_id", "merged_into_id", "created_at",
             "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {p} ({columns}) SELECT n.person_id, n.first_name, "  # noqa: S608
            "n.middle_name, n.last_name, n.suffix, n.email, n.phone, n.birth_date, "
            f"CASE WHEN n.street <> '' THEN (SELECT MIN(h.id) FROM {h} h WHERE {at}) END, "
            "n.org_unit_id, NULL, %s, %s FROM gg_new_voters n",
            [state, now, now],
        )
        columns = voterfile.checked_columns(
            VoterRecord,
            ("id", "person_id", "state", "state_voter_id", "county_fips", "party", "status",
             "registered_on", "general_votes", "last_import_id", "missing_since", "created_at",
             "updated_at"),
        )  # fmt: skip
        cursor.execute(
            f"INSERT INTO {vr} ({columns}) SELECT n.voter_id, n.person_id, %s, "  # noqa: S608
            "n.state_voter_id, n.county_fips, n.party, n.status, n.registered_on, "
            "n.general_votes, %s, NULL, %s, %s FROM gg_new_voters n",
            [state, run_pk, now, now],
        )
        columns = voterfile.checked_columns(
            ExternalId, ("person_id", "system", "external_id", "created_at", "updated_at")
        )
        cursor.execute(
            f"INSERT INTO {_table(ExternalId)} ({columns}) SELECT n.person_id, %s, "  # noqa: S608
            "%s || n.state_voter_id, %s, %s FROM gg_new_voters n",
            [ExternalId.System.STATE_VOTER, external_voter_id(state, ""), now, now],
        )
        return new

    def _commit(self, file: str, problems: list[RowError], last_line: int, **counts: int) -> None:
        """Commit a batch of ``file``: "voters", "history", or "staged history" (PostgreSQL's
        history file read first), each with a checkpoint of its own."""
        VoterImportRowError.objects.bulk_create(
            [
                VoterImportRowError(
                    run=self.run,
                    file=p.file,
                    row_number=p.line,
                    field=p.field[:60],
                    reason=p.reason[:300],
                    raw=p.raw[:_RAW_KEPT],
                )
                for p in problems
            ],
            batch_size=1_000,
        )
        rejected = sum(1 for p in problems if p.file == "voters") if file == "voters" else 0
        checkpoint = {"voters": "checkpoint_row", "staged history": "history_staged_row"}.get(
            file, "history_checkpoint_row"
        )
        updates: dict[str, Any] = {k: F(k) + n for k, n in counts.items() if n}
        updates["rows_rejected"] = F("rows_rejected") + rejected
        updates[checkpoint] = last_line
        VoterImport.objects.filter(pk=self.run.pk).update(**updates)
        self.run.refresh_from_db()
        audit.audit_record(
            actor=self.actor,
            kind=audit.Kind.BULK,
            action=f"voter_import.{file.replace(' ', '_')}_batch",
            entity_type="people.voterimport",
            entity_id=self.run.pk,
            summary=(
                f"{file} file up to line {last_line}: "
                + ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in counts.items())
                + f", rejected {len(problems)}"
            ),
        )


def _duplicate(v: Voter) -> RowError:
    return RowError(
        "voters", v.line, "state_voter_id", f"duplicate voter id {v.state_voter_id!r}", ""
    )


def external_voter_id(state: str, state_voter_id: str) -> str:
    # Two states can use the same id: the crosswalk key carries the state.
    return f"{state}:{state_voter_id}"


_Diff = tuple[str, dict[str, Any], dict[str, Any]]  # (VoterChange kind, before, after)


def _differences(v: Voter, k: _Known) -> list[_Diff]:
    kind = VoterChange.Kind
    diffs: list[_Diff] = []
    if k.missing_since is not None:
        since = k.missing_since
        diffs.append((kind.RETURNED, {"missing_since": str(since)}, {}))
    if v.street and v.address != k.address:
        diffs.append(
            (
                kind.MOVED,
                {"address": _address_text(k.address), "county_fips": k.county_fips},
                {"address": _address_text(v.address), "county_fips": v.county_fips},
            )
        )
    if v.status != k.status:
        diffs.append((kind.STATUS, {"status": k.status}, {"status": v.status}))
    if v.party != k.party:
        diffs.append((kind.PARTY, {"party": k.party}, {"party": v.party}))
    names = ("first_name", "middle_name", "last_name", "suffix")
    before = dict(zip(names, (k.first_name, k.middle_name, k.last_name, k.suffix), strict=True))
    after = dict(zip(names, (v.first_name, v.middle_name, v.last_name, v.suffix), strict=True))
    if before != after:
        diffs.append(
            (
                kind.NAME,
                {n: before[n] for n in names if before[n] != after[n]},
                {n: after[n] for n in names if before[n] != after[n]},
            )
        )
    return diffs


def _moved_to(
    changed: list[tuple[Voter, _Known, list[_Diff]]],
) -> dict[tuple[str, str, str, str], str]:
    """The addresses (with their county) that known voters of a batch moved to: each needs
    a household."""
    return {
        v.address: v.county_fips
        for v, _, diffs in changed
        if v.street and any(kind == VoterChange.Kind.MOVED for kind, _, _ in diffs)
    }


def _voter_pks(state: str, ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT state_voter_id, id FROM {_table(VoterRecord)} "  # noqa: S608
                f"WHERE state = %s AND state_voter_id IN ({marks})",
                [state, *chunk],
            )
            found.update(cursor.fetchall())
    return found


# -- a run -------------------------------------------------------------------------------------


def _readable(path: Path, what: str) -> Path:
    if not path.is_file() or not os.access(path, os.R_OK):
        raise ValidationFailed(
            f"The {what} file {str(path)!r} does not exist or cannot be read.",
            code=errors.VOTER_IMPORT_FILE,
            field=what,
        )
    return path


def layout_for(name: str) -> Layout:
    try:
        return layouts.get(name)
    except KeyError:
        raise ValidationFailed(
            f"No voter-file layout {name!r}; known layouts: {', '.join(layouts.names())}.",
            code=errors.VOTER_IMPORT_LAYOUT,
            field="layout",
        ) from None


def run_import(
    *,
    actor: Actor,
    layout_name: str,
    voters: Path,
    history: Path | None = None,
    resume: int | None = None,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> Outcome:
    """Import (or, with ``resume``, continue importing) a state's files; see the module."""
    if batch_size is None:
        batch_size = BATCH_SIZE.get(connection.vendor, DEFAULT_BATCH_SIZE)
    layout = layout_for(layout_name)
    _readable(voters, "voters")
    if history is not None:
        _readable(history, "history")
        if not layout.has_history_file:
            raise ValidationFailed(
                f"The {layout.name} layout carries vote history in the voters file; "
                "it takes no history file.",
                code=errors.VOTER_IMPORT_FILE,
                field="history",
            )
    notes: list[str] = []
    voter_header = read_header(voters, layout.delimiter)
    extra = check_header(voter_header, layout.columns, what="voters", layout=layout)
    history_header: list[str] = []
    if history is not None:
        history_header = read_header(history, layout.delimiter)
        extra += check_header(history_header, layout.history_columns, what="history", layout=layout)
    if extra:
        notes.append(f"Columns not in the layout were ignored: {_list(extra)}.")

    files = [voters] if history is None else [voters, history]
    print_hash = fingerprint(*files)
    # A vectorized first load that failed (rather than died) is resumed batch by batch.
    vectorized = resume is None or not VoterImport.objects.filter(pk=resume).exclude(error="")
    run = _start(actor, layout, voters, history, print_hash, resume)
    if run is None:
        earlier = VoterImport.objects.filter(
            fingerprint=print_hash, status=VoterImport.Status.COMPLETED
        ).latest("pk")
        return Outcome(run=earlier, already_imported=True)

    if resume is None:
        _defer_indexes(run, layout, voters)
    batcher = _Batcher(run, layout, actor)
    # On PostgreSQL the history file is read first, into a table of the run's own: each
    # batch of voters then takes its ballots and general-election counts from it, and no
    # voter is written twice.
    staged = connection.vendor == "postgresql" and history is not None
    try:
        if vectorized and _first_load(
            batcher, voters, voter_header, history, history_header, progress
        ):
            run.refresh_from_db()
            return Outcome(run=run, notes=notes)
        # Until the history file is closed (checkpoint 0: voters to load; 1: the rest of the
        # history to add): a resumed run finds its staged history, or reads it again when a
        # database restart emptied it.
        if staged and run.history_checkpoint_row <= 1:
            assert history is not None
            _history_stage_phase(batcher, history, history_header, batch_size, progress, notes)
        if run.history_checkpoint_row == 0:
            _voters_phase(batcher, voters, voter_header, batch_size, progress, notes)
            _finish_voters(batcher)
        if staged:
            _history_rest(batcher)
        elif history is not None:
            _history_phase(batcher, history, history_header, batch_size, progress, notes)
        _finish(batcher, progress)
    except BaseException as exc:
        # The run stays resumable from its checkpoint; say why it stopped.
        VoterImport.objects.filter(pk=run.pk).update(
            status=VoterImport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    run.refresh_from_db()
    return Outcome(run=run, notes=notes)


# A state's first file on PostgreSQL (its indexes deferred) is read whole in DuckDB and copied
# in (``voter_firstload``); off, it goes batch by batch like every other load.
VECTORIZED_FIRST_LOAD = True


def _first_load(
    batcher: _Batcher,
    voters: Path,
    voter_header: list[str],
    history: Path | None,
    history_header: list[str],
    progress: Progress | None,
) -> bool:
    """Load the files the vectorized way when this run is a first load not begun batch by
    batch; True when it did (and closed the run)."""
    run = batcher.run
    if not (VECTORIZED_FIRST_LOAD and run.deferred_indexes and run.checkpoint_row == 0):
        return False
    if run.history_staged_row or VoterRecord.objects.filter(state=run.state).exists():
        return False
    from groundgame.people import voter_firstload  # it builds on this module

    loaded = voter_firstload.load(batcher, voters, voter_header, history, history_header, progress)
    if loaded:
        _finish(batcher, progress)
    return loaded


def _start(
    actor: Actor,
    layout: Layout,
    voters: Path,
    history: Path | None,
    print_hash: str,
    resume: int | None,
) -> VoterImport | None:
    """The run to carry on with: a new one, or the one to resume. None when the files were
    imported completely before."""
    same = VoterImport.objects.filter(fingerprint=print_hash, layout=layout.name)
    if resume is not None:
        run = VoterImport.objects.filter(pk=resume).first()
        if run is None:
            raise ValidationFailed(
                f"No import run {resume}.", code=errors.VOTER_IMPORT_RESUME, field="resume"
            )
        if run.status == VoterImport.Status.COMPLETED:
            raise ValidationFailed(
                f"Import run {resume} has completed; there is nothing to resume.",
                code=errors.VOTER_IMPORT_RESUME,
                field="resume",
            )
        if run.fingerprint != print_hash or run.layout != layout.name:
            raise ValidationFailed(
                f"These are not the files of import run {resume} (their contents differ).",
                code=errors.VOTER_IMPORT_RESUME,
                field="resume",
            )
        with transaction.atomic():
            VoterImport.objects.filter(pk=run.pk).update(
                status=VoterImport.Status.RUNNING, error=""
            )
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="voter_import.resume",
                entity_type="people.voterimport",
                entity_id=run.pk,
                summary=f"resumed after line {run.checkpoint_row} of the voters file",
            )
        run.refresh_from_db()
        return run
    if same.filter(status=VoterImport.Status.COMPLETED).exists():
        return None
    unfinished = same.exclude(status=VoterImport.Status.COMPLETED).order_by("-pk").first()
    if unfinished is not None:
        raise ValidationFailed(
            f"Import run {unfinished.pk} of these files stopped after line "
            f"{unfinished.checkpoint_row}; continue it with --resume {unfinished.pk}.",
            code=errors.VOTER_IMPORT_RESUME,
            field="resume",
        )
    with transaction.atomic():
        run = VoterImport.objects.create(
            layout=layout.name,
            state=layout.state,
            voters_file=voters.name[:255],
            history_file=history.name[:255] if history else "",
            fingerprint=print_hash,
            started_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
        )
        audit.audit_create(actor=actor, action="voter_import.start", instance=run)
    return run


def _estimate(lines: _Lines, done: int) -> int:
    # Lines so far scaled by the bytes left: the ETA without counting the file's lines first.
    if not lines.bytes_read:
        return done
    return max(done, round(done * lines.size / lines.bytes_read))


class _Batch(NamedTuple):
    rows: list[Any]  # Voter or HistoryLine
    problems: list[RowError]
    last_line: int
    done: int  # lines read so far, for the progress report
    estimate: int


def _ahead(batches: Iterator[_Batch]) -> Iterator[_Batch]:
    """The batches, read and parsed one ahead in a thread: parsing (Python) then runs while
    this thread waits on the database, which works on the other core."""
    ready: queue.Queue[_Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: _Batch | BaseException | None) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def read() -> None:
        try:
            for batch in batches:
                put(batch)
                if stop.is_set():
                    return
            put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    reader = threading.Thread(target=read, name="voter-file-reader", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        # The consumer stopped (done, or failed): the reader must not wait on a full queue.
        stop.set()
        reader.join()


def _voter_batches(
    parser: VoterParser, lines: _Lines, batch_size: int, done: int, last: int
) -> Iterator[_Batch]:
    voters: list[Voter] = []
    problems: list[RowError] = []
    seen: set[str] = set()  # ids of this batch: duplicates across batches are found on file
    id_index = parser.index["state_voter_id"]
    checkpoint = last
    for number, parts, text, problem in lines:
        last = number
        if problem is None and parts is not None:
            try:
                voter = parser.parse(number, parts)
            except RowProblem as exc:
                problem = exc
            else:
                if voter.state_voter_id in seen:
                    problems.append(_duplicate(voter))
                else:
                    seen.add(voter.state_voter_id)
                    voters.append(voter)
        if problem is not None:
            voter_id = parts[id_index].strip().upper() if parts is not None else ""
            problems.append(
                RowError("voters", number, problem.field, problem.reason, text, voter_id[:40])
            )
        if len(voters) + len(problems) >= batch_size:
            done += len(voters) + len(problems)
            yield _Batch(voters, problems, last, done, _estimate(lines, done))
            voters, problems, seen = [], [], set()
    if voters or problems or last > checkpoint:
        done += len(voters) + len(problems)
        yield _Batch(voters, problems, last, done, done)


def _voters_phase(
    batcher: _Batcher,
    path: Path,
    header: list[str],
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    run = batcher.run
    parser = VoterParser(batcher.layout, header)
    lines = _Lines(path, batcher.layout.delimiter, len(header), skip_to=run.checkpoint_row)
    done = run.rows_read
    batches = _voter_batches(parser, lines, batch_size, done, run.checkpoint_row)
    _load_phase("voters", batches, batcher.voters, lines, done, progress, notes)


def _load_phase(
    phase: str,
    batches: Iterator[_Batch],
    load: Callable[[list[Any], list[RowError], int], None],
    lines: _Lines,
    done: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    """Hands each batch to ``load`` (parsed one ahead), reporting progress, then notes the
    lines that were read as Latin-1."""
    for batch in _ahead(batches):
        load(batch.rows, batch.problems, batch.last_line)
        done = batch.done
        if progress is not None:
            progress(phase, done, batch.estimate)
    if progress is not None:
        progress(phase, done, done)
    if lines.latin1:
        notes.append(
            f"{lines.latin1:,} lines of the {phase} file were not UTF-8 and were read as Latin-1."
        )


def _finish_voters(batcher: _Batcher) -> None:
    """Voters of the state this file no longer lists are marked missing, once, in the same
    transaction that closes the voters phase (history checkpoint 1: its header line)."""
    run, state = batcher.run, batcher.layout.state
    now = timezone.now()
    vr, vc = _table(VoterRecord), _table(VoterChange)
    absent = (
        "state = %s AND missing_since IS NULL AND (last_import_id IS NULL OR last_import_id <> %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(now)
        cursor.execute(
            f"INSERT INTO {vc} (voter_id, run_id, kind, before, after, at) "  # noqa: S608
            f"SELECT id, %s, %s, '{{}}', '{{}}', %s FROM {vr} WHERE {absent}",
            [run.pk, VoterChange.Kind.MISSING, stamp, state, run.pk],
        )
        cursor.execute(
            f"UPDATE {vr} SET missing_since = %s WHERE {absent}",  # noqa: S608
            [stamp, state, run.pk],
        )
        missing = int(cursor.rowcount)
        VoterImport.objects.filter(pk=run.pk).update(
            marked_missing=F("marked_missing") + missing, history_checkpoint_row=1
        )
        audit.audit_record(
            actor=batcher.actor,
            kind=audit.Kind.BULK,
            action="voter_import.missing",
            entity_type="people.voterimport",
            entity_id=run.pk,
            summary=f"{missing} voters of {state} no longer on the file marked missing",
        )
    run.refresh_from_db()


def _history_batches(
    parser: HistoryParser, lines: _Lines, batch_size: int, last: int
) -> Iterator[_Batch]:
    rows: list[HistoryLine] = []
    problems: list[RowError] = []
    seen: set[tuple[str, dt.date]] = set()
    done = 0
    checkpoint = last
    for number, parts, text, problem in lines:
        last = number
        if problem is None and parts is not None:
            try:
                line = parser.parse(number, parts)
            except RowProblem as exc:
                problem = exc
            else:
                key = (line.state_voter_id, line.ballot.election_date)
                # The same ballot twice in a batch: the staging insert would count it once
                # anyway; skipping it here keeps the statement's rows unique.
                if key not in seen:
                    seen.add(key)
                    rows.append(line)
        if problem is not None:
            problems.append(RowError("history", number, problem.field, problem.reason, text))
        if len(rows) + len(problems) >= batch_size:
            done += len(rows) + len(problems)
            yield _Batch(rows, problems, last, done, _estimate(lines, done))
            rows, problems, seen = [], [], set()
    if rows or problems or last > checkpoint:
        done += len(rows) + len(problems)
        yield _Batch(rows, problems, last, done, done)


def _history_phase(
    batcher: _Batcher,
    path: Path,
    header: list[str],
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    run = batcher.run
    parser = HistoryParser(batcher.layout, header)
    lines = _Lines(path, batcher.layout.delimiter, len(header), skip_to=run.history_checkpoint_row)
    batches = _history_batches(parser, lines, batch_size, run.history_checkpoint_row)
    _load_phase("history", batches, batcher.history, lines, 0, progress, notes)


# -- a first load: secondary indexes built once at the end ---------------------------------------
#
# A state's first file on PostgreSQL adds millions of rows to tables with about thirty
# secondary indexes between them; keeping each index up to date row by row costs several times
# what building it once from the loaded table does (a sort instead of random page writes). So
# such a run drops the indexes that neither a unique rule nor its own statements need, keeps
# their definitions on the run (a run that dies still knows what to rebuild), and builds them
# when it completes, CONCURRENTLY so that other writers (sign-ups) are not held up meanwhile.
# Until then the rest of the platform still works, more slowly, on the state's people.

# Voters files from this size (about 130,000 North Carolina rows) are loaded this way.
DEFER_INDEXES_FROM_BYTES = 50_000_000
# Indexes the import reads while it writes, besides unique ones and primary keys.
_KEPT_INDEXES = ["household_address_idx"]
_INDEXED = (Household, Person, VoterRecord, ExternalId, VoteHistory)


def _defer_indexes(run: VoterImport, layout: Layout, voters: Path) -> None:
    if connection.vendor != "postgresql" or voters.stat().st_size < DEFER_INDEXES_FROM_BYTES:
        return
    if VoterRecord.objects.filter(state=layout.state).exists():
        return  # not a first load: the indexes serve the matching of known voters
    tables = [m._meta.db_table for m in _INDEXED]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'index', c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid "
            "AND c.relname <> ALL(%s) ORDER BY c.relname",
            [tables, _KEPT_INDEXES],
        )
        deferred = [list(row) for row in cursor.fetchall()]
        # Foreign keys too: each row written is checked at commit by a query of its own, where
        # validating the loaded table is one join.
        cursor.execute(
            "SELECT 'foreign_key', conname, format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s "
            "NOT VALID', conrelid::regclass, conname, pg_get_constraintdef(oid)) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "AND convalidated ORDER BY conname",
            [tables],
        )
        foreign = [list(row) for row in cursor.fetchall()]
        deferred += foreign
        if not deferred:
            return
        VoterImport.objects.filter(pk=run.pk).update(deferred_indexes=deferred)
        # A table cannot be altered with checks of this transaction pending (an outer one's).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _, name, definition in foreign:
            table = definition.split()[2]
            quoted = connection.ops.quote_name(name)
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quoted}")
        for kind, name, _ in deferred:
            if kind == "index":
                cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    run.refresh_from_db()


def _build_deferred_indexes(run: VoterImport, progress: Progress | None = None) -> None:
    """Build the indexes the run dropped (one left invalid by a build that died is built
    again), then add back its foreign keys and validate them, which holds up no writer."""
    if not run.deferred_indexes:
        return
    total = len(run.deferred_indexes)
    # CONCURRENTLY cannot run inside a transaction (a test's, for one).
    concurrently = "" if connection.in_atomic_block else "CONCURRENTLY "
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        if concurrently == "":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        try:
            for built, (kind, name, definition) in enumerate(run.deferred_indexes):
                if progress is not None:
                    progress("indexes", built, total)
                quoted = connection.ops.quote_name(name)
                if kind == "foreign_key":
                    cursor.execute(
                        "SELECT convalidated FROM pg_constraint WHERE conname = %s", [name]
                    )
                    found = cursor.fetchone()
                    if found is None:
                        cursor.execute(definition)
                    if found is None or not found[0]:
                        table = definition.split()[2]
                        cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quoted}")
                    continue
                cursor.execute(
                    "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "WHERE c.relname = %s",
                    [name],
                )
                found = cursor.fetchone()
                if found is not None and found[0]:
                    continue
                if found is not None:
                    cursor.execute(f"DROP INDEX {concurrently}IF EXISTS {quoted}")
                cursor.execute(
                    definition.replace("CREATE INDEX ", f"CREATE INDEX {concurrently}", 1)
                )
        finally:
            cursor.execute("RESET maintenance_work_mem")
            if concurrently == "":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    if progress is not None:
        progress("indexes", total, total)
    VoterImport.objects.filter(pk=run.pk).update(deferred_indexes=[])
    run.refresh_from_db()


def _stage_table(run: VoterImport) -> str:
    return f"gg_import_{run.pk}_history"


def _history_stage_phase(
    batcher: _Batcher,
    path: Path,
    header: list[str],
    batch_size: int,
    progress: Progress | None,
    notes: list[str],
) -> None:
    """Read the history file into the run's staged history (an unlogged table: it is written
    once and dropped at the end), resumable from its own checkpoint, then index it by voter."""
    run = batcher.run
    stage = batcher.stage = _stage_table(run)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [stage])
        exists = bool(cursor.fetchone()[0])
        has_rows = False
        if exists:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {stage})")  # noqa: S608
            has_rows = bool(cursor.fetchone()[0])
    if run.history_staged_row > 0 and not has_rows:
        # Begun, and empty: a database restart empties an unlogged table (or no line of the
        # file was good). Read it again from the start; if voters took ballots from it
        # already, the end of the run matches the history against every voter.
        with transaction.atomic():
            VoterImportRowError.objects.filter(run=run, file="history").delete()
            VoterImport.objects.filter(pk=run.pk).update(
                history_staged_row=0,
                history_staged=False,
                history_rescan=run.history_rescan or run.checkpoint_row > 0,
            )
        run.refresh_from_db()
    if run.history_staged:
        return
    with connection.cursor() as cursor:
        if run.history_staged_row == 0:
            cursor.execute(f"DROP TABLE IF EXISTS {stage}")
            cursor.execute(f"CREATE UNLOGGED TABLE {stage} ({_HISTORY_STAGE})")
    parser = HistoryParser(batcher.layout, header)
    lines = _Lines(path, batcher.layout.delimiter, len(header), skip_to=run.history_staged_row)
    batches = _history_batches(parser, lines, batch_size, run.history_staged_row)
    _load_phase("history", batches, batcher.history_stage, lines, 0, progress, notes)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {stage}_voter ON {stage} (state_voter_id, line)"
        )
        cursor.execute(f"ANALYZE {stage}")
        VoterImport.objects.filter(pk=run.pk).update(history_staged=True)
    run.refresh_from_db()


def _history_rest(batcher: _Batcher) -> None:
    """After the voters file: the staged ballots no voter of the file took (those of voters
    on file that it no longer lists are added; those of unknown voters are reported), then the
    staged history is dropped. One transaction, which closes the history file."""
    run, state = batcher.run, batcher.layout.state
    if run.history_checkpoint_row > 1:
        return
    stage = _stage_table(run)
    vr = _table(VoterRecord)
    column = batcher.layout.history_fields["state_voter_id"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [stage])
        if not cursor.fetchone()[0]:
            raise RuntimeError(f"the staged history of import run {run.pk} is missing")
    # Every staged ballot when the staged history was read again after voters had taken
    # theirs; else those whose voter this run did not load.
    taken = (
        ""
        if run.history_rescan
        else (
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} t WHERE t.state = %s "  # noqa: S608
            "AND t.state_voter_id = h.state_voter_id AND t.last_import_id = %s) "
        )
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _synchronous_commit_off(cursor)
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS pg_temp.gg_history_rest")
        cursor.execute(
            "CREATE TEMP TABLE gg_history_rest AS SELECT DISTINCT ON "  # noqa: S608
            "(h.state_voter_id, h.election_date) h.* "
            f"FROM {stage} h {taken}ORDER BY h.state_voter_id, h.election_date, h.line",
            [] if run.history_rescan else [state, run.pk],
        )
        added = _add_ballots(
            cursor,
            "SELECT v.id, r.election_date, r.election_name, r.method "  # noqa: S608
            f"FROM gg_history_rest r JOIN {vr} v ON v.state = %s "
            "AND v.state_voter_id = r.state_voter_id",
            [state],
            recount=True,
        )
        cursor.execute(
            "SELECT r.line, r.state_voter_id FROM gg_history_rest r "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM {vr} v WHERE v.state = %s "
            "AND v.state_voter_id = r.state_voter_id) ORDER BY r.line",
            [state],
        )
        problems = [
            RowError("history", line, column, f"no voter {vid!r} on file", "")
            for line, vid in cursor.fetchall()
        ]
        cursor.execute("DROP TABLE pg_temp.gg_history_rest")
        cursor.execute(f"DROP TABLE {stage}")
        batcher._commit(
            "history", problems, max(run.history_staged_row, 2), history_new=added, rows_read=0
        )


def _finish(batcher: _Batcher, progress: Progress | None = None) -> None:
    """Bring the state's general-election counts up to date (SQLite: PostgreSQL keeps them
    batch by batch), build the indexes a first load deferred and close the run."""
    run, state = batcher.run, batcher.layout.state
    vr, vh = _table(VoterRecord), _table(VoteHistory)
    marks = ", ".join(["%s"] * len(PRESIDENTIAL_GENERALS))
    if connection.vendor != "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {vr} SET general_votes = c.n FROM (SELECT voter_id, COUNT(*) AS n "  # noqa: S608
                f"FROM {vh} WHERE election_date IN ({marks}) GROUP BY voter_id) AS c "
                f"WHERE {vr}.id = c.voter_id AND {vr}.state = %s AND {vr}.general_votes <> c.n",
                [*PRESIDENTIAL_GENERALS, state],
            )
    _build_deferred_indexes(run, progress)
    with transaction.atomic():
        VoterImport.objects.filter(pk=run.pk).update(
            status=VoterImport.Status.COMPLETED, finished_at=timezone.now(), error=""
        )
        run.refresh_from_db()
        audit.audit_record(
            actor=batcher.actor,
            kind=audit.Kind.BULK,
            action="voter_import.complete",
            entity_type="people.voterimport",
            entity_id=run.pk,
            summary=(
                f"{run.rows_new} new, {run.rows_updated} updated, {run.rows_unchanged} "
                f"unchanged, {run.rows_rejected} rejected, {run.history_new} ballots added, "
                f"{run.marked_missing} missing"
            ),
        )


# -- reports -----------------------------------------------------------------------------------

REPORT_COLUMNS = ("file", "row", "field", "reason", "line")


def write_error_report(run_id: int, out: Any) -> int:
    """The run's rejected rows as CSV into the text stream ``out``; returns how many."""
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    count = 0
    rows = VoterImportRowError.objects.filter(run_id=run_id).order_by(
        "-file", "row_number"
    )  # voters before history
    for e in rows.values_list("file", "row_number", "field", "reason", "raw").iterator(
        chunk_size=5_000
    ):
        writer.writerow(e)
        count += 1
    return count

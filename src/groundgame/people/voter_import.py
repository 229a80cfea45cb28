"""Importing a state's voter file, streamed in batches, resumable and idempotent.

A run reads the voters file in batches of rows and commits each batch with its row errors, the
run's counters, its checkpoint (the last line committed) and one audit row, so a run that dies
is continued with ``--resume`` from the line after its checkpoint and loads every row once.
Then the vote-history file (if the layout has one) the same way, and last the voters' general
election count is brought up to date.

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

Rows go to the database in bulk: new rows with the loader of ``voterfile`` (``COPY`` on
PostgreSQL, ``executemany`` on SQLite), vote history through a staging table and one
``INSERT ... ON CONFLICT DO NOTHING`` (so a ballot is never recorded twice).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

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

BATCH_SIZE = 20_000
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


class VoterParser:
    """Turns the fields of one line into a ``Voter``, or raises ``RowProblem``."""

    def __init__(self, layout: Layout, header: Sequence[str]) -> None:
        self.layout = layout
        position = {c: i for i, c in enumerate(header)}
        self.index = {f: position[c] for f, c in layout.fields.items()}
        self.column = dict(layout.fields)
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

    def _get(self, parts: list[str], name: str) -> str:
        i = self.index.get(name)
        return "" if i is None else parts[i].strip()

    def _date(self, parts: list[str], name: str) -> dt.date | None:
        value = self._get(parts, name)
        if not value:
            return None
        try:
            day = self.date(value)
        except ValueError:
            raise RowProblem(
                self.column[name], f"{value!r} is not a date ({self.layout.date_format})"
            ) from None
        if day.year < 1900 or day > dt.date.today():
            raise RowProblem(self.column[name], f"{value!r} is not a plausible date")
        return day

    def parse(self, number: int, parts: list[str]) -> Voter:
        layout, get = self.layout, self._get
        for name in layout.required:
            if not get(parts, name):
                raise RowProblem(self.column[name], "missing")
        county_value = get(parts, "county")
        county = layout.county_fips(county_value)
        if county is None:
            raise RowProblem(self.column["county"], f"unknown county {county_value!r}")
        party_value = get(parts, "party").upper()
        party = layout.party_codes.get(party_value)
        if party is None:
            raise RowProblem(self.column["party"], f"unknown party code {party_value!r}")
        status_value = get(parts, "status").upper()
        status = layout.status_codes.get(status_value)
        if status is None:
            raise RowProblem(self.column["status"], f"unknown status code {status_value!r}")
        zip_value = get(parts, "zip5")
        zip5 = zip_value[:5]
        if zip5 and not (zip5.isdigit() and len(zip5) == 5):
            raise RowProblem(self.column["zip5"], f"{zip_value!r} is not a ZIP code")
        street, unit, city, zip5 = normalize_address(
            get(parts, "street"), get(parts, "unit"), get(parts, "city"), zip5
        )
        voter_id = get(parts, "state_voter_id").upper()
        if len(voter_id) > 40:
            raise RowProblem(self.column["state_voter_id"], "longer than 40 characters")
        ballots = tuple(b for i, b in self.history if parts[i].strip())
        return Voter(
            line=number,
            state_voter_id=voter_id,
            first_name=_name(get(parts, "first_name"))[:100],
            middle_name=_name(get(parts, "middle_name"))[:100],
            last_name=_name(get(parts, "last_name"))[:100],
            suffix=_words(get(parts, "suffix")).upper()[:20],
            birth_date=self._date(parts, "birth_date"),
            phone=_phone(get(parts, "phone")),
            email=get(parts, "email").lower()[:254],
            street=street[:200],
            unit=unit[:40],
            city=city[:100],
            zip5=zip5,
            county_fips=county,
            party=party,
            status=status,
            registered_on=self._date(parts, "registered_on"),
            ballots=ballots,
        )


def _phone(value: str) -> str:
    """E.164 for a US number; anything else is dropped (a phone is optional)."""
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

    def parse(self, number: int, parts: list[str]) -> HistoryLine:
        column = self.layout.history_fields
        values = {f: parts[i].strip() for f, i in self.index.items()}
        for name in ("state_voter_id", "election_date", "method"):
            if not values[name]:
                raise RowProblem(column[name], "missing")
        try:
            day = self.date(values["election_date"])
        except ValueError:
            raise RowProblem(
                column["election_date"],
                f"{values['election_date']!r} is not a date ({self.layout.date_format})",
            ) from None
        method = self.layout.method_codes.get(values["method"].upper())
        if method is None:
            raise RowProblem(column["method"], f"unknown voting method {values['method']!r}")
        name = _words(values.get("election_name", "")) or f"{day.isoformat()} election"
        return HistoryLine(number, values["state_voter_id"].upper(), Ballot(day, name[:60], method))


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
                f"SELECT v.state_voter_id, v.id, v.person_id, v.party, v.status, v.county_fips, "  # noqa: S608 - model tables
                f"v.registered_on, v.last_import_id, v.missing_since, p.first_name, "
                f"p.middle_name, p.last_name, p.suffix, p.org_unit_id, p.household_id, "
                f"h.street, h.unit, h.city, h.zip5 FROM {v} v JOIN {p} p ON p.id = v.person_id "
                f"LEFT JOIN {h} h ON h.id = p.household_id "
                f"WHERE v.state = %s AND v.state_voter_id IN ({marks})",
                [state, *chunk],
            )
            for row in cursor.fetchall():
                registered = row[6]
                if isinstance(registered, str):  # SQLite hands dates back as text
                    registered = dt.date.fromisoformat(registered)
                address = None if row[14] is None else (row[15], row[16], row[17], row[18])
                found[row[0]] = _Known(
                    row[1], row[2], row[3], row[4], row[5], registered, row[7], row[8],
                    row[9], row[10], row[11], row[12], row[13], row[14], address,
                )  # fmt: skip
    return found


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
    """Add ballots (voter pk, date, name, method); one already recorded for the voter and date
    is left as it is. Returns how many were added."""
    if not rows:
        return 0
    table = _table(VoteHistory)
    columns = "voter_id, election_date, election_name, method"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS gg_history_stage (voter_id bigint, "
                "election_date date, election_name text, method text) ON COMMIT DELETE ROWS"
            )
            with cursor.cursor.copy(f"COPY gg_history_stage ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM gg_history_stage "  # noqa: S608
                "ON CONFLICT DO NOTHING"
            )
            added = int(cursor.rowcount)
            # Emptied here too, not only at commit: inside an outer transaction (a test's) the
            # next batch must not see this one's rows.
            cursor.execute("DELETE FROM gg_history_stage")
            return added
        before = connection.connection.total_changes
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
            rows,
        )
        return int(connection.connection.total_changes - before)


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

    def voters(self, voters: list[Voter], problems: list[RowError], last_line: int) -> None:
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
            wanted.update(
                (v.address, v.county_fips)
                for v, _, diffs in changed
                if v.street and any(kind == VoterChange.Kind.MOVED for kind, _, _ in diffs)
            )
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

    def _touch_rejected(self, problems: list[RowError]) -> None:
        """A rejected row still lists its voter: keep them from being taken as missing."""
        ids = sorted({p.voter_id for p in problems if p.voter_id})
        with connection.cursor() as cursor:
            for chunk in _chunks(ids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"UPDATE {_table(VoterRecord)} SET last_import_id = %s "  # noqa: S608
                    f"WHERE state = %s AND state_voter_id IN ({marks}) "
                    "AND (last_import_id IS NULL OR last_import_id <> %s)",
                    [self.run.pk, self.layout.state, *chunk, self.run.pk],
                )

    def history(self, lines: list[HistoryLine], problems: list[RowError], last_line: int) -> None:
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

    def _commit(self, file: str, problems: list[RowError], last_line: int, **counts: int) -> None:
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
        checkpoint = "checkpoint_row" if file == "voters" else "history_checkpoint_row"
        updates: dict[str, Any] = {k: F(k) + n for k, n in counts.items() if n}
        updates["rows_rejected"] = F("rows_rejected") + rejected
        updates[checkpoint] = last_line
        VoterImport.objects.filter(pk=self.run.pk).update(**updates)
        self.run.refresh_from_db()
        audit.audit_record(
            actor=self.actor,
            kind=audit.Kind.BULK,
            action=f"voter_import.{file}_batch",
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
    batch_size: int = BATCH_SIZE,
) -> Outcome:
    """Import (or, with ``resume``, continue importing) a state's files; see the module."""
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
    run = _start(actor, layout, voters, history, print_hash, resume)
    if run is None:
        earlier = VoterImport.objects.filter(
            fingerprint=print_hash, status=VoterImport.Status.COMPLETED
        ).latest("pk")
        return Outcome(run=earlier, already_imported=True)

    batcher = _Batcher(run, layout, actor)
    try:
        if run.history_checkpoint_row == 0:
            _voters_phase(batcher, voters, voter_header, batch_size, progress, notes)
            _finish_voters(batcher)
        if history is not None:
            _history_phase(batcher, history, history_header, batch_size, progress, notes)
        _finish(batcher)
    except BaseException as exc:
        # The run stays resumable from its checkpoint; say why it stopped.
        VoterImport.objects.filter(pk=run.pk).update(
            status=VoterImport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:500]
        )
        raise
    run.refresh_from_db()
    return Outcome(run=run, notes=notes)


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
    voters: list[Voter] = []
    problems: list[RowError] = []
    seen: set[str] = set()  # ids of this batch: duplicates across batches are found on file
    done = run.rows_read
    id_index = parser.index["state_voter_id"]
    last = run.checkpoint_row
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
            batcher.voters(voters, problems, last)
            voters, problems, seen = [], [], set()
            if progress is not None:
                progress("voters", done, _estimate(lines, done))
    if voters or problems or last > run.checkpoint_row:
        done += len(voters) + len(problems)
        batcher.voters(voters, problems, last)
    if progress is not None:
        progress("voters", done, done)
    if lines.latin1:
        notes.append(
            f"{lines.latin1:,} lines of the voters file were not UTF-8 and were read as Latin-1."
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
    rows: list[HistoryLine] = []
    problems: list[RowError] = []
    seen: set[tuple[str, dt.date]] = set()
    done = 0
    last = run.history_checkpoint_row
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
            batcher.history(rows, problems, last)
            rows, problems, seen = [], [], set()
            if progress is not None:
                progress("history", done, _estimate(lines, done))
    if rows or problems or last > run.history_checkpoint_row:
        done += len(rows) + len(problems)
        batcher.history(rows, problems, last)
    if progress is not None:
        progress("history", done, done)
    if lines.latin1:
        notes.append(
            f"{lines.latin1:,} lines of the history file were not UTF-8 and were read as Latin-1."
        )


def _finish(batcher: _Batcher) -> None:
    """Bring the state's general-election counts up to date and close the run."""
    run, state = batcher.run, batcher.layout.state
    vr, vh = _table(VoterRecord), _table(VoteHistory)
    marks = ", ".join(["%s"] * len(PRESIDENTIAL_GENERALS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {vr} SET general_votes = c.n FROM (SELECT voter_id, COUNT(*) AS n "  # noqa: S608
            f"FROM {vh} WHERE election_date IN ({marks}) GROUP BY voter_id) AS c "
            f"WHERE {vr}.id = c.voter_id AND {vr}.state = %s AND {vr}.general_votes <> c.n",
            [*PRESIDENTIAL_GENERALS, state],
        )
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

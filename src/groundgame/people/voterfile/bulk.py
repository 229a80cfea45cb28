"""Bulk loading of a voter file: households, people, voter records and vote history.

Rows arrive as plain tuples in batches, linked by their position in the batch (a person names
its household's index, a history row its voter's index); the loader reserves primary keys for
the whole batch at once and writes each table in one statement: ``COPY`` on PostgreSQL, one
``executemany`` elsewhere (on SQLite this is several times faster than ``bulk_create``, which
builds a model instance per row and splits inserts into small multi-row statements).

The columns come from the models' ``_meta``, and the loader refuses to run if a model gained
a column it does not fill, so a schema change cannot silently load NULLs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection, models
from django.utils import timezone

from groundgame.people.elections import general_votes
from groundgame.people.models import Household, Person, VoteHistory, VoterRecord


class HouseholdRow(NamedTuple):
    street: str
    unit: str
    city: str
    state: str
    zip5: str
    county_fips: str
    latitude: float | None
    longitude: float | None


class PersonRow(NamedTuple):
    household: int  # index into the batch's households
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    email: str
    phone: str
    birth_date: dt.date | None
    org_unit_id: int | None


class VoterRow(NamedTuple):
    """The registration of the person at the same index of the batch."""

    state: str
    state_voter_id: str
    county_fips: str
    party: str
    status: str
    registered_on: dt.date | None


class HistoryRow(NamedTuple):
    voter: int  # index into the batch's voters (and people)
    election_date: dt.date
    election_name: str
    method: str


@dataclass
class VoterFileBatch:
    households: list[HouseholdRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    voters: list[VoterRow] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)


@dataclass(frozen=True)
class LoadedBatch:
    """Primary keys given to the batch's people, in batch order."""

    person_ids: Sequence[int]


_STAMPS = ("created_at", "updated_at")


def load(batch: VoterFileBatch) -> LoadedBatch:
    """Insert the batch; call inside a transaction."""
    if len(batch.voters) != len(batch.people):
        raise ValueError("a voter file batch has one voter record per person")
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    household_ids = reserve_ids(Household, len(batch.households))
    person_ids = reserve_ids(Person, len(batch.people))
    voter_ids = reserve_ids(VoterRecord, len(batch.voters))

    insert_rows(
        Household,
        ("id", *HouseholdRow._fields, *_STAMPS),
        [(i, *row, stamp, stamp) for i, row in zip(household_ids, batch.households, strict=True)],
    )
    insert_rows(
        Person,
        ("id", "household_id", *PersonRow._fields[1:], "merged_into_id", "erased_at", *_STAMPS),
        [
            (i, household_ids[p.household], *p[1:], None, None, stamp, stamp)
            for i, p in zip(person_ids, batch.people, strict=True)
        ],
    )
    ballots: dict[int, list[dt.date]] = defaultdict(list)
    for h in batch.history:
        ballots[h.voter].append(h.election_date)
    insert_rows(
        VoterRecord,
        (
            "id",
            "person_id",
            *VoterRow._fields,
            "general_votes",
            "last_import_id",
            "missing_since",
            *_STAMPS,
        ),
        [
            (i, p, *v, general_votes(ballots[n]), None, None, stamp, stamp)
            for n, (i, p, v) in enumerate(zip(voter_ids, person_ids, batch.voters, strict=True))
        ],
    )
    # Vote history ids are never referred to, so the database numbers them itself.
    insert_rows(
        VoteHistory,
        ("voter_id", *HistoryRow._fields[1:]),
        [(voter_ids[h.voter], *h[1:]) for h in batch.history],
    )
    return LoadedBatch(person_ids=person_ids)


def reserve_ids(model: type[models.Model], count: int) -> Sequence[int]:
    """``count`` primary keys nobody else will use.

    PostgreSQL hands them out from the table's sequence, safe beside concurrent writers.
    SQLite has one writer at a time and the loader's transaction holds the write lock, so the
    keys after the current maximum are free.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, count],
            )
            return [int(r[0]) for r in cursor.fetchall()]
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - a model's table
        first = int(cursor.fetchone()[0]) + 1
    return range(first, first + count)


def insert_rows(
    model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    columns = checked_columns(model, attnames)
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is its own protocol, not an execute
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(attnames))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def checked_columns(model: type[models.Model], attnames: Sequence[str]) -> str:
    """The quoted column list of ``attnames``; refuses a model with a column left out (but
    its primary key, which the database can number)."""
    meta = model._meta
    missing = {f.attname for f in meta.concrete_fields} - set(attnames) - {meta.pk.attname}
    if missing:
        raise RuntimeError(f"the voter-file loader does not fill {sorted(missing)} of {meta.label}")
    column = {f.attname: str(f.column) for f in meta.concrete_fields}
    return ", ".join(connection.ops.quote_name(column[a]) for a in attnames)

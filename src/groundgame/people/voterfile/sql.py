"""SQL shared by the batch and the run: model tables, id lists in chunks, and the pieces of
PostgreSQL's set-based batch (COPY text, temporary tables, the planner settings of a batch's
transaction, ballots added with their voters' general-election counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.models import VoteHistory, VoterRecord

# Ids per IN (...) list: under SQLite's limit on bound parameters, and short statements for
# PostgreSQL to plan.
CHUNK = 5_000


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``, one ``IN (...)`` list each."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def table(model: Any) -> str:
    """The model's table name, quoted for SQL."""
    return str(connection.ops.quote_name(model._meta.db_table))


# -- PostgreSQL: a batch as set-based statements -----------------------------------------------
#
# The batch is copied into a temporary table in COPY's text format (one string per batch: far
# cheaper than adapting values row by row), and every step is one statement over that table:
# no per-row round trips, no id lists sent back and forth, ids from the sequences inside the
# statements that use them.

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def copy_fields(texts: tuple[str, ...]) -> str:
    """Text fields joined for COPY; escaped only when one holds a character COPY reserves
    (rare: the file's own delimiter and line breaks are gone once a line is split)."""
    joined = "\t".join(texts)
    if "\\" in joined or "\n" in joined or "\r" in joined or joined.count("\t") != len(texts) - 1:
        joined = "\t".join(t.translate(_COPY_ESCAPES) for t in texts)
    return joined


def copy_date(day: dt.date | None) -> str:
    """A date for COPY's text format (``NULL`` for none)."""
    return NULL if day is None else day.isoformat()


def stage(cursor: Any, table: str, columns: str, text: str) -> None:
    """A fresh temporary table holding ``text`` (COPY text format). Dropped first rather than
    kept: inside an outer transaction (a test's) the previous batch's table is still there."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
    cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        copy.write(text)


def index_joins(cursor: Any) -> None:
    """For the rest of the batch's transaction, join staged rows to the state's tables by
    their indexes. Left to itself, the planner hashes the whole voter table for every batch
    (its statistics lag far behind a table growing by 200,000 rows a batch), which grows
    with the file; a batch's index lookups do not. Nor are the statements compiled (JIT):
    their estimated costs call for it, but index lookups gain nothing from it."""
    cursor.execute("SET LOCAL enable_hashjoin = off")
    cursor.execute("SET LOCAL enable_mergejoin = off")
    cursor.execute("SET LOCAL jit = off")


def hash_joins(cursor: Any, setting: str) -> None:
    """Between the batch's own temporary tables (no index), hash joins are the right plan."""
    cursor.execute(f"SET LOCAL enable_hashjoin = {setting}")


def synchronous_commit_off(cursor: Any) -> None:
    """The batch's commit does not wait for its WAL to reach the disk: a database crash may
    lose the last batches, but each takes its checkpoint with it (the run resumes before
    them), and no one has been told they were saved."""
    cursor.execute("SET LOCAL synchronous_commit = off")


def add_ballots(cursor: Any, select: str, params: list[Any], *, recount: bool) -> int:
    """Insert the ballots ``select`` yields (voter id, date, name, method), skipping those on
    record; with ``recount``, the voters who gained a general-election ballot get their count
    brought up to date in the same statement. Returns how many were added."""
    insert = (
        f"INSERT INTO {table(VoteHistory)} (voter_id, election_date, election_name, method) "
        f"{select} ON CONFLICT DO NOTHING"
    )
    if not recount:
        cursor.execute(insert, params)
        return int(cursor.rowcount)
    generals = list(PRESIDENTIAL_GENERALS)
    vr, vh = table(VoterRecord), table(VoteHistory)
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


VOTER_STAGE = (
    "line bigint, state_voter_id text, first_name text, middle_name text, last_name text, "
    "suffix text, phone text, email text, street text, unit text, city text, zip5 text, "
    "county_fips text, party text, status text, birth_date date, registered_on date, "
    "general_votes smallint, org_unit_id bigint"
)
BALLOT_STAGE = "line bigint, election_date date, election_name text, method text"
HISTORY_STAGE = (
    "line bigint, state_voter_id text, election_name text, method text, election_date date"
)

"""Rows inserted by the hundred thousand, without building a model instance for each.

``bulk_create`` builds and prepares a model per row, about as costly as the insert itself at
this size; a synthetic history of 100,000 messages would take most of a minute. This helper
sends plain tuples to the database with ``executemany``, converting only the values Django
must adapt per backend (datetimes), in batches. The SQL is the same on SQLite and PostgreSQL
(``ON CONFLICT ... DO UPDATE`` / ``DO NOTHING`` exist on both). No signals, no ``save()``: for
generated data and imports whose rows are already clean.

The voter-file loader (``people.voterfile.bulk``) keeps its own: it writes with ``COPY`` on
PostgreSQL, needs no conflict handling, and its rows carry values adapted already, which the
per-value check here would cost again on every row of a state's file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

BATCH = 5_000
# From this many rows a table has changed enough that the planner's statistics mislead it: on
# PostgreSQL the table is analyzed at once rather than when autovacuum gets to it. Until then
# a table the statistics call nearly empty is walked row by row for every row of another
# (a seeded campaign's consent history took minutes to count instead of milliseconds).
ANALYZE_FROM_ROWS = 1_000


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    conflict: Sequence[str] = (),
    update: Sequence[str] = (),
) -> int:
    """Insert ``rows`` (values in the order of ``columns``, database column names) into
    ``model``'s table; returns how many were sent. With ``conflict`` (the columns of a unique
    constraint), a row that collides updates the ``update`` columns, or is skipped when
    ``update`` is empty."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # Only quoted table and column names from the code are formatted in; values are parameters.
    names = ", ".join(quote(c) for c in columns)
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if conflict:
        target = ", ".join(quote(c) for c in conflict)
        if update:
            sets = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in update)
            sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
        else:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
    adapt = connection.ops.adapt_datetimefield_value
    sent = 0
    it = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(it, BATCH)):
            cursor.executemany(
                sql,
                [[adapt(v) if isinstance(v, dt.datetime) else v for v in row] for row in batch],
            )
            sent += len(batch)
        if sent >= ANALYZE_FROM_ROWS and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
    return sent

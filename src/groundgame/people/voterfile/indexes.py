"""Deferred indexes: a first load of a state drops the people tables' secondary indexes and
foreign keys, and builds them again once when the run completes."""

from __future__ import annotations

from pathlib import Path

from django.db import connection, transaction

from groundgame.people.models import (
    ExternalId,
    Household,
    Person,
    VoteHistory,
    VoterImport,
    VoterRecord,
)
from groundgame.people.voterfile.layouts import Layout
from groundgame.people.voterfile.report import Progress

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


def defer_indexes(run: VoterImport, layout: Layout, voters: Path) -> None:
    """Drop the people tables' secondary indexes and foreign keys when this run is a first load
    of a state on PostgreSQL from a large file, keeping their definitions on the run."""
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


def build_deferred_indexes(run: VoterImport, progress: Progress | None = None) -> None:
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

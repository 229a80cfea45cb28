"""Backups of the whole database, and restoring one into an empty database.

Embedded (SQLite): SQLite's online backup copies the live database page by page while the
app keeps serving, into a file that is itself a SQLite database. Scale-out (PostgreSQL):
``pg_dump`` in its custom format (compressed, restorable table by table with ``pg_restore``),
from one consistent snapshot. A restore goes only into a database with no tables, so that a
mistyped command never mixes two campaigns or overwrites the live one; the secret key and the
webhook secret live in the data directory, not the database, and are kept apart from it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# SQLite copies this many pages between progress reports (a page is 4 KiB).
PAGES_PER_STEP = 2048

Progress = Callable[[str, int, int], None]


class BackupError(Exception):
    """Something the operator can fix: the message says what."""


@dataclass(frozen=True)
class Result:
    path: Path
    vendor: str
    tables: int
    bytes: int


def _vendor(database: Mapping[str, Any]) -> str:
    engine = str(database["ENGINE"])
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"backups know SQLite and PostgreSQL, not {engine}")


def _pg_environment(database: Mapping[str, Any]) -> dict[str, str]:
    """libpq's variables for the database, so no password is put on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _run(command: list[str], database: Mapping[str, Any]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install PostgreSQL's client tools")
    done = subprocess.run(command, env=_pg_environment(database), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in rows]


def _pg_table_count(database: Mapping[str, Any]) -> int:
    import psycopg

    env = _pg_environment(database)
    with psycopg.connect(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=env.get("PGDATABASE"),
    ) as connection:
        row = connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ).fetchone()
    return int(row[0]) if row else 0


def backup(database: Mapping[str, Any], out: Path, progress: Progress | None = None) -> Result:
    """Write a backup of ``database`` (a Django ``DATABASES`` entry) to ``out``."""
    vendor = _vendor(database)
    if out.exists():
        raise BackupError(f"{out} exists; choose a new file, so that no backup is overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if vendor == "sqlite":
        source = sqlite3.connect(str(database["NAME"]))
        target = sqlite3.connect(str(partial))
        try:

            def step(status: int, remaining: int, total: int) -> None:
                if progress is not None:
                    progress("pages copied", total - remaining, total)

            source.backup(target, pages=PAGES_PER_STEP, progress=step)
            tables = len(_sqlite_tables(target))
        finally:
            target.close()
            source.close()
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], database)
        tables = _pg_table_count(database)
    # Renamed only once whole: a backup file that exists is a backup that finished.
    partial.rename(out)
    return Result(path=out, vendor=vendor, tables=tables, bytes=out.stat().st_size)


def _kind_of(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a groundgame backup (neither SQLite nor pg_dump's format)")


def restore(database: Mapping[str, Any], backup_file: Path) -> Result:
    """Restore ``backup_file`` into ``database``, which must have no tables yet."""
    vendor = _vendor(database)
    if not backup_file.is_file():
        raise BackupError(f"no backup at {backup_file}")
    kind = _kind_of(backup_file)
    if kind != vendor:
        raise BackupError(
            f"{backup_file} is a {kind} backup and the database is {vendor}: restore it into "
            f"a {kind} database"
        )
    if vendor == "sqlite":
        target_path = Path(str(database["NAME"]))
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(str(target_path))
        try:
            if _sqlite_tables(target):
                raise BackupError(
                    f"{target_path} already holds a database; restore into a new file"
                )
            source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
            try:
                source.backup(target)
            finally:
                source.close()
            tables = len(_sqlite_tables(target))
        finally:
            target.close()
    else:
        if _pg_table_count(database):
            raise BackupError(
                f"database {database.get('NAME')!r} already has tables; restore into an empty "
                "database"
            )
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={database['NAME']}",
              str(backup_file)], database)  # fmt: skip
        tables = _pg_table_count(database)
    return Result(path=backup_file, vendor=vendor, tables=tables, bytes=backup_file.stat().st_size)

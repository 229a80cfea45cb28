"""Importing a state's voter file: wall time, rate and peak memory, against the database's own
bulk load of the same rows.

``groundgame bench ingest --rows 8000000`` writes (or reuses, with ``--cache``) a synthetic
North Carolina ``ncvoter`` + ``ncvhis`` pair, creates a fresh PostgreSQL database, and runs
``groundgame voters import`` on it in a child process (its peak RSS comes from ``wait4``). In
the same run it measures the physical limit the import is compared with: ``COPY`` of the same
two files into two tables of the same columns (all text, no index), in the same database;
and the floor of the import's own tables: ``COPY`` of the rows it wrote into tables with the
same keys and indexes (see ``_tables_floor``). Then the same on the embedded SQLite with
``--sqlite-rows`` voters, against ``executemany`` of the same rows into a table of the same
columns. Each import's figures include the seconds of each stage its progress lines name, so
a run shows where the time goes. Progress goes to stderr; the figures are returned for the
command line to print as JSON.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

_SEED = 2024
# Clean files: the baseline COPY refuses a malformed line, and it must load the same rows.
_DIRTY = 0.0
_TABLES = (
    "people_household",
    "people_person",
    "people_voterrecord",
    "people_externalid",
    "people_votehistory",
)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-ingest-") as tmp:
        cache = Path(args.cache) if args.cache else Path(tmp) / "files"
        files, synth_seconds = _files(cache, args.rows)
        result: dict[str, Any] = {
            "voters_file_rows": args.rows,
            "synth_seconds": synth_seconds,
            "postgresql": _postgresql(args, files, Path(tmp)),
        }
        sqlite_files, _ = _files(cache, args.sqlite_rows)
        result["sqlite"] = _sqlite(Path(tmp), sqlite_files, args.sqlite_rows)
    return result


def _files(cache: Path, rows: int) -> tuple[tuple[Path, Path], float | None]:
    """The synthetic pair for ``rows`` voters, written unless the cache has it."""
    out = cache / f"nc-{rows}-{_SEED}"
    pair = (out / "ncvoter_Statewide.txt", out / "ncvhis_Statewide.txt")
    if (out / "complete").exists():
        _log(f"reusing the synthetic files in {out}")
        return pair, None
    _log(f"writing {rows:,} synthetic voters to {out}")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "groundgame", "voters", "synth", "--rows", str(rows),
         "--out", str(out), "--seed", str(_SEED), "--dirty-rate", str(_DIRTY)],
        check=True,
        stdout=sys.stderr,
    )  # fmt: skip
    seconds = round(time.perf_counter() - started, 2)
    (out / "complete").touch()
    return pair, seconds


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def _import(env: dict[str, str], files: tuple[Path, Path]) -> tuple[float, float, dict[str, float]]:
    """Seconds, peak RSS (MB) and seconds per stage of ``groundgame voters import`` in a child
    process. The stages are those its progress lines name (``reading: 1/2 ...``), each timed
    from its first line to the next stage's; the lines are passed on to stderr."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "groundgame", "voters", "import", "--layout", "nc",
         "--voters", str(files[0]), "--history", str(files[1])],
        env=env,
        # Its summary line too goes to stderr: stdout is the figures' JSON.
        stdout=sys.stderr,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    firsts: dict[str, float] = {}
    reader = threading.Thread(target=_stages, args=(child, started, firsts), daemon=True)
    reader.start()
    # wait4 gives this child's own resource usage: its peak RSS, not the migrate run's.
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    reader.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("groundgame voters import failed")
    marks = sorted((at, stage) for stage, at in firsts.items())
    ends = [at for at, _ in marks[1:]] + [seconds]
    stages = {"starting": round(marks[0][0] if marks else seconds, 1)}
    stages |= {stage: round(end - at, 1) for (at, stage), end in zip(marks, ends, strict=True)}
    return seconds, usage.ru_maxrss / 1024, stages  # Linux reports kilobytes


_STAGE = re.compile(rb"([a-z ]+): [0-9,]+/[0-9,]+")


def _stages(child: subprocess.Popen[bytes], started: float, firsts: dict[str, float]) -> None:
    """Pass the child's stderr on, noting when each stage named by a progress line began."""
    assert child.stderr is not None
    pending = b""
    while chunk := os.read(child.stderr.fileno(), 1 << 16):
        sys.stderr.buffer.write(chunk)
        sys.stderr.flush()
        *lines, pending = re.split(rb"[\r\n]", pending + chunk)
        for line in lines:
            if found := _STAGE.match(line.strip()):
                firsts.setdefault(found[1].decode(), time.perf_counter() - started)


def _postgresql(args: argparse.Namespace, files: tuple[Path, Path], tmp: Path) -> dict[str, Any]:
    server = urlsplit(args.database_url or "postgres://postgres@127.0.0.1:5432/")
    name = f"gg_bench_ingest_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    url = urlunsplit(server._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": url}
        _log(f"creating the tables in the fresh database {name}")
        subprocess.run(
            [sys.executable, "-m", "groundgame", "migrate"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _log("importing")
        seconds, rss, stages = _import(env, files)
        with psycopg.connect(url) as db:
            counts = {
                t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[index]  # noqa: S608
                for t in _TABLES
            }
        _log("baseline: COPY of the same files into tables of the same columns")
        baseline_seconds = _copy_baseline(url, files)
        _log("floor: COPY of the rows the import wrote into tables indexed as its own are")
        floor_seconds = _tables_floor(url, tmp)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    voters, ballots = _lines(files[0]), _lines(files[1])
    rows = voters + ballots
    rate, baseline = rows / seconds, rows / baseline_seconds
    return {
        "voters_file_rows": voters,
        "history_file_rows": ballots,
        "rows_by_table": counts,
        "seconds": round(seconds, 2),
        "voter_rows_per_second": round(voters / seconds),
        "file_rows_per_second": round(rate),
        "peak_rss_mb": round(rss, 1),
        "seconds_by_stage": stages,
        "baseline_copy_seconds": round(baseline_seconds, 2),
        "baseline_rows_per_second": round(baseline),
        "ratio_to_baseline": round(rate / baseline, 3),
        "tables_floor_seconds": round(floor_seconds, 2),
        "ratio_to_tables_floor": round(floor_seconds / seconds, 3),
    }


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return next(csv.reader(f, delimiter="\t"))


def _copy_baseline(url: str, files: tuple[Path, Path]) -> float:
    """Seconds to COPY both files, as they are, into tables of their columns (text)."""
    with psycopg.connect(url) as db:
        for i, path in enumerate(files):
            columns = ", ".join(f'"{c}" text' for c in _header(path))
            db.execute(f"CREATE TABLE baseline_{i} ({columns})")
        db.commit()
        started = time.perf_counter()
        for i, path in enumerate(files):
            sql = f"COPY baseline_{i} FROM STDIN (FORMAT csv, DELIMITER E'\\t', HEADER true)"
            with db.cursor() as cursor, cursor.copy(sql) as copy, path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        db.commit()
        return time.perf_counter() - started


def _tables_floor(url: str, tmp: Path) -> float:
    """Seconds PostgreSQL itself takes to write the rows the import wrote, into tables indexed
    as the import's are: each of the five tables is copied out to a file, then timed, ``COPY``
    of those files into empty tables of the same columns with the same primary keys and unique
    indexes, and the other indexes built afterwards, as a first load builds them. Foreign keys
    are left out, so this floor is lower than the import's own work: it is what no import
    writing these tables can beat on this machine."""
    files: list[Path] = []
    with psycopg.connect(url) as db:
        for i, table in enumerate(_TABLES):
            files.append(tmp / f"floor_{i}.copy")
            with (
                db.cursor() as cursor,
                cursor.copy(f"COPY {table} TO STDOUT") as copy,
                files[-1].open("wb") as f,
            ):
                for data in copy:
                    f.write(data)
        later: list[str] = []
        for i, table in enumerate(_TABLES):
            db.execute(f"CREATE TABLE floor_{i} (LIKE {table} INCLUDING DEFAULTS)")
            rows = db.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
                [table],
            ).fetchall()
            for n, (name, definition, unique) in enumerate(rows):
                # "CREATE [UNIQUE] INDEX name ON public.table USING ...", for the copy.
                moved = definition.replace(f" INDEX {name} ON ", f" INDEX floor_{i}_{n} ON ", 1)
                moved = moved.replace(f".{table} USING ", f".floor_{i} USING ", 1)
                if unique:
                    db.execute(moved)
                else:
                    later.append(moved)
        db.commit()
        started = time.perf_counter()
        for i, path in enumerate(files):
            with (
                db.cursor() as cursor,
                cursor.copy(f"COPY floor_{i} FROM STDIN") as copy,
                path.open("rb") as f,
            ):
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        db.commit()
        db.execute("SET maintenance_work_mem = '512MB'")
        for definition in later:
            db.execute(definition)
        db.commit()
        seconds = time.perf_counter() - started
        for i in range(len(_TABLES)):
            db.execute(f"DROP TABLE floor_{i}")
        db.commit()
    for path in files:
        path.unlink()
    return seconds


def _sqlite(tmp: Path, files: tuple[Path, Path], voters: int) -> dict[str, Any]:
    home = tmp / "sqlite-home"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GROUNDGAME_HOME"] = str(home)
    _log(f"SQLite: creating the tables, importing {voters:,} voters")
    subprocess.run(
        [sys.executable, "-m", "groundgame", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds, rss, stages = _import(env, files)
    _log("SQLite baseline: executemany of the same rows into tables of the same columns")
    baseline_seconds = _sqlite_baseline(tmp / "baseline.sqlite3", files)
    rows = _lines(files[0]) + _lines(files[1])
    rate, baseline = rows / seconds, rows / baseline_seconds
    return {
        "voters_file_rows": voters,
        "file_rows": rows,
        "seconds": round(seconds, 2),
        "voter_rows_per_second": round(voters / seconds),
        "file_rows_per_second": round(rate),
        "peak_rss_mb": round(rss, 1),
        "seconds_by_stage": stages,
        "baseline_rows_per_second": round(baseline),
        "ratio_to_baseline": round(rate / baseline, 3),
    }


def _sqlite_baseline(path: Path, files: tuple[Path, Path]) -> float:
    """Seconds to insert the files' rows, split by csv, with executemany in transactions of
    20,000 rows, durable as the app's own settings are."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    started = time.perf_counter()
    for i, file in enumerate(files):
        header = _header(file)
        db.execute(f"CREATE TABLE t{i} ({', '.join(f'c{n} TEXT' for n in range(len(header)))})")
        insert = f"INSERT INTO t{i} VALUES ({', '.join('?' * len(header))})"  # noqa: S608
        with file.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f, delimiter="\t")
            next(reader)
            batch: list[list[str]] = []
            for row in reader:
                if len(row) == len(header):
                    batch.append(row)
                if len(batch) == 20_000:
                    db.execute("BEGIN IMMEDIATE")
                    db.executemany(insert, batch)
                    db.execute("COMMIT")
                    batch = []
            db.execute("BEGIN IMMEDIATE")
            db.executemany(insert, batch)
            db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds


def _log(message: str) -> None:
    print(f"bench ingest: {message}", file=sys.stderr, flush=True)

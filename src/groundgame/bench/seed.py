"""Seeding a synthetic campaign into a fresh embedded database: time, rate and peak memory.

``groundgame bench seed --scale state`` runs ``groundgame seed`` in a child process with a
fresh data directory (embedded SQLite: ``DATABASE_URL`` is removed from its environment), and
in the same run measures the physical limit it is compared with: ``executemany`` of as many
narrow rows into a fresh SQLite file in WAL mode, in transactions of the same size. Progress
goes to stderr; the figures are returned for the command line to print as JSON.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_TABLES = ("people_household", "people_person", "people_voterrecord", "people_votehistory")
_BATCH = 20_000


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="groundgame-bench-seed-") as tmp:
        home = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["GROUNDGAME_HOME"] = str(home / "home")
        _log("creating the tables")
        subprocess.run(
            [sys.executable, "-m", "groundgame", "migrate"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

        _log(f"seeding ({args.scale})")
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "groundgame", "seed", "--scale", args.scale], env=env
        )
        # wait4 gives this child's own resource usage: its peak RSS, not the migrate run's.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"groundgame seed failed with exit code {child.returncode}")

        counts = _counts(home / "home" / "groundgame.sqlite3")
        rows = sum(counts.values())
        _log(f"baseline: executemany of {rows:,} narrow rows into a fresh SQLite WAL file")
        baseline = _baseline(home / "baseline.sqlite3", rows)

    rate = rows / seconds
    return {
        "scale": args.scale,
        "database": "sqlite",
        "voters": counts["people_voterrecord"],
        "rows": rows,
        "rows_by_table": counts,
        "seconds": round(seconds, 2),
        "voters_per_second": round(counts["people_voterrecord"] / seconds),
        "rows_per_second": round(rate),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "baseline_rows_per_second": round(baseline),
        "ratio_to_baseline": round(rate / baseline, 3),
    }


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in _TABLES}  # noqa: S608


def _baseline(path: Path, rows: int) -> float:
    """Rows per second of plain executemany inserts, durable as the app's own settings are."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, s TEXT NOT NULL)")
    started = time.perf_counter()
    for first in range(0, rows, _BATCH):
        batch = [(i, i * 7, "x") for i in range(first, min(rows, first + _BATCH))]
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO t (id, n, s) VALUES (?, ?, ?)", batch)
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return rows / seconds


def _log(message: str) -> None:
    print(f"bench seed: {message}", file=sys.stderr, flush=True)

"""Universe counts on a state-size file: p50/p95 latency of typical specs.

``groundgame bench universe`` reads the campaign in ``GROUNDGAME_HOME`` (or ``DATABASE_URL``);
seed one first with ``groundgame seed --scale state`` (a million voters). The baseline is the
physical limit in the same run on the same database: ``SELECT COUNT(*)`` of the voter table.
Each spec is counted ``--runs`` times after one warm-up; the breakdown (the builder's grouped
query) is timed too. Progress goes to stderr; the figures are returned as JSON.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

SPECS: dict[str, dict[str, Any]] = {
    "everyone": {},
    "one state": {"state": ["PA"]},
    "low-propensity Democrats and unaffiliated": {
        "party": ["DEM", "UNA"],
        "general_votes": [0, 1],
    },
    "young low-propensity voters in one state": {
        "state": ["MI"],
        "general_votes": [0, 1],
        "age": {"min": 18, "max": 35},
    },
    "voted 2024, not 2020, active": {
        "voted_in": ["2024-11-05"],
        "not_voted_in": ["2020-11-03"],
        "status": ["active"],
    },
    "two counties, no party registration": {"county": ["26163", "26125"], "party": [""]},
    "reachable by phone and email": {"has_email": True, "has_phone": True},
    "org unit (a state and everything under it)": {"org_unit": 2},
    "seniors still on the file": {"age": {"min": 65}, "missing": False},
}


def _log(message: str) -> None:
    print(f"bench universe: {message}", file=sys.stderr, flush=True)


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up: the first read pulls the pages into the cache
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    vendor = runtime.check_database()

    from django.db import connection

    from groundgame.organizing import selectors as organizing
    from groundgame.people import selectors

    voters = selectors.voter_count()
    if voters < 100_000:
        raise SystemExit(
            f"the database holds {voters:,} voters; seed a state-size campaign first: "
            "GROUNDGAME_HOME=$(mktemp -d) groundgame seed --scale state"
        )
    state = organizing.org_unit_list().filter(kind="state").order_by("pk").first()
    specs = dict(SPECS)
    if state is not None:
        specs["org unit (a state and everything under it)"] = {"org_unit": state.pk}

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM people_voterrecord")
            cursor.fetchone()

    _log(f"{voters:,} voters on {vendor}; baseline SELECT COUNT(*)")
    base = _summary(_times(baseline, args.runs))
    results = []
    all_counts: list[float] = []
    for name, spec in specs.items():
        _log(name)
        counts = _times(functools.partial(selectors.universe_count, spec), args.runs)
        all_counts += counts
        breakdowns = _times(
            functools.partial(selectors.universe_breakdown, spec), max(3, args.runs // 3)
        )
        results.append(
            {
                "name": name,
                "spec": spec,
                "people": selectors.universe_count(spec),
                "count": _summary(counts),
                "breakdown": _summary(breakdowns),
            }
        )
    overall = _summary(all_counts)
    return {
        "database": vendor,
        "voters": voters,
        "runs_per_spec": args.runs,
        "baseline_select_count": base,
        "count_all_specs": overall,
        "count_p95_over_baseline_p95": round(overall["p95_ms"] / max(base["p95_ms"], 0.001), 1),
        "count_p95_under_1s": overall["p95_ms"] < 1000,
        "specs": results,
    }

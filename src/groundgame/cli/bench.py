"""``bench <name>``: run one of ``groundgame.bench``'s benchmarks and print its figures as
JSON. Each bench is imported only when it runs, so the optional packages one needs
(psycopg, Splink, OR-tools) are not needed by the others or by the rest of the command."""

from __future__ import annotations

import argparse
import importlib
import json
import os

from groundgame.cli.base import Commands, add_actions
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    bench = commands.add_parser("bench", help="measure performance; prints JSON")
    benches = add_actions(bench, dest="bench", metavar="BENCH")
    bench.set_defaults(handler=cmd_bench)
    bench_seed = benches.add_parser(
        "seed", help="time and peak memory of seeding a synthetic campaign into a fresh database"
    )
    bench_seed.add_argument("--scale", choices=["small", "state"], default="state")
    bench_universe = benches.add_parser(
        "universe", help="universe count latency on the campaign in GROUNDGAME_HOME (seed first)"
    )
    bench_universe.add_argument("--runs", type=int, default=15, help="timed runs per spec")
    bench_ingest = benches.add_parser(
        "ingest", help="import a synthetic state voter file into a fresh PostgreSQL and SQLite"
    )
    bench_ingest.add_argument("--rows", type=int, default=8_000_000, help="voters (default: 8M)")
    bench_ingest.add_argument(
        "--sqlite-rows", type=int, default=500_000, help="voters for SQLite (default: 500,000)"
    )
    bench_ingest.add_argument(
        "--database-url",
        help="PostgreSQL server to create the fresh database on "
        "(default: postgres://postgres@127.0.0.1:5432/)",
    )
    bench_ingest.add_argument(
        "--cache", help="directory for the synthetic files, kept between runs (default: temp)"
    )
    bench_signups = benches.add_parser(
        "signups", help="durable sign-ups/s over HTTP (granian, PostgreSQL) against raw inserts"
    )
    bench_signups.add_argument("--requests", type=int, default=20_000, help="sign-ups to send")
    _add_http_load_args(bench_signups, clients="concurrent clients")
    bench_signups.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of sign-ups, each followed by raw inserts; medians are printed",
    )
    bench_signups.add_argument("--sqlite-requests", type=int, default=2_000)
    bench_signups.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    bench_donations = benches.add_parser(
        "donations",
        help="ActBlue webhooks/s over HTTP (granian, PostgreSQL) against raw inserts and "
        "sign-ups; or --ledger N to seed N donations in bulk",
    )
    bench_donations.add_argument("--requests", type=int, default=30_000, help="webhooks to send")
    _add_http_load_args(bench_donations, clients="concurrent clients")
    bench_donations.add_argument(
        "--rounds", type=int, default=3, help="rounds of each load; medians are printed"
    )
    bench_donations.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/0",
        help="the Redis database the servers and workers use",
    )
    bench_donations.add_argument(
        "--drain-seconds", type=float, default=30, help="time the ledger worker is given"
    )
    bench_donations.add_argument(
        "--ledger",
        type=int,
        default=0,
        metavar="N",
        help="seed N donations in bulk into the database of --database-url (or DATABASE_URL)",
    )
    bench_reports = benches.add_parser(
        "money-reports",
        help="the FEC report of a quarter of 1,000,000 donations and the appeals page's "
        "latency, on a fresh PostgreSQL database",
    )
    bench_reports.add_argument("--donations", type=int, default=1_000_000)
    bench_reports.add_argument("--gifts-per-donor", type=int, default=2)
    bench_reports.add_argument("--appeals", type=int, default=60)
    bench_reports.add_argument("--requests", type=int, default=100, help="page requests timed")
    bench_reports.add_argument(
        "--database-url",
        help="PostgreSQL server to create the fresh database on "
        "(default: postgres://postgres@127.0.0.1:5432/)",
    )
    bench_canvass = benches.add_parser(
        "canvass-sync",
        help="canvass results/s synced over HTTP (granian, PostgreSQL) against raw inserts",
    )
    bench_canvass.add_argument("--batches", type=int, default=5_000, help="batches to send")
    _add_http_load_args(bench_canvass, clients="concurrent phones")
    bench_canvass.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379",
        help="Redis server (an empty database is chosen), or one database to use and flush",
    )
    bench_match = benches.add_parser(
        "match", help="identity resolution: our linkage against Splink, and find-or-create"
    )
    bench_match.add_argument("--records", type=int, default=50_000, help="rows per file")
    bench_match.add_argument("--seed", type=int, default=2024)
    bench_match.add_argument(
        "--online", action="store_true", help="also time find-or-create on a seeded state file"
    )
    bench_match.add_argument("--probes", type=int, default=400)
    bench_fanout = benches.add_parser(
        "fanout", help="fan an email mailing out to a synthetic list on PostgreSQL"
    )
    bench_fanout.add_argument(
        "--people", type=int, default=25_000_000, help="people on the list (default: 25M)"
    )
    bench_fanout.add_argument(
        "--database-url",
        help="PostgreSQL server for the bench database "
        "(default: postgres://postgres@127.0.0.1:5432/)",
    )
    bench_fanout.add_argument(
        "--keep",
        action="store_true",
        help="keep the built list after the run, and reuse a kept one of the same size",
    )
    bench_turf = benches.add_parser(
        "turf", help="cut and route a synthetic universe on PostgreSQL; routes against OR-tools"
    )
    bench_turf.add_argument(
        "--households", type=int, default=1_000_000, help="households (default: 1M)"
    )
    bench_turf.add_argument("--target", type=int, default=50, help="doors per turf")
    bench_turf.add_argument("--sample", type=int, default=50, help="turfs routed by OR-tools")
    bench_turf.add_argument(
        "--ortools-seconds", type=float, default=2.0, help="OR-tools' time limit per turf"
    )
    bench_turf.add_argument("--seed", type=int, default=2024)
    bench_turf.add_argument("--database-url", help="PostgreSQL server for the bench database")
    bench_turf.add_argument(
        "--keep", action="store_true", help="keep the households, and reuse kept ones"
    )

    bench_money = benches.add_parser(
        "money-pages",
        help="the cash-flow and where-the-money-went pages' p95 at ledger scale (PostgreSQL)",
    )
    bench_money.add_argument("--donations", type=int, default=1_000_000)
    bench_money.add_argument("--disbursements", type=int, default=20_000)
    bench_money.add_argument("--runs", type=int, default=40, help="timed requests per page")

    bench_walk = benches.add_parser(
        "demo-walk",
        help="meters walked a door in the demo's turfs: households on streets against the "
        "demo's old scattered placement and ZIP centroids",
    )
    bench_walk.add_argument("--scale", choices=["small", "state"], default="small")
    bench_walk.add_argument("--seed", type=int, default=2024)

    bench_tests = benches.add_parser(
        "message-tests",
        help="false winners of A/A message tests read after every batch: peeking at p<0.05 "
        "against the always-valid rule",
    )
    bench_tests.add_argument("--tests", type=int, default=2_000, help="simulated tests")
    bench_tests.add_argument("--looks", type=int, default=40, help="looks per test")
    bench_tests.add_argument("--batch", type=int, default=500, help="recipients per look")
    bench_tests.add_argument("--rate", type=float, default=0.05, help="the true rate")
    bench_tests.add_argument("--lift", type=float, default=1.0, help="A/B lift in points")
    bench_tests.add_argument("--alpha", type=float, default=0.05)
    bench_tests.add_argument("--seed", type=int, default=2024)
    bench_lift = benches.add_parser(
        "lift",
        help="coverage of the lift's 95%% interval over simulated experiments with a known "
        "effect, clustered by household and naive",
    )
    bench_lift.add_argument("--replications", type=int, default=2_000)
    bench_lift.add_argument("--households", type=int, default=20_000)
    bench_lift.add_argument("--holdout", type=float, default=0.5, help="share held out")
    bench_lift.add_argument("--base", type=float, default=0.50, help="turnout when held out")
    bench_lift.add_argument("--effect", type=float, default=0.025, help="true effect")
    bench_lift.add_argument(
        "--rho", type=float, default=0.6, help="chance a voter votes as their household"
    )
    bench_lift.add_argument("--seed", type=int, default=2024)

    bench_propensity = benches.add_parser(
        "propensity",
        help="turnout model on a generated state file: backtest (AUC, Brier, calibration), "
        "scoring time against reading the features, and the age check against the survey",
    )
    bench_propensity.add_argument("--rows", type=int, default=200_000, help="voters")
    bench_propensity.add_argument("--layout", default="pa", help="state layout (default: pa)")
    bench_propensity.add_argument("--seed", type=int, default=2024)
    bench_propensity.add_argument(
        "--survey", help="nonvoters_538.csv (default: ../shared/data/surveys/nonvoters_538.csv)"
    )


def _add_http_load_args(parser: argparse.ArgumentParser, *, clients: str) -> None:
    """The options of a bench that loads gunicorn over HTTP on a fresh PostgreSQL database."""
    parser.add_argument("--seconds", type=float, default=60, help="time cap of the load")
    parser.add_argument("--clients", type=int, default=32, help=clients)
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 2,
        help="gunicorn processes, 8 threads each (default: one per core, as docs/operating.md)",
    )
    parser.add_argument("--database-url", help="PostgreSQL server for the fresh database")


def cmd_bench(args: argparse.Namespace) -> int:
    """Runs ``groundgame.bench.<name>``; it prints progress to stderr and returns the
    figures, which are printed here as JSON."""
    name = args.bench.replace("-", "_")  # canvass-sync runs groundgame.bench.canvass_sync
    try:
        result = importlib.import_module(f"groundgame.bench.{name}").run(args)
    except ModuleNotFoundError as exc:
        # A bench imports the optional package it needs (at its top or when it needs it); a
        # missing one is a line saying which extra to install, not a traceback.
        package = (exc.name or "").partition(".")[0]
        if package in ("", "groundgame"):
            raise
        extra = "bench" if package in _BENCH_EXTRA else "scale"
        raise CliError(
            f"bench {args.bench} needs {package}: pip install 'groundgame[{extra}]'"
        ) from None
    print(json.dumps(result, indent=2))
    return 0


# The packages of pyproject.toml's `bench` extra, by import name; the others are `scale`'s.
_BENCH_EXTRA = {"splink", "ortools", "fecfile"}

"""The ``groundgame`` command.

Every problem a user can fix (a port in use, an unwritable data directory, a database that
does not answer, a bad flag) is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from groundgame import __version__
from groundgame.core.env import home_dir
from groundgame.runtime import CliError

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="groundgame",
        description="groundgame: the campaign operations platform.",
    )
    parser.add_argument("--version", action="version", version=f"groundgame {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    demo = commands.add_parser(
        "demo", help="create, seed and serve a synthetic campaign with its worker (embedded SQLite)"
    )
    _add_listen_args(demo)
    demo.add_argument(
        "--scale",
        choices=["small", "state"],
        default="small",
        help="size of the synthetic campaign seeded on first run (default: small)",
    )

    serve = commands.add_parser("serve", help="serve the web app (without the worker)")
    _add_listen_args(serve)
    serve.add_argument("--threads", type=int, default=8, help="request threads (default: 8)")

    commands.add_parser("worker", help="run the background task worker")
    commands.add_parser("migrate", help="create or update the database tables")

    seed = commands.add_parser("seed", help="seed a synthetic campaign into an empty database")
    seed.add_argument("--scale", choices=["small", "state"], default="small")
    seed.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")

    staff = commands.add_parser(
        "createstaff", help="create a staff account and give it a role in an org unit"
    )
    staff.add_argument("username")
    staff.add_argument("--email", default="")
    staff.add_argument(
        "--role", default="admin", help="admin, director, organizer, volunteer_leader, analyst"
    )
    staff.add_argument("--unit", help="org unit name or id (default: the national unit)")
    staff.add_argument(
        "--superuser", action="store_true", help="also give access to the raw-data admin"
    )
    staff.add_argument(
        "--password-env",
        default="GROUNDGAME_PASSWORD",
        metavar="VAR",
        help="read the password from this environment variable instead of prompting",
    )

    people = commands.add_parser("people", help="work on files of people")
    people_commands = people.add_subparsers(dest="people", metavar="ACTION", parser_class=Parser)
    people_commands.required = True
    link = people_commands.add_parser(
        "link", help="find the rows of two CSV files of people that are the same person"
    )
    link.add_argument("left", help="CSV with id, first_name, last_name, dob, street, city, ...")
    link.add_argument("right", help="CSV with the same columns (any may be missing or empty)")
    link.add_argument("--out", required=True, help="CSV to write: left_id, right_id, score")
    link.add_argument(
        "--threshold",
        type=float,
        default=0.5,
        # Above one half a pair is more likely the same person than not; `bench match` reads
        # both linkers at this threshold.
        help="least match probability kept (default 0.5)",
    )
    export_universe = people_commands.add_parser(
        "export-universe", help="write a saved universe's people as CSV (logged as a read)"
    )
    export_universe.add_argument("name", help="the universe's name (any case)")
    export_universe.add_argument("--out", required=True, metavar="FILE.csv")

    integrations = commands.add_parser("integrations", help="import from other systems")
    vendors = integrations.add_subparsers(dest="vendor", metavar="VENDOR", parser_class=Parser)
    vendors.required = True
    mobilize = vendors.add_parser("mobilize", help="Mobilize events and attendances")
    mobilize_actions = mobilize.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    mobilize_actions.required = True
    attendances = mobilize_actions.add_parser(
        "import-attendances", help="import a saved JSON answer of Mobilize's attendances API"
    )
    attendances.add_argument("file", metavar="FILE.json", help="one page {data, ...} or a list")
    attendances.add_argument(
        "--org-unit", default="", help="unit for new events (default: the team of their ZIP)"
    )

    voters = commands.add_parser("voters", help="import state voter files and see the runs")
    voters_commands = voters.add_subparsers(dest="voters", metavar="ACTION", parser_class=Parser)
    voters_commands.required = True
    vimport = voters_commands.add_parser(
        "import", help="import a state's voter file (and its vote history) in its public layout"
    )
    vimport.add_argument("--layout", required=True, help="the state's layout: nc, oh")
    vimport.add_argument("--voters", required=True, metavar="FILE", help="the voters file")
    vimport.add_argument("--history", metavar="FILE", help="the vote-history file, if separate")
    vimport.add_argument(
        "--resume", type=int, metavar="RUN_ID", help="continue an interrupted run of these files"
    )
    vimport.add_argument(
        "--batch-size",
        type=int,
        help="rows per transaction (default: 200,000 on PostgreSQL, 20,000 on SQLite)",
    )
    report = voters_commands.add_parser("report", help="write a run's rejected rows as CSV")
    report.add_argument("run_id", type=int, metavar="RUN_ID")
    report.add_argument("--out", required=True, metavar="FILE.csv")
    voters_commands.add_parser("imports", help="list the import runs with their counts")
    vsynth = voters_commands.add_parser(
        "synth", help="write a synthetic voter file in a state's layout (no database)"
    )
    vsynth.add_argument("--layout", default="nc", help="only nc so far (default: nc)")
    vsynth.add_argument("--rows", type=int, required=True, help="voters to write")
    vsynth.add_argument("--out", required=True, metavar="DIR")
    vsynth.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    vsynth.add_argument(
        "--dirty-rate", type=float, default=0.005, help="share of dirty rows (default: 0.005)"
    )

    messaging = commands.add_parser("messaging", help="send what waits in the outbox")
    messaging_commands = messaging.add_subparsers(
        dest="messaging", metavar="ACTION", parser_class=Parser
    )
    messaging_commands.required = True
    deliver = messaging_commands.add_parser(
        "deliver", help="deliver one channel's queued messages now, at the provider's rate"
    )
    deliver.add_argument("--channel", required=True, choices=["email", "sms"])
    deliver.add_argument("--mailing", type=int, metavar="ID", help="only this mailing's messages")

    bench = commands.add_parser("bench", help="measure performance; prints JSON")
    bench_commands = bench.add_subparsers(dest="bench", metavar="BENCH", parser_class=Parser)
    bench_commands.required = True
    bench_seed = bench_commands.add_parser(
        "seed", help="time and peak memory of seeding a synthetic campaign into a fresh database"
    )
    bench_seed.add_argument("--scale", choices=["small", "state"], default="state")
    bench_universe = bench_commands.add_parser(
        "universe", help="universe count latency on the campaign in GROUNDGAME_HOME (seed first)"
    )
    bench_universe.add_argument("--runs", type=int, default=15, help="timed runs per spec")
    bench_ingest = bench_commands.add_parser(
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
    bench_intake = bench_commands.add_parser(
        "intake", help="durable sign-ups/s over HTTP (gunicorn, PostgreSQL) against raw inserts"
    )
    bench_intake.add_argument("--requests", type=int, default=20_000, help="sign-ups to send")
    _add_http_load_args(bench_intake, clients="concurrent clients")
    bench_intake.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of sign-ups, each followed by raw inserts; medians are printed",
    )
    bench_intake.add_argument("--sqlite-requests", type=int, default=2_000)
    bench_intake.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    bench_canvass = bench_commands.add_parser(
        "canvass-sync",
        help="canvass results/s synced over HTTP (gunicorn, PostgreSQL) against raw inserts",
    )
    bench_canvass.add_argument("--batches", type=int, default=5_000, help="batches to send")
    _add_http_load_args(bench_canvass, clients="concurrent phones")
    bench_canvass.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379",
        help="Redis server (an empty database is chosen), or one database to use and flush",
    )
    bench_match = bench_commands.add_parser(
        "match", help="identity resolution: our linkage against Splink, and find-or-create"
    )
    bench_match.add_argument("--records", type=int, default=50_000, help="rows per file")
    bench_match.add_argument("--seed", type=int, default=2024)
    bench_match.add_argument(
        "--online", action="store_true", help="also time find-or-create on a seeded state file"
    )
    bench_match.add_argument("--probes", type=int, default=400)
    bench_fanout = bench_commands.add_parser(
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
    bench_turf = bench_commands.add_parser(
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
    return parser


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


def _add_listen_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args) or 0)
    except CliError as exc:
        print(f"groundgame: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _boot(*, migrate: bool = True) -> str:
    """Data directory, Django, database; returns the database vendor."""
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    vendor = runtime.check_database()
    if migrate:
        runtime.migrate()
    return vendor


def cmd_migrate(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    runtime.check_database()
    runtime.migrate(verbosity=1)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    _boot()
    report = _seed_if_empty(args.scale, args.seed)
    if report is None:
        print("The database already holds a campaign; nothing seeded.")
    return 0


def _seed_if_empty(scale: str, seed: int = 2024) -> Any:
    from groundgame.demo import seed as seeding
    from groundgame.progress import Progress

    if seeding.campaign_is_seeded():
        return None
    print(f"Seeding a synthetic campaign ({scale}) ...", file=sys.stderr)
    report = seeding.seed_campaign(scale=scale, seed=seed, progress=Progress().update)
    print(
        f"Seeded {report.voters:,} voters, {report.volunteers:,} volunteers, "
        f"{report.staff:,} staff in {report.units:,} org units in {report.seconds:.1f}s.",
        file=sys.stderr,
    )
    return report


def cmd_worker(args: argparse.Namespace) -> int:
    from groundgame import runtime

    _boot(migrate=False)
    runtime.run_worker()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.check_port(args.host, args.port)
    _boot(migrate=False)
    server = runtime.make_server(args.host, args.port, threads=args.threads)
    print(f"groundgame is serving on http://{_url_host(args.host)}:{args.port}/", flush=True)
    _serve_until_interrupted(server)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.check_port(args.host, args.port)
    if os.environ.get("DATABASE_URL"):
        print(
            "groundgame: note: DATABASE_URL is set, so the demo uses that database.",
            file=sys.stderr,
        )
    _boot()
    from groundgame.demo import seed as seeding  # needs Django set up

    _seed_if_empty(args.scale)
    username, password = seeding.demo_login()
    server = runtime.make_server(args.host, args.port)
    worker = subprocess.Popen([sys.executable, "-m", "groundgame", "worker"])
    url = f"http://{_url_host(args.host)}:{args.port}/"
    print(
        f"\ngroundgame demo is running at {url}\n"
        f"  sign in as {username} / {password}\n"
        f"  data in {home_dir()}  (delete it to start afresh)\n"
        "  press Ctrl-C to stop\n",
        flush=True,
    )
    try:
        _serve_until_interrupted(server)
    finally:
        _stop(worker)
    return 0


def _serve_until_interrupted(server: Any) -> None:
    """Serve until SIGINT or SIGTERM; requests in flight finish before the server closes."""

    def on_signal(signum: int, frame: Any) -> None:
        # Waitress's loop ends on KeyboardInterrupt by waiting for its request threads, so a
        # request being answered is not cut off with a closed socket.
        raise KeyboardInterrupt

    # Installed for SIGINT too: a demo started in the background by a script inherits SIGINT
    # as ignored, and Ctrl-C (or kill -INT) must still stop it.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("groundgame stopped.", file=sys.stderr)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only shown to the user, not bound here
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def cmd_createstaff(args: argparse.Namespace) -> int:
    _boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.organizing import services as organizing_services

    unit = _find_unit(args.unit) if args.unit else None
    password = os.environ.get(args.password_env) or _ask_password()
    try:
        _, unit = organizing_services.staff_onboard(
            actor=None,
            username=args.username,
            password=password,
            role=args.role,
            org_unit=unit,
            email=args.email,
            superuser=args.superuser,
        )
    except ApplicationError as exc:
        raise CliError(f"{exc.field or 'input'}: {exc.message}") from None
    print(f"Created {args.username}, {args.role} of {unit.name}.")
    return 0


def _find_unit(name_or_id: str) -> Any:
    from groundgame.organizing import selectors as organizing

    units = organizing.org_unit_list()
    unit = units.filter(pk=int(name_or_id)).first() if name_or_id.isdigit() else None
    unit = unit or units.filter(name__iexact=name_or_id).first()
    if unit is None:
        raise CliError(f"no org unit named {name_or_id!r}; see the Organizing page for the names")
    return unit


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise CliError("no password: set GROUNDGAME_PASSWORD or run in a terminal to be asked")
    first = getpass.getpass("Password (12+ characters): ")
    if first != getpass.getpass("Password again: "):
        raise CliError("the two passwords differ")
    return first


def cmd_people(args: argparse.Namespace) -> int:
    """``people link`` reads and writes files only, so no database is opened;
    ``people export-universe`` reads the campaign's."""
    from pathlib import Path

    from groundgame import runtime

    if args.people == "export-universe":
        return _export_universe(args.name, args.out)
    if not 0.0 < args.threshold <= 1.0:
        raise CliError("--threshold: a probability above 0 and at most 1")
    runtime.setup_django()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import services as people_services

    try:
        result = people_services.people_files_link(
            left=Path(args.left),
            right=Path(args.right),
            out=Path(args.out),
            threshold=args.threshold,
        )
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    print(
        f"{len(result.pairs):,} pairs from {result.left_rows:,} x {result.right_rows:,} rows "
        f"({result.candidate_pairs:,} compared) in {result.seconds:.1f}s -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _export_universe(name: str, out: str) -> int:
    """``people export-universe``: everyone in the universe, as the system (whose scope is
    the whole campaign), with the same audit row as an export from the web."""
    import csv

    _boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people_services

    universe = people_selectors.universe_list().filter(name__iexact=name.strip()).first()
    if universe is None:
        raise CliError(f"no universe named {name!r}; see the Universes page for their names")
    try:
        export = people_services.universe_export(actor=None, universe_id=universe.pk)
        with open(out, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(export.header)
            # The records are read in chunks as they are written: memory stays flat.
            writer.writerows(export.records)
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"{export.rows:,} people of universe {universe.name!r} written to {out}.")
    return 0


def cmd_voters(args: argparse.Namespace) -> int:
    """``voters import|report|imports|synth``. Exit 2 when an import could load no row."""
    from pathlib import Path

    from groundgame import runtime
    from groundgame.progress import Progress

    if args.voters == "synth":
        if args.rows < 1 or not 0.0 <= args.dirty_rate <= 1.0:
            raise CliError("--rows must be at least 1 and --dirty-rate between 0 and 1")
        if args.layout != "nc":
            raise CliError(
                f"Synthetic files are written in the nc layout only, not {args.layout!r}."
            )
        runtime.setup_django()
        from groundgame.demo import voter_files

        files = voter_files.write_nc(
            Path(args.out),
            rows=args.rows,
            seed=args.seed,
            dirty_rate=args.dirty_rate,
            progress=Progress().update,
        )
        print(
            f"Wrote {files.voters:,} voters in {files.households:,} households to "
            f"{files.voters_path} and {files.history:,} ballots to {files.history_path} "
            f"({sum(files.dirty.values()):,} dirty rows, {files.rejected:,} of them to reject)."
        )
        return 0
    _boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people_services

    if args.voters == "imports":
        print(
            f"{'run':>5} {'layout':6} {'status':9} {'read':>10} {'new':>10} {'updated':>9} "
            f"{'same':>10} {'rejected':>8} {'ballots':>10} {'missing':>8}  started"
        )
        for r in people_selectors.voter_import_list():
            print(
                f"{r.pk:>5} {r.layout:6} {r.status:9} {r.rows_read:>10,} {r.rows_new:>10,} "
                f"{r.rows_updated:>9,} {r.rows_unchanged:>10,} {r.rows_rejected:>8,} "
                f"{r.history_new:>10,} {r.marked_missing:>8,}  {r.created_at:%Y-%m-%d %H:%M}"
            )
        return 0
    if args.voters == "report":
        if people_selectors.voter_import_get(args.run_id) is None:
            raise CliError(f"no import run {args.run_id}; see 'groundgame voters imports'")
        with open(args.out, "w", newline="", encoding="utf-8") as out:
            count = people_selectors.voter_import_error_report(args.run_id, out)
        print(f"{count:,} rejected rows of run {args.run_id} written to {args.out}.")
        return 0
    try:
        outcome = people_services.voter_file_import(
            actor=None,
            layout=args.layout,
            voters=Path(args.voters),
            history=Path(args.history) if args.history else None,
            resume=args.resume,
            progress=Progress().update,
            batch_size=None if args.batch_size is None else max(1, args.batch_size),
        )
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    run = outcome.run
    if outcome.already_imported:
        print(
            f"These files were imported completely by run {run.pk} "
            f"({run.finished_at or run.created_at:%Y-%m-%d %H:%M}); nothing changed."
        )
        return 0
    for note in outcome.notes:
        print(f"note: {note}", file=sys.stderr)
    print(
        f"Run {run.pk}: {run.rows_read:,} rows read: {run.rows_new:,} new, "
        f"{run.rows_updated:,} updated, {run.rows_unchanged:,} unchanged, "
        f"{run.rows_rejected:,} rejected; {run.history_new:,} ballots added; "
        f"{run.marked_missing:,} voters no longer on the file marked missing."
    )
    if run.rows_rejected:
        print(
            f"See the rejected rows with: groundgame voters report {run.pk} --out FILE.csv",
            file=sys.stderr,
        )
    if outcome.loaded == 0:
        print("groundgame: no row of the voters file could be loaded.", file=sys.stderr)
        return EXIT_USAGE
    return 0


def cmd_integrations(args: argparse.Namespace) -> int:
    """``integrations mobilize import-attendances``: exit 2 when no record could be loaded."""
    try:
        with open(args.file, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    _boot()
    from groundgame.integrations.mobilize import attendances

    try:
        report = attendances.attendances_import(
            actor=None, payload=payload, org_unit_name=args.org_unit
        )
    except attendances.BadRecord as exc:
        raise CliError(str(exc)) from None
    for index, reason in report.rejected:
        print(f"record {index}: {reason}", file=sys.stderr)
    print(
        f"{report.records:,} attendances: {report.changed:,} new or changed, "
        f"{report.unchanged:,} unchanged, {len(report.rejected):,} rejected; "
        f"{report.people_created:,} new people."
    )
    return EXIT_USAGE if report.records and len(report.rejected) == report.records else 0


def cmd_messaging(args: argparse.Namespace) -> int:
    """``messaging deliver``: the sender, in this process, with its progress on stderr.
    Stopped at any point, the next run resumes and sends nobody the same message twice."""
    import time

    _boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.messaging import services as messaging

    started = last = time.monotonic()

    def report(tally: Any) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 1.0:
            last = now
            left = messaging.outbox_count(channel=args.channel, mailing_id=args.mailing)
            rate = tally.sent / (now - started)
            print(f"{tally.sent:,} sent, {left:,} remaining, {rate:,.0f}/s", file=sys.stderr)

    try:
        tally = messaging.sends_deliver(
            channel=args.channel, mailing_id=args.mailing, progress=report
        )
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    seconds = time.monotonic() - started
    print(
        f"{tally.sent:,} sent, {tally.suppressed:,} held back by consent, {tally.failed:,} "
        f"failed, {tally.retried:,} left for a later run; {seconds:.1f}s "
        f"({tally.sent / max(seconds, 0.001):,.0f}/s)",
        file=sys.stderr,
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run ``bench/<name>.py`` of the source checkout; it prints progress to stderr and
    returns the figures, which are printed here as JSON."""
    import importlib.util
    from pathlib import Path

    module_name = args.bench.replace("-", "_")  # canvass-sync runs bench/canvass_sync.py
    path = Path(__file__).resolve().parents[2] / "bench" / f"{module_name}.py"
    spec = importlib.util.spec_from_file_location(f"groundgame_bench_{module_name}", path)
    if spec is None or spec.loader is None or not path.exists():
        raise CliError(f"benchmarks run from a source checkout; {path} is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(args)
    print(json.dumps(result, indent=2))
    return 0


COMMANDS = {
    "demo": cmd_demo,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "migrate": cmd_migrate,
    "seed": cmd_seed,
    "createstaff": cmd_createstaff,
    "people": cmd_people,
    "voters": cmd_voters,
    "integrations": cmd_integrations,
    "messaging": cmd_messaging,
    "bench": cmd_bench,
}


if __name__ == "__main__":
    raise SystemExit(main())

"""``voters import|report|imports|synth``: state voter files and their import runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from groundgame.cli.base import EXIT_USAGE, Commands, add_actions, boot
from groundgame.runtime import CliError

if TYPE_CHECKING:
    from groundgame.people.services import VoterFileForecast


def register(commands: Commands) -> None:
    voters = commands.add_parser("voters", help="import state voter files and see the runs")
    actions = add_actions(voters, dest="voters")
    vimport = actions.add_parser(
        "import", help="import a state's voter file (and its vote history) in its public layout"
    )
    vimport.add_argument(
        "--layout", required=True, help="the state's layout: az, fl, ga, mi, nc, nv, oh, pa, wi"
    )
    vimport.add_argument("--voters", required=True, metavar="FILE", help="the voters file")
    vimport.add_argument(
        "--history",
        metavar="FILE",
        help="the vote-history file, if separate (Pennsylvania: the election map)",
    )
    vimport.add_argument(
        "--resume", type=int, metavar="RUN_ID", help="continue an interrupted run of these files"
    )
    vimport.add_argument(
        "--batch-size",
        type=int,
        help="rows per transaction (default: 200,000 on PostgreSQL, 20,000 on SQLite)",
    )
    scope = vimport.add_mutually_exclusive_group()
    scope.add_argument(
        "--partial",
        action="store_true",
        help="the file is a part of the state (a county, new registrations): add and update "
        "its voters, mark nobody missing",
    )
    scope.add_argument(
        "--replace-state",
        action="store_true",
        help="the file is the whole state: mark every voter of the state it does not list as "
        "no longer on the rolls, however small it is",
    )
    vimport.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check the whole file and say what the import would do; write nothing",
    )
    vimport.set_defaults(handler=cmd_import)
    report = actions.add_parser("report", help="write a run's rejected rows as CSV")
    report.add_argument("run_id", type=int, metavar="RUN_ID")
    report.add_argument("--out", required=True, metavar="FILE.csv")
    report.set_defaults(handler=cmd_report)
    imports = actions.add_parser("imports", help="list the import runs with their counts")
    imports.set_defaults(handler=cmd_imports)
    vsynth = actions.add_parser(
        "synth", help="write a synthetic voter file in a state's layout (no database)"
    )
    vsynth.add_argument(
        "--layout", default="nc", help="az, fl, ga, mi, nc, nv, pa or wi (default: nc)"
    )
    vsynth.add_argument("--rows", type=int, required=True, help="voters to write")
    vsynth.add_argument("--out", required=True, metavar="DIR")
    vsynth.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    vsynth.add_argument(
        "--dirty-rate", type=float, default=0.005, help="share of dirty rows (default: 0.005)"
    )
    vsynth.set_defaults(handler=cmd_synth)


def cmd_synth(args: argparse.Namespace) -> int:
    """``voters synth`` writes files only, so no database is opened."""
    from pathlib import Path

    from groundgame import runtime
    from groundgame.cli.progress import Progress

    if args.rows < 1 or not 0.0 <= args.dirty_rate <= 1.0:
        raise CliError("--rows must be at least 1 and --dirty-rate between 0 and 1")
    runtime.setup_django()
    from groundgame.demo import state_files, voter_files

    layouts = ("nc", *sorted(state_files.WRITERS))
    if args.layout not in layouts:
        raise CliError(
            f"Synthetic files are written in the layouts {', '.join(layouts)}, not {args.layout!r}."
        )
    options = {"rows": args.rows, "seed": args.seed, "dirty_rate": args.dirty_rate}
    if args.layout == "nc":
        files = voter_files.write_nc(Path(args.out), progress=Progress().update, **options)
        print(
            f"Wrote {files.voters:,} voters in {files.households:,} households to "
            f"{files.voters_path} and {files.history:,} ballots to {files.history_path} "
            f"({sum(files.dirty.values()):,} dirty rows, {files.rejected:,} of them to reject)."
        )
        return 0
    state = state_files.write(args.layout, Path(args.out), progress=Progress().update, **options)
    history = (
        f" and {state.history:,} lines to {state.history_path}"
        if state.history_path
        else " (its history in election columns)"
    )
    print(
        f"Wrote {state.voters:,} voters in {state.households:,} households to "
        f"{state.voters_path}{history} ({sum(state.dirty.values()):,} dirty lines, "
        f"{len(state.rejected):,} of them to reject)."
    )
    return 0


def cmd_imports(args: argparse.Namespace) -> int:
    boot()
    from groundgame.people import selectors as people_selectors

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


def cmd_report(args: argparse.Namespace) -> int:
    boot()
    from groundgame.people import selectors as people_selectors

    if people_selectors.voter_import_get(args.run_id) is None:
        raise CliError(f"no import run {args.run_id}; see 'groundgame voters imports'")
    with open(args.out, "w", newline="", encoding="utf-8") as out:
        count = people_selectors.voter_import_error_report(args.run_id, out)
    print(f"{count:,} rejected rows of run {args.run_id} written to {args.out}.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Exit 2 when an import could load no row."""
    from pathlib import Path

    from groundgame.cli.progress import Progress

    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import services as people_services

    scope = people_services.ImportScope
    chosen = scope.PARTIAL if args.partial else scope.CHECK
    if args.replace_state:
        chosen = scope.REPLACE_STATE
    voters, history = Path(args.voters), Path(args.history) if args.history else None
    try:
        if args.dry_run:
            if args.resume is not None:
                raise CliError("--dry-run reads the files afresh; it does not take --resume.")
            forecast, notes = people_services.voter_file_dry_run(
                layout=args.layout,
                voters=voters,
                history=history,
                scope=chosen,
                progress=Progress().update,
            )
            return _print_forecast(forecast, notes, partial=args.partial)
        outcome = people_services.voter_file_import(
            actor=None,
            layout=args.layout,
            voters=voters,
            history=history,
            resume=args.resume,
            progress=Progress().update,
            batch_size=None if args.batch_size is None else max(1, args.batch_size),
            scope=chosen,
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
    missing = (
        "a part of the state: nobody marked missing"
        if run.partial
        else f"{run.marked_missing:,} voters no longer on the file marked missing"
    )
    print(
        f"Run {run.pk}: {run.rows_read:,} rows read: {run.rows_new:,} new, "
        f"{run.rows_updated:,} updated, {run.rows_unchanged:,} unchanged, "
        f"{run.rows_rejected:,} rejected; {run.history_new:,} ballots added; {missing}."
    )
    from groundgame.people import selectors as people_selectors

    rejected = people_selectors.voter_import_row_errors(run.pk, limit=_SHOWN)
    if rejected:
        _print_rejected(rejected, people_selectors.voter_import_row_error_count(run.pk))
        print(
            f"See every rejected row with: groundgame voters report {run.pk} --out FILE.csv",
            file=sys.stderr,
        )
    if outcome.loaded == 0:
        print("groundgame: no row of the voters file could be loaded.", file=sys.stderr)
        return EXIT_USAGE
    return 0


_SHOWN = 10  # rejected rows an import prints; the report has them all


def _print_rejected(rows: list[tuple[str, int, str, str]], total: int) -> None:
    print(f"Rejected rows ({total:,}):", file=sys.stderr)
    for file, line, field, reason in rows[:_SHOWN]:
        print(f"  {file} file, line {line:,}, {field or 'the line'}: {reason}", file=sys.stderr)
    if total > _SHOWN:
        print(f"  ... and {total - _SHOWN:,} more", file=sys.stderr)


def _print_forecast(f: VoterFileForecast, notes: list[str], *, partial: bool) -> int:
    """A dry run's forecast; exit 2 when no row of the voters file would load."""
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    state = f.state
    missing = (
        "nobody would be marked missing (--partial)"
        if partial
        else f"{f.marked_missing:,} of the {f.on_rolls:,} {state} voters on file would be marked "
        "no longer on the rolls"
    )
    print(
        f"Dry run, nothing written: {f.rows_read:,} rows read: {f.rows_new:,} would be added, "
        f"{f.rows_updated:,} updated, {f.rows_unchanged:,} unchanged, {f.rows_rejected:,} "
        f"rejected; {f.history_new:,} ballots would be added"
        + (f" ({f.history_rejected:,} history lines rejected)" if f.history_rejected else "")
        + f"; {missing}."
    )
    if f.problems:
        _print_rejected([(p.file, p.line, p.field, p.reason) for p in f.problems], len(f.problems))
    loads = f.rows_new + f.rows_updated + f.rows_unchanged
    return 0 if loads else EXIT_USAGE

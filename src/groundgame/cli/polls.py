"""``polls``: import 538-format poll files, and compute the polling average of a file."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError

AVERAGE_COLUMNS = ("state", "dem_pct", "rep_pct", "margin", "margin_lo80", "margin_hi80", "polls")


def register(commands: Commands) -> None:
    polls = commands.add_parser("polls", help="polls and the polling average")
    actions = add_actions(polls, dest="action")
    average = actions.add_parser(
        "average",
        help="the average per state (blank: national) of a 538-format poll file, as of a date",
    )
    average.add_argument("file", metavar="POLLS.csv")
    average.add_argument(
        "--as-of", required=True, type=_date, help="only polls that ended on or before this date"
    )
    average.add_argument("--out", required=True, metavar="OUT.csv")
    average.set_defaults(handler=cmd_average)
    imports = actions.add_parser("import", help="add or update the polls of a 538-format file")
    imports.add_argument("file", metavar="POLLS.csv")
    imports.set_defaults(handler=cmd_import)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def cmd_average(args: argparse.Namespace) -> int:
    boot()
    from groundgame.core import exports
    from groundgame.core.errors import ApplicationError
    from groundgame.insights import selectors

    try:
        with open(args.file, newline="", encoding="utf-8-sig") as stream:
            places = selectors.polls_average_of_file(stream, args.as_of)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    except ApplicationError as exc:
        raise CliError(f"{args.file}: {exc.message}") from None
    try:
        with open(args.out, "w", newline="", encoding="utf-8") as out:
            writer = exports.Writer(out)
            writer.writerow(AVERAGE_COLUMNS)
            for place in places:
                writer.writerow(
                    [place.state]
                    + [
                        f"{value:.2f}"
                        for value in (
                            place.dem_pct,
                            place.rep_pct,
                            place.margin,
                            place.margin_lo80,
                            place.margin_hi80,
                        )
                    ]
                    + [place.polls]
                )
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror}") from None
    states = sum(1 for p in places if p.state)
    print(
        f"{args.out}: the average as of {args.as_of.isoformat()} in {states} states"
        + (" and nationally" if any(not p.state for p in places) else "")
        + f", from {sum(p.polls for p in places):,} polls.",
        file=sys.stderr,
    )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from groundgame.cli.progress import Progress

    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.insights import selectors, services

    try:
        run = services.poll_file_import(actor=None, path=args.file, progress=Progress().update)
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from None
    except ApplicationError as exc:
        raise CliError(f"{args.file}: {exc.message}") from None
    if run.error:
        raise CliError(f"{args.file}: {run.error}")
    print(
        f"{run.filename}: {run.polls:,} polls read from {run.lines:,} lines: {run.added:,} "
        f"added, {run.changed:,} changed, {run.unchanged:,} unchanged; "
        f"{run.rejected:,} lines not read."
    )
    for problem in selectors.poll_import_problems(run.pk)[:20]:
        print(f"  line {problem.line}: {problem.reason}")
    if run.rejected > 20:
        print(f"  ... and {run.rejected - 20:,} more (see the import's page).")
    return 0

"""``fec report``: a committee's quarterly FEC report written as a ``.fec`` file, every record
checked against the FEC's schemas; the problems, if any, are listed by line and field and the
command exits with 1 (the file is written all the same, to be looked at, not filed)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    fec = commands.add_parser("fec", help="FEC reports from the ledger")
    actions = add_actions(fec, dest="fec")
    report = actions.add_parser(
        "report", help="write a committee's quarterly report as a .fec file and check it"
    )
    report.add_argument("--committee", required=True, help="the committee's FEC id (C00...)")
    report.add_argument("--period", required=True, help="the quarter, as 2026Q3")
    report.add_argument(
        "--out", type=Path, help="where to write it (default: <committee>-<period>.fec here)"
    )
    report.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.core.money import format_cents
    from groundgame.money import selectors, services

    committee = selectors.committee_by_fec_id(args.committee)
    if committee is None:
        raise CliError(f"No committee has the FEC id {args.committee!r}.")
    path = args.out or Path(f"{committee.fec_id}-{args.period.upper()}.fec")
    try:
        with path.open("wb") as out:
            built = services.fec_report_write(
                actor=None, committee_id=committee.pk, period=args.period, out=out
            )
    except OSError as exc:
        raise CliError(f"Cannot write {path}: {exc.strerror}.") from None
    except ApplicationError as exc:
        path.unlink(missing_ok=True)
        raise CliError(exc.message) from None
    summary = built.summary
    print(
        f"{path}: {built.lines:,} records, {built.itemized:,} itemized contributions; "
        f"receipts {format_cents(summary.period.receipts)}, disbursements "
        f"{format_cents(summary.period.disbursements)}, cash from "
        f"{format_cents(summary.opening_cash)} to {format_cents(summary.closing_cash)}",
        file=sys.stderr,
    )
    for problem in built.problems:
        print(problem, file=sys.stderr)
    if not built.valid:
        print(f"{built.problem_count:,} problems: not ready to file", file=sys.stderr)
        return 1
    print("Every record passes the FEC's schemas.", file=sys.stderr)
    return 0

"""``insights load`` and ``insights backtest``: the election desk's public data, and its
backtests on real elections as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    insights = commands.add_parser("insights", help="the election desk's analyses")
    actions = add_actions(insights, dest="action")
    load = actions.add_parser(
        "load",
        help="load the public election files (returns, ballots by method) into the desk; "
        "loading twice changes nothing, refused rows are listed",
    )
    load.add_argument("--data", type=Path, metavar="DIR", help="the folder of election files")
    load.set_defaults(handler=cmd_load)
    backtest = actions.add_parser(
        "backtest",
        help="each analysis's backtest on real elections (GROUNDGAME_PUBLIC_DATA); prints JSON",
    )
    backtest.add_argument(
        "--only", action="append", metavar="NAME", help="this analysis only (repeatable)"
    )
    backtest.set_defaults(handler=cmd_backtest)


def _data_dir(given: Path | None) -> Path:
    from groundgame.insights import selectors

    folder = given or selectors.election_data_dir()
    if not folder.is_dir():
        raise CliError(f"--data: {folder} is not a folder of election files")
    return folder


def cmd_load(args: argparse.Namespace) -> int:
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.insights import services

    try:
        loads = services.election_files_load(actor=None, data_dir=_data_dir(args.data))
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    for load in loads:
        print(f"{load.file_name}: {load.rows:,} rows loaded, {len(load.refusals)} refused")
        for refusal in load.refusals:
            print(f"  line {refusal.line}: {refusal.reason}", file=sys.stderr)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.insights import selectors

    try:
        figures = selectors.backtest_results(args.only)
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    print(json.dumps(figures, indent=2))
    return 0

"""``insights backtest``: the election desk's backtests on real elections, as JSON."""

from __future__ import annotations

import argparse
import json

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    insights = commands.add_parser("insights", help="the election desk's analyses")
    actions = add_actions(insights, dest="action")
    backtest = actions.add_parser(
        "backtest",
        help="each analysis's backtest on real elections (GROUNDGAME_PUBLIC_DATA); prints JSON",
    )
    backtest.add_argument(
        "--only", action="append", metavar="NAME", help="this analysis only (repeatable)"
    )
    backtest.set_defaults(handler=cmd_backtest)


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

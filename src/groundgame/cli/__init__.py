"""The ``groundgame`` command.

Each command group is a module of this package with a ``register(commands)`` that adds its
parser and sets its handler (``set_defaults(handler=...)``); ``build_parser`` lists them.
Every problem a user can fix (a port in use, an unwritable data directory, a database that
does not answer, a bad flag) is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from groundgame import __version__
from groundgame.cli import (
    backup,
    bench,
    demo,
    fec,
    geocode,
    insights,
    integrations,
    messaging,
    people,
    polls,
    results,
    retention,
    server,
    staff,
    turnout,
    voters,
)
from groundgame.cli.base import EXIT_USAGE, Parser, add_actions
from groundgame.runtime import CliError

GROUPS = (
    demo,
    server,
    staff,
    people,
    integrations,
    voters,
    geocode,
    messaging,
    polls,
    insights,
    fec,
    turnout,
    results,
    backup,
    retention,
    bench,
)


def build_parser() -> Parser:
    parser = Parser(
        prog="groundgame",
        description="groundgame: the campaign operations platform.",
    )
    parser.add_argument("--version", action="version", version=f"groundgame {__version__}")
    commands = add_actions(parser, dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CliError as exc:
        print(f"groundgame: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130

"""What every command group shares: the parser that answers a bad flag in one line, the
start-up of the data directory, Django and the database, and the listening options."""

from __future__ import annotations

import argparse
from typing import NoReturn, TypeAlias

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


# What a group's ``register`` is given: the ``groundgame`` parser's sub-commands.
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"


def add_actions(parser: argparse.ArgumentParser, *, dest: str, metavar: str = "ACTION") -> Commands:
    """The required sub-commands of a command group (``people link``, ``voters import``)."""
    actions = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=Parser)
    actions.required = True
    return actions


def boot(*, migrate: bool = True) -> str:
    """Data directory, Django, database; returns the database vendor."""
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    vendor = runtime.check_database()
    if migrate:
        runtime.migrate()
    return vendor


def add_listen_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")

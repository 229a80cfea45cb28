"""``createstaff``: a staff account with a role in an org unit."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from groundgame.cli.base import Commands, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    staff = commands.add_parser(
        "createstaff", help="create a staff account and give it a role in an org unit"
    )
    staff.add_argument("username")
    staff.add_argument("--email", default="")
    staff.add_argument(
        "--role",
        default="admin",
        help="admin, director, organizer, volunteer_leader, analyst, finance",
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
    staff.set_defaults(handler=cmd_createstaff)


def cmd_createstaff(args: argparse.Namespace) -> int:
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.organizing import selectors as organizing_selectors
    from groundgame.organizing import services as organizing_services

    unit = None
    if args.unit:
        unit = organizing_selectors.org_unit_by_name(args.unit)
        if unit is None:
            raise CliError(
                f"no org unit named {args.unit!r}; see the Organizing page for the names"
            )
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


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise CliError("no password: set GROUNDGAME_PASSWORD or run in a terminal to be asked")
    first = getpass.getpass("Password (12+ characters): ")
    if first != getpass.getpass("Password again: "):
        raise CliError("the two passwords differ")
    return first

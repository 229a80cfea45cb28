"""``integrations <vendor> <action>``: imports from other systems."""

from __future__ import annotations

import argparse
import json
import sys

from groundgame.cli.base import EXIT_USAGE, Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    integrations = commands.add_parser("integrations", help="import from other systems")
    vendors = add_actions(integrations, dest="vendor", metavar="VENDOR")
    mobilize = vendors.add_parser("mobilize", help="Mobilize events and attendances")
    mobilize_actions = add_actions(mobilize, dest="action")
    attendances = mobilize_actions.add_parser(
        "import-attendances", help="import a saved JSON answer of Mobilize's attendances API"
    )
    attendances.add_argument("file", metavar="FILE.json", help="one page {data, ...} or a list")
    attendances.add_argument(
        "--org-unit", default="", help="unit for new events (default: the team of their ZIP)"
    )
    attendances.set_defaults(handler=cmd_mobilize_import_attendances)
    actblue = vendors.add_parser("actblue", help="ActBlue contributions")
    actblue_actions = add_actions(actblue, dest="action")
    contributions = actblue_actions.add_parser(
        "import-contributions", help="import ActBlue's contributions export (CSV)"
    )
    contributions.add_argument("file", metavar="FILE.csv")
    contributions.set_defaults(handler=cmd_actblue_import_contributions)


def cmd_mobilize_import_attendances(args: argparse.Namespace) -> int:
    """``integrations mobilize import-attendances``: exit 2 when no record could be loaded."""
    try:
        with open(args.file, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    boot()
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


def cmd_actblue_import_contributions(args: argparse.Namespace) -> int:
    """``integrations actblue import-contributions``: every good row lands, every bad one is
    printed with its line; exit 2 when no row could be imported."""
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {args.file}: {exc}") from None
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.integrations.actblue import csv_import

    try:
        report = csv_import.contributions_import(actor=None, text=text)
    except ApplicationError as exc:
        raise CliError(f"{args.file}: {exc.message}") from None
    for line, reason in report.rejected:
        print(f"line {line}: {reason}", file=sys.stderr)
    print(
        f"{report.rows:,} rows: {report.landed:,} landed, {report.unchanged:,} already "
        f"recorded, {len(report.rejected):,} rejected."
    )
    return EXIT_USAGE if report.rows and len(report.rejected) == report.rows else 0

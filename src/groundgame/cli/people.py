"""``people link``, ``people export-universe``, and a person's requests about their data
(``people export-person``, ``people erase-person``)."""

from __future__ import annotations

import argparse
import sys

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    people = commands.add_parser("people", help="work on files of people")
    actions = add_actions(people, dest="people")
    link = actions.add_parser(
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
    link.set_defaults(handler=cmd_link)
    export_universe = actions.add_parser(
        "export-universe", help="write a saved universe's people as CSV (logged as a read)"
    )
    export_universe.add_argument("name", help="the universe's name (any case)")
    export_universe.add_argument("--out", required=True, metavar="FILE.csv")
    export_universe.set_defaults(handler=cmd_export_universe)
    export_person = actions.add_parser(
        "export-person", help="write everything held about a person as JSON (logged)"
    )
    export_person.add_argument("person_id", type=int, metavar="ID")
    export_person.add_argument("--out", required=True, metavar="FILE.json")
    export_person.set_defaults(handler=cmd_export_person)
    erase_person = actions.add_parser(
        "erase-person",
        help="erase a person on their request, keeping their addresses suppressed (logged)",
    )
    erase_person.add_argument("person_id", type=int, metavar="ID")
    erase_person.add_argument("--reason", required=True, help="which request (date, source)")
    erase_person.set_defaults(handler=cmd_erase_person)


def cmd_link(args: argparse.Namespace) -> int:
    """``people link`` reads and writes files only, so no database is opened."""
    from pathlib import Path

    from groundgame import runtime

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


def cmd_export_universe(args: argparse.Namespace) -> int:
    """``people export-universe``: everyone in the universe, as the system (whose scope is
    the whole campaign), with the same audit row as an export from the web."""
    name, out = args.name, args.out
    boot()
    from groundgame.core import exports
    from groundgame.core.errors import ApplicationError
    from groundgame.organizing.selectors import SYSTEM_SCOPE
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people_services

    universe = (
        people_selectors.universe_list(SYSTEM_SCOPE).filter(name__iexact=name.strip()).first()
    )
    if universe is None:
        raise CliError(f"no universe named {name!r}; see the Universes page for their names")
    try:
        export = people_services.universe_export(actor=None, universe_id=universe.pk)
        with open(out, "w", newline="", encoding="utf-8") as file:
            writer = exports.Writer(file)
            writer.writerow(export.header)
            # The records are read in chunks as they are written: memory stays flat.
            writer.writerows(export.records)
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"{export.rows:,} people of universe {universe.name!r} written to {out}.")
    return 0


def cmd_export_person(args: argparse.Namespace) -> int:
    """``people export-person``: as the system, with the same audit row as the page's."""
    import json

    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import services as people_services

    try:
        document = people_services.person_export(actor=None, person_id=args.person_id)
        with open(args.out, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=2, ensure_ascii=False)
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"Everything held about person #{args.person_id} written to {args.out}.")
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    """``people erase-person``: as the system, with the same audit row as the page's."""
    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.people import services as people_services

    try:
        erasure = people_services.person_erase(
            actor=None, person_id=args.person_id, reason=args.reason
        )
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    rows = sum(erasure.changed.values())
    print(f"Person #{args.person_id} erased ({rows:,} rows changed); they stay on do-not-contact.")
    return 0

"""``geocode``: place the households without coordinates through the batch geocoder."""

from __future__ import annotations

import argparse
import sys

from groundgame.cli.base import EXIT_USAGE, Commands, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    geocode = commands.add_parser(
        "geocode",
        help="look up the coordinates of households without them (GROUNDGAME_GEOCODER_URL)",
    )
    geocode.add_argument("--state", default="", help="only this state's households (e.g. NC)")
    geocode.add_argument(
        "--misses", metavar="FILE.csv", help="write the addresses not placed (no match, tie)"
    )
    geocode.set_defaults(handler=cmd_geocode)


def cmd_geocode(args: argparse.Namespace) -> int:
    """Runs in this process, printing progress; exit 2 when the geocoder could not be used."""
    from groundgame.cli.progress import Progress

    boot()
    from django.conf import settings

    from groundgame.core.errors import ApplicationError
    from groundgame.people import selectors as people_selectors
    from groundgame.people import services as people_services

    try:
        run = people_services.geocode_run_start(actor=None, state=args.state, enqueue=False)
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    print(
        f"Run {run.pk}: {run.households:,} households to look up at "
        f"{settings.GROUNDGAME_GEOCODER_URL} (benchmark {run.benchmark}).",
        file=sys.stderr,
    )
    run = people_services.geocode_run_execute(run_id=run.pk, progress=Progress().update)
    print(
        f"Run {run.pk} {run.get_status_display().lower()}: {run.done:,} looked up, "
        f"{run.matched:,} placed, {run.unmatched:,} not matched, {run.ties:,} ties; "
        f"{run.requests:,} requests, {run.retries:,} sent again."
    )
    if args.misses:
        from groundgame.core import exports

        with open(args.misses, "w", newline="", encoding="utf-8") as out:
            writer = exports.Writer(out)
            writer.writerow(["household_id", "why", "address"])
            misses = people_selectors.geocode_misses(run.pk)
            for miss in misses.iterator():
                writer.writerow([miss.household_id, miss.kind, miss.address])
        print(f"{run.unmatched + run.ties:,} addresses not placed written to {args.misses}.")
    if run.error:
        print(f"groundgame: the run stopped: {run.error}", file=sys.stderr)
        return EXIT_USAGE
    return 0

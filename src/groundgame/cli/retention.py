"""``retention purge``: delete what is kept only for a while (see docs/operating.md)."""

from __future__ import annotations

import argparse

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    retention = commands.add_parser("retention", help="delete rows kept only for a while")
    actions = add_actions(retention, dest="retention")
    purge = actions.add_parser(
        "purge",
        help="delete voter imports' rejected lines and the canvass sync's refused results "
        "older than GROUNDGAME_RETENTION_DAYS",
    )
    purge.add_argument("--days", type=int, help="keep this many days instead of the setting")
    purge.set_defaults(handler=cmd_purge)


def cmd_purge(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 1:
        raise CliError("--days: at least 1")
    boot()
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from groundgame.field import services as field_services
    from groundgame.people import services as people_services

    days = args.days or settings.GROUNDGAME_RETENTION_DAYS
    before = timezone.now() - dt.timedelta(days=days)
    imports = people_services.voter_import_rejections_purge(before=before)
    canvass = field_services.sync_rejections_purge(before=before)
    print(
        f"Older than {days} days: {imports:,} rejected voter-file lines and {canvass:,} refused "
        "canvass results deleted."
    )
    return 0

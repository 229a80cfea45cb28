"""``backup`` and ``restore``: the whole database to one file and back (see core/backup.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from groundgame.cli.base import Commands, boot
from groundgame.cli.progress import Progress
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    backup = commands.add_parser(
        "backup", help="write a backup of the whole database to a file (the app may keep running)"
    )
    backup.add_argument("--out", required=True, metavar="FILE", help="a new file to write")
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore", help="restore a backup into an empty database (DATABASE_URL or the default)"
    )
    restore.add_argument("file", metavar="FILE", help="a file written by groundgame backup")
    restore.set_defaults(handler=cmd_restore)


def _database() -> dict[str, object]:
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def cmd_backup(args: argparse.Namespace) -> int:
    boot(migrate=False)
    from groundgame.core import backup

    try:
        result = backup.backup(_database(), Path(args.out), progress=Progress().update)
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None
    print(
        f"Backed up {result.tables} tables of the {result.vendor} database to {result.path} "
        f"({result.bytes / 1e6:,.1f} MB). Keep the data directory's secret_key and "
        "webhook_secret with it.",
        file=sys.stderr,
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    boot(migrate=False)
    from groundgame.core import backup

    try:
        result = backup.restore(_database(), Path(args.file))
    except backup.BackupError as exc:
        raise CliError(str(exc)) from None
    print(
        f"Restored {result.tables} tables from {result.path} into the {result.vendor} database. "
        "Run groundgame migrate if this release is newer than the backup.",
        file=sys.stderr,
    )
    return 0

"""``messaging deliver``: send what waits in the outbox."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from groundgame.cli.base import Commands, add_actions, boot
from groundgame.runtime import CliError


def register(commands: Commands) -> None:
    messaging = commands.add_parser("messaging", help="send what waits in the outbox")
    actions = add_actions(messaging, dest="messaging")
    deliver = actions.add_parser(
        "deliver", help="deliver one channel's queued messages now, at the provider's rate"
    )
    deliver.add_argument("--channel", required=True, choices=["email", "sms"])
    deliver.add_argument("--mailing", type=int, metavar="ID", help="only this mailing's messages")
    deliver.set_defaults(handler=cmd_deliver)


def cmd_deliver(args: argparse.Namespace) -> int:
    """``messaging deliver``: the sender, in this process, with its progress on stderr.
    Stopped at any point, the next run resumes and sends nobody the same message twice."""
    import time

    boot()
    from groundgame.core.errors import ApplicationError
    from groundgame.messaging import services as messaging

    started = last = time.monotonic()

    def report(tally: Any) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 1.0:
            last = now
            left = messaging.outbox_count(channel=args.channel, mailing_id=args.mailing)
            rate = tally.sent / (now - started)
            print(f"{tally.sent:,} sent, {left:,} remaining, {rate:,.0f}/s", file=sys.stderr)

    try:
        tally = messaging.sends_deliver(
            channel=args.channel, mailing_id=args.mailing, progress=report
        )
    except ApplicationError as exc:
        raise CliError(exc.message) from None
    seconds = time.monotonic() - started
    print(
        f"{tally.sent:,} sent, {tally.suppressed:,} held back by consent, {tally.failed:,} "
        f"failed, {tally.retried:,} left for a later run, {tally.waiting:,} waiting for "
        f"their recipients' sending hours; {seconds:.1f}s "
        f"({tally.sent / max(seconds, 0.001):,.0f}/s)",
        file=sys.stderr,
    )
    return 0

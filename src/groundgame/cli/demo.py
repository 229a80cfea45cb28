"""``demo`` and ``seed``: the synthetic campaign, seeded and served."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from typing import Any

from groundgame.cli.base import Commands, add_listen_args, boot
from groundgame.cli.server import serve_until_interrupted, stop, url_host
from groundgame.core.env import home_dir


def register(commands: Commands) -> None:
    demo = commands.add_parser(
        "demo", help="create, seed and serve a synthetic campaign with its worker (embedded SQLite)"
    )
    add_listen_args(demo)
    demo.add_argument(
        "--scale",
        choices=["small", "state"],
        default="small",
        help="size of the synthetic campaign seeded on first run (default: small)",
    )
    demo.set_defaults(handler=cmd_demo)

    seed = commands.add_parser("seed", help="seed a synthetic campaign into an empty database")
    seed.add_argument("--scale", choices=["small", "state"], default="small")
    seed.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")
    seed.set_defaults(handler=cmd_seed)


def cmd_seed(args: argparse.Namespace) -> int:
    boot()
    report = _seed_if_empty(args.scale, args.seed)
    if report is None:
        print("The database already holds a campaign; nothing seeded.")
    return 0


def _seed_if_empty(scale: str, seed: int = 2024) -> Any:
    from groundgame.cli.progress import Progress
    from groundgame.demo import seed as seeding

    if seeding.campaign_is_seeded():
        return None
    print(f"Seeding a synthetic campaign ({scale}) ...", file=sys.stderr)
    report = seeding.seed_campaign(scale=scale, seed=seed, progress=Progress().update)
    print(
        f"Seeded {report.voters:,} voters, {report.volunteers:,} volunteers, "
        f"{report.staff:,} staff in {report.units:,} org units in {report.seconds:.1f}s.",
        file=sys.stderr,
    )
    return report


def cmd_demo(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.check_port(args.host, args.port)
    url = f"http://{url_host(args.host)}:{args.port}/"
    # The links in the emails the demo sends (sign-up confirmations, RSVPs, unsubscribes) lead
    # back to this server unless the public address is set; the worker inherits it.
    os.environ.setdefault("GROUNDGAME_PUBLIC_URL", url.rstrip("/"))
    if os.environ.get("DATABASE_URL"):
        print(
            "groundgame: note: DATABASE_URL is set, so the demo uses that database.",
            file=sys.stderr,
        )
    # The printed sign-in must work without a phone: two-factor sign-in, which admins need
    # elsewhere, is off in the demo unless the environment asks for it (read at boot).
    os.environ.setdefault("GROUNDGAME_TWO_FACTOR_ROLES", "none")
    boot()
    from django.conf import settings

    from groundgame.demo import seed as seeding  # needs Django set up

    _seed_if_empty(args.scale)
    username, password = seeding.demo_login()
    server = runtime.make_server(args.host, args.port)
    worker = subprocess.Popen([sys.executable, "-m", "groundgame", "worker"])
    print(
        f"\ngroundgame demo is running at {url}\n"
        f"  sign in as {username} / {password}\n"
        f"{_two_factor_note(settings.GROUNDGAME_TWO_FACTOR_ROLES)}"
        f"  data in {home_dir()}  (delete it to start afresh)\n"
        "  press Ctrl-C to stop\n",
        flush=True,
    )
    # The public returns take a minute to load: the pages answer meanwhile, and say so.
    threading.Thread(target=_election_desk, name="election-desk", daemon=True).start()
    try:
        serve_until_interrupted(server)
    finally:
        stop(worker)
    return 0


def _election_desk() -> None:
    from django.db import connection

    from groundgame.demo import turnout

    try:
        print(f"groundgame: {turnout.election_desk_create(seed=2024)}", file=sys.stderr)
    except Exception as exc:  # the demo serves on without the desk's data; say why
        print(f"groundgame: election desk not loaded ({exc})", file=sys.stderr)
    finally:
        connection.close()


def _two_factor_note(roles: list[str]) -> str:
    if roles:
        return f"  two-factor sign-in is required of: {', '.join(roles)}\n"
    return (
        "  two-factor sign-in is off in this demo (GROUNDGAME_TWO_FACTOR_ROLES=none);\n"
        "  a deployment requires it of admins\n"
    )

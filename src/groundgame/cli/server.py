"""``serve``, ``worker`` and ``migrate``: running groundgame."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from typing import Any

from groundgame.cli.base import Commands, add_listen_args, boot


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the web app (without the worker)")
    add_listen_args(serve)
    serve.add_argument("--threads", type=int, default=8, help="request threads (default: 8)")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run the background task worker")
    worker.set_defaults(handler=cmd_worker)
    migrate = commands.add_parser("migrate", help="create or update the database tables")
    migrate.set_defaults(handler=cmd_migrate)


def cmd_migrate(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    runtime.check_database()
    runtime.migrate(verbosity=1)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from groundgame import runtime

    boot(migrate=False)
    runtime.run_worker()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from groundgame import runtime

    runtime.check_port(args.host, args.port)
    boot(migrate=False)
    server = runtime.make_server(args.host, args.port, threads=args.threads)
    print(f"groundgame is serving on http://{url_host(args.host)}:{args.port}/", flush=True)
    serve_until_interrupted(server)
    return 0


def serve_until_interrupted(server: Any) -> None:
    """Serve until SIGINT or SIGTERM; requests in flight finish before the server closes."""

    def on_signal(signum: int, frame: Any) -> None:
        # Waitress's loop ends on KeyboardInterrupt by waiting for its request threads, so a
        # request being answered is not cut off with a closed socket.
        raise KeyboardInterrupt

    # Installed for SIGINT too: a demo started in the background by a script inherits SIGINT
    # as ignored, and Ctrl-C (or kill -INT) must still stop it.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("groundgame stopped.", file=sys.stderr)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def url_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):  # noqa: S104 - only shown to the user, not bound here
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host

"""Starting groundgame: the data directory, Django, the database check, the web server and the
worker. The command line calls these; each failure a user can fix raises ``CliError``."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from groundgame.core.env import home_dir

logger = logging.getLogger(__name__)


class CliError(Exception):
    """A problem the user can fix: printed as one line, exit code 2."""


def prepare_home() -> Path:
    """Create the data directory and check that it is writable."""
    home = home_dir()
    try:
        home.mkdir(parents=True, exist_ok=True)
        probe = home / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise CliError(
            f"the data directory {home} is not writable ({exc.strerror or exc}); "
            "set GROUNDGAME_HOME to a directory you can write to"
        ) from None
    return home


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ValueError as exc:  # dj-database-url refuses an unknown scheme
        raise CliError(
            f"DATABASE_URL is not usable: {exc}; use postgres://... or sqlite:///..."
        ) from None
    except ImproperlyConfigured as exc:  # a setting an app refuses when it starts
        raise CliError(str(exc)) from None


def check_database() -> str:
    """Connect once; returns the vendor ("sqlite", "postgresql")."""
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the SQLite database"
        raise CliError(
            f"cannot connect to {where}: {first_line}; check the URL and that the server is running"
        ) from None
    except ImportError as exc:
        raise CliError(
            f"the database driver is missing ({exc.name}); install groundgame[scale] for PostgreSQL"
        ) from None
    return connection.vendor


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    # The database cache's table is not a migration; this creates it if missing (and does
    # nothing for the Redis cache).
    call_command("createcachetable", verbosity=verbosity)


def check_port(host: str, port: int) -> None:
    """Refuse a port that is taken before anything starts, with a message that says so."""
    if not 0 < port < 65536:
        raise CliError(f"--port {port} is not a TCP port (1-65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # As the server itself will: connections of a previous run still closing (TIME_WAIT)
        # do not make the port busy, a live listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(
                    f"port {port} on {host} is in use; "
                    "stop what is using it or pass --port with another"
                ) from None
            raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def make_server(host: str, port: int, threads: int = 8):  # type: ignore[no-untyped-def]
    """A waitress server for the WSGI app; ``.run()`` serves until ``.close()``."""
    from waitress.server import create_server

    from groundgame.wsgi import application

    return create_server(application, host=host, port=port, threads=threads, ident="groundgame")


# The shortest wait between two rounds of a loop whose work asks to look again soon.
_MIN_ROUND = 0.05
# The wait before a round that failed on the database is tried again.
_RETRY_AFTER_FAILURE = 1.0


def _loop(
    name: str, interval: float, work: Callable[[], float | None], stop: threading.Event
) -> None:
    """Run ``work`` every ``interval`` seconds until ``stop``, surviving the database; sooner
    when ``work`` returns the seconds after which it wants to look again.

    A connection that the database dropped stays broken in Django until it is closed: each
    round first closes one that errored or outlived its age, and a round that fails closes
    it, so the next round connects afresh instead of failing forever."""
    from django.db import DatabaseError, close_old_connections, connection

    while True:
        close_old_connections()
        wait = interval
        try:
            sooner = work()
        except DatabaseError as exc:
            # Most often a connection the database dropped: a new one a moment later works,
            # and the work it was doing should not wait a whole interval.
            wait = min(interval, _RETRY_AFTER_FAILURE)
            logger.warning("worker %s failed, retrying in %.1f s: %s", name, wait, exc)
            connection.close()
        else:
            if sooner is not None:
                wait = max(_MIN_ROUND, min(interval, sooner))
        if stop.wait(wait):
            break
    connection.close()


@contextlib.contextmanager
def _every(name: str, interval: float, work: Callable[[], float | None]) -> Iterator[None]:
    """``work`` in a thread of its own every ``interval`` seconds while the block runs."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_loop, args=(name, interval, work, stop), name=name, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 1)


@contextlib.contextmanager
def heartbeat(backend: str, interval: float | None = None) -> Iterator[str]:
    """Keep a WorkerHeartbeat row fresh while the block runs; /healthz reads it."""
    from django.utils import timezone

    from groundgame.core.models import BEAT_SECONDS, WorkerHeartbeat

    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname=socket.gethostname(),
        pid=os.getpid(),
        backend=backend,
        started_at=now,
        beat_at=now,
    )

    def beat() -> None:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=timezone.now())

    try:
        with _every("heartbeat", interval or BEAT_SECONDS, beat):
            yield worker_id
    finally:
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@contextlib.contextmanager
def sweeper(worker_id: str) -> Iterator[None]:
    """Re-schedule work that lost its task while the block runs, every
    ``GROUNDGAME_SWEEP_SECONDS`` (and when a sender's hold or a send's lease runs out):
    sign-ups committed by a web process that died before it
    could schedule their processing, and outboxes whose sender died mid-send. Each sweep that
    succeeds is noted on the worker's heartbeat row, so /healthz shows a sweeper that
    stopped working."""
    from django.conf import settings
    from django.utils import timezone

    from groundgame.core.models import WorkerHeartbeat
    from groundgame.integrations.actblue import intake as actblue
    from groundgame.messaging import services as messaging
    from groundgame.volunteers import services as volunteers

    def sweep() -> float | None:
        volunteers.signup_pending_sweep()
        outbox = messaging.outbox_sweep()
        actblue.receipts_sweep()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(swept_at=timezone.now())
        # A dead sender's work is resumed the moment its hold runs out, not up to a whole
        # sweep interval later.
        return outbox.look_again

    with _every("sweeper", settings.GROUNDGAME_SWEEP_SECONDS, sweep):
        yield


def run_worker() -> None:
    """Run the task worker of the configured backend until SIGINT/SIGTERM."""
    from django.conf import settings
    from django.core.management import call_command

    backend = settings.TASKS["default"]["BACKEND"]
    with heartbeat(backend) as worker_id, sweeper(worker_id):
        if backend.startswith("django_tasks_rq"):
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.Job",
                worker_class="groundgame.core.rq_worker.Worker",
                with_scheduler=True,
            )
        else:
            call_command("db_worker", queue_name="*", interval=0.5, startup_delay=False)

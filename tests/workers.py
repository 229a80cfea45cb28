"""A real ``groundgame worker`` process for tests that need one: it must see rows the test
writes, so such tests are transactional (committed rows) and the worker points at the test
database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.helpers import database_url_for_tests
from tests.service_requirements import require_service

# Generous: a cold worker imports Django and connects in a couple of seconds, but CI machines
# are shared and slow; the tests return as soon as the condition holds.
WORKER_DEADLINE = 60.0


def uses_rq() -> bool:
    return bool(os.environ.get("REDIS_URL"))


class Worker:
    """A ``groundgame worker`` subprocess on the test database; its output goes to a file so
    that a failure can show it."""

    def __init__(self, log: Path, home: Path, **environment: str) -> None:
        env = dict(os.environ)
        env.update(DATABASE_URL=database_url_for_tests(), GROUNDGAME_HOME=str(home))
        env.update(environment)
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "groundgame", "worker"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stop() can also end the RQ scheduler it forks.
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def assert_running(self) -> None:
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"the worker exited with {code}:\n{self.output()}", pytrace=False)

    def kill(self) -> None:
        """SIGKILL the worker and every process it started, as when its machine goes: RQ's
        work horse runs a job in a session of its own, so killing the worker's process group
        would leave it sending."""
        for pid in [*_descendants(self.pid), self.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM (a warm shutdown in both backends), then SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        # A worker stopped before its signal handlers were installed leaves its scheduler
        # process behind; never let a test leak one.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._out.close()
        return self.process.returncode


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, children first found first (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # The command name may hold spaces and parentheses: the fields follow its last ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """``start_worker(**environment)``: a worker with these variables added to the run's."""
    if uses_rq():
        require_service("redis")
    if connection.vendor == "postgresql":
        require_service("postgresql")
    workers: list[Worker] = []

    def start(**environment: str) -> Worker:
        worker = Worker(tmp_path / f"worker-{len(workers)}.log", tmp_path / "home", **environment)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()

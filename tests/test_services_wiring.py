"""The configured services are the real ones and are wired together.

These tests run in both passes of ``.ci/run``: embedded (SQLite, database task backend) and
scale-out (PostgreSQL from ``DATABASE_URL``, RQ workers on ``REDIS_URL``). Each checks the
configuration the environment asks for, so a settings mistake that silently falls back to
the embedded backends fails here instead of passing everything else on the wrong stack.

The worker tests start a real ``groundgame worker`` process. It must see rows this process
writes, so they use transactional tests (committed rows) and point the worker at the test
database.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client

from tests.conftest import FAST_PASSWORD_HASHER
from tests.service_requirements import require_service
from tests.workers import WORKER_DEADLINE, Worker, uses_rq


def _wait_for(condition: Callable[[], Any], worker: Worker, what: str) -> Any:
    deadline = time.monotonic() + WORKER_DEADLINE
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        worker.assert_running()
        time.sleep(0.25)
    pytest.fail(
        f"{what} did not happen within {WORKER_DEADLINE:.0f}s; worker output:\n{worker.output()}",
        pytrace=False,
    )


def test_task_backend_follows_redis_url() -> None:
    backend = settings.TASKS["default"]["BACKEND"]
    if uses_rq():
        assert backend == "django_tasks_rq.RQBackend"
        assert "django_rq" in settings.INSTALLED_APPS
        assert settings.RQ_QUEUES["default"]["URL"] == os.environ["REDIS_URL"]
    else:
        assert backend == "django_tasks_db.DatabaseBackend"
        assert "django_rq" not in settings.INSTALLED_APPS


def test_passwords_hash_with_md5_only_where_the_test_knob_asks() -> None:
    """The suite's fast hasher is a test-only knob: a process started without it (as every
    deployment is) makes PBKDF2 hashes and does not accept the MD5 hashes tests make, and one
    started with it (as the suite's servers and workers are) accepts them."""
    made_here = make_password("a-long-passphrase-77")
    assert made_here.startswith("md5$")
    script = (
        "import django; django.setup()\n"
        "from django.contrib.auth.hashers import check_password, make_password\n"
        f"print(make_password('pw').split('$')[0], check_password('a-long-passphrase-77', "
        f"{made_here!r}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "groundgame.settings"}
    deployment = {k: v for k, v in env.items() if k != FAST_PASSWORD_HASHER}
    for environment, expected in ((deployment, "pbkdf2_sha256 False"), (env, "md5 True")):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout.split() == expected.split()


@pytest.mark.django_db
def test_database_url_postgres_is_really_postgresql() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("DATABASE_URL does not point to PostgreSQL in this run")
    require_service("postgresql")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_database()")
        version, database = cursor.fetchone()
    assert version.startswith("PostgreSQL ")
    assert database == connection.settings_dict["NAME"]


@pytest.mark.django_db
def test_sqlite_is_durable_and_concurrent() -> None:
    """WAL lets the worker read while the web writes; FULL makes a 2xx survive a power cut."""
    if connection.vendor != "sqlite":
        pytest.skip(f"this run uses {connection.vendor}, not SQLite")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def _ping_through(worker: Worker) -> None:
    """Enqueue ``ping`` and wait for ``worker`` to answer it."""
    from groundgame.core.tasks import ping

    backend = type(ping.get_backend()).__name__
    token = uuid.uuid4().hex
    result = ping.enqueue(token)

    def finished() -> bool:
        result.refresh()
        return result.is_finished

    _wait_for(finished, worker, f"the {backend} worker finishing ping({token!r})")
    assert result.status == "SUCCESSFUL", result.errors
    assert result.return_value == token
    assert result.worker_ids, "the result does not name the worker that ran it"


@pytest.mark.django_db(transaction=True)
def test_enqueued_task_is_run_by_a_worker_process(start_worker: Callable[[], Worker]) -> None:
    from groundgame.core.tasks import ping

    assert type(ping.get_backend()).__name__ == ("RQBackend" if uses_rq() else "DatabaseBackend")
    worker = start_worker()
    _ping_through(worker)
    assert worker.stop() == 0, worker.output()


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_the_worker(
    start_worker: Callable[[], Worker], make_staff: Callable[..., Any]
) -> None:
    client = Client()
    client.force_login(make_staff("ops", superuser=True))  # staff see which process runs
    before = client.get("/healthz").json()
    assert before["status"] == "degraded"
    assert before["worker"]["ok"] is False

    worker = start_worker()

    def worker_seen() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get("/healthz").json()
        return body if body["worker"]["ok"] else None

    during = _wait_for(worker_seen, worker, "/healthz reporting the worker")
    assert during["status"] == "ok"
    assert during["database"] == {"ok": True, "vendor": connection.vendor}
    assert [w["pid"] for w in during["worker"]["workers"]] == [worker.pid]
    assert during["worker"]["workers"][0]["backend"] == settings.TASKS["default"]["BACKEND"]

    # The heartbeat is written before the worker loop installs its signal handlers; stop it
    # only once it has run a job, so that SIGTERM is the warm shutdown a process manager
    # relies on and not a kill half way through start-up.
    _ping_through(worker)
    assert worker.stop() == 0, worker.output()
    after = client.get("/healthz")
    assert after.status_code == 200
    assert after.json()["status"] == "degraded"
    assert after.json()["worker"] == {"ok": False, "count": 0, "workers": []}

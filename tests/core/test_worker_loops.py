"""The worker's heartbeat and sweeper survive the database dropping their connections, and
/healthz says when either loop stopped working."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from groundgame import runtime
from groundgame.core.models import WorkerHeartbeat
from tests.service_requirements import require_service

ROUND = 0.2  # seconds between rounds of each loop in these tests


def _row(worker_id: str) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.get(worker_id=worker_id)


def _wait_until(condition: Any, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(ROUND / 2)
    return False


@pytest.mark.django_db(transaction=True)
def test_both_loops_reconnect_after_the_database_drops_them(settings: Any) -> None:
    require_service("postgresql")
    settings.GROUNDGAME_SWEEP_SECONDS = ROUND
    with runtime.heartbeat("test", interval=ROUND) as worker_id, runtime.sweeper(worker_id):
        assert _wait_until(lambda: _row(worker_id).swept_at is not None)
        # Every other connection to the test database is ended by the server, as a restart,
        # a failover or an idle timeout in a pooler would.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (dropped,) = cursor.fetchone()
        assert dropped >= 2, "the loops' connections were not dropped"
        dropped_at = timezone.now()

        def both_recovered() -> bool:
            row = _row(worker_id)
            return row.beat_at > dropped_at and (row.swept_at or dropped_at) > dropped_at

        assert _wait_until(both_recovered), "a loop stayed broken after its connection dropped"


@pytest.mark.django_db
def test_healthz_counts_a_worker_whose_sweeper_stopped_as_degraded(
    settings: Any, make_staff: Any
) -> None:
    now = timezone.now()
    started = now - dt.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        hostname="h",
        pid=1,
        backend="db",
        started_at=started,
        beat_at=now,
        swept_at=now - dt.timedelta(seconds=settings.GROUNDGAME_SWEEP_SECONDS * 4),
    )
    body = Client().get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["worker"] == {"ok": False, "count": 1}

    staff = Client()
    staff.force_login(make_staff("ops", superuser=True))
    (worker,) = staff.get("/healthz").json()["worker"]["workers"]
    assert worker["sweeping"] is False
    assert worker["last_sweep"] is not None

    WorkerHeartbeat.objects.filter(worker_id="w1").update(swept_at=now)
    assert Client().get("/healthz").json()["status"] == "ok"

"""The liveness probe (/healthz), and error pages that never show a traceback."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from groundgame.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_liveness_reports_the_database_and_a_missing_worker_as_degraded():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "count": 0}
    assert body["status"] == "degraded"


def test_liveness_is_ok_with_a_fresh_worker_heartbeat_and_ignores_stale_ones():
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="stale",
        hostname="h",
        pid=1,
        backend="db",
        started_at=now,
        beat_at=now - dt.timedelta(minutes=5),
    )
    assert Client().get("/healthz").json()["status"] == "degraded"
    WorkerHeartbeat.objects.create(
        worker_id="fresh", hostname="h", pid=2, backend="db", started_at=now, beat_at=now
    )
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker"] == {"ok": True, "count": 1}


def test_only_staff_see_which_hosts_and_processes_run(make_staff):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        hostname="db-7.internal",
        pid=4242,
        backend="db",
        started_at=now,
        beat_at=now,
    )
    public = Client().get("/healthz")
    assert public["Cache-Control"].startswith("max-age=0")
    assert b"db-7.internal" not in public.content
    assert b"4242" not in public.content
    assert public.json()["database"] == {"ok": True}

    staff = Client()
    staff.force_login(make_staff("ops", superuser=True))
    details = staff.get("/healthz").json()
    assert [(w["id"], w["host"], w["pid"]) for w in details["worker"]["workers"]] == [
        ("w1", "db-7.internal", 4242)
    ]


def test_unknown_page_is_a_friendly_404_without_a_traceback():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert b"Not found" in response.content
    assert b"Traceback" not in response.content


def test_unknown_api_path_is_json():
    response = Client().get("/api/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@override_settings(ROOT_URLCONF="tests.core.urls_failing", DEBUG=False)
def test_a_crash_is_a_500_page_that_shows_no_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content
    assert b"RuntimeError" not in response.content

"""Fault injection: the server is killed with SIGKILL in the middle of a sign-up surge.

Every sign-up that was answered 2xx must be in the database after a restart, and no
idempotency key may land twice even though the clients retry every request they did not see
acknowledged (some of which did commit before the kill). Then the worker step turns every
stored sign-up into a person with a follow-up. Runs on the database of the test
run: PostgreSQL when ``DATABASE_URL`` points to it, else SQLite.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from groundgame.volunteers import services as volunteers_services
from tests.helpers import database_url_for_tests, free_port

pytestmark = pytest.mark.slow

CLIENTS = 8
PER_CLIENT = 60
KILL_AFTER_ACKS = 120


def start_server(port: int, home: Path, log: Path) -> subprocess.Popen[bytes]:
    # The run's own configuration, REDIS_URL included: the test database was created for it
    # (with Redis, it has no cache table for the server to fall back on).
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url_for_tests(),
        GROUNDGAME_HOME=str(home),
        GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE="1000000",
        GROUNDGAME_SIGNUP_CLIENT_BURST="1000000",
        GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND="1000000",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "groundgame", "serve", "--port", str(port), "--threads", "8"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()}")


def post(port: int, slug: str, key: str, n: int) -> int | None:
    """One attempt; the status, or None when no answer came (refused, reset, killed)."""
    body = json.dumps(
        {
            "first_name": f"Fault{n}",
            "last_name": "Tester",
            "email": f"fault{n}@example.org",
            "zip5": "27701",
        }
    )
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST",
            f"/api/public/signups/{slug}",
            body=body,
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
        )
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


def test_every_acknowledged_signup_survives_a_sigkill_exactly_once(
    transactional_db: None, tmp_path: Path, campaign: Any
) -> None:
    form = volunteers_services.signup_form_create(actor=None, title="Surge", org_unit=campaign.nc)
    volunteers_services.signup_form_publish(actor=None, form_id=form.pk)
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(port, tmp_path / "home", log)
    acked: set[str] = set()
    unacked: set[str] = set()
    lock = threading.Lock()
    killed = threading.Event()

    def client(c: int) -> None:
        for i in range(PER_CLIENT):
            key = f"fault-{c:02d}-{i:04d}"
            status = post(port, form.slug, key, c * 10_000 + i)
            with lock:
                if status is not None and 200 <= status < 300:
                    acked.add(key)
                else:
                    assert status is None, f"unexpected status {status}"
                    unacked.add(key)
                if len(acked) >= KILL_AFTER_ACKS:
                    killed.set()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        # The main thread kills and reaps the server: a Popen waited on from two threads can
        # miss its own exit.
        killed.wait(timeout=300)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        for t in threads:
            t.join(timeout=300)
        assert killed.is_set(), "the server was killed under load"
        acked_before_kill = len(acked)
        server = start_server(port, tmp_path / "home", log)
        # Clients retry everything they did not see acknowledged, as a browser or app would.
        for key in sorted(unacked):
            n = int(key[6:8]) * 10_000 + int(key[9:])
            assert post(port, form.slug, key, n) in (200, 201), key
    finally:
        server.kill()
        server.wait(timeout=30)

    from groundgame.volunteers.models import FollowUp, SignupSubmission

    keys = list(
        SignupSubmission.objects.filter(form=form).values_list("idempotency_key", flat=True)
    )
    print(
        f"\nfault test: {len(acked)} acknowledged before the kill "
        f"({acked_before_kill} counted), {len(unacked)} unacknowledged and retried, "
        f"{len(keys)} in the database, {len(keys) - len(set(keys))} duplicates"
    )
    assert acked <= set(keys), "every acknowledged sign-up is in the database"
    assert len(keys) == len(set(keys)), "no key landed twice"
    assert set(keys) == acked | unacked, "every retried sign-up landed"

    # No worker ran beside the server: the worker step finishes every stored sign-up now.
    volunteers_services.signup_pending_drain()
    finished = SignupSubmission.objects.filter(form=form)
    people = set(finished.values_list("person_id", flat=True))
    follow_ups = set(
        FollowUp.objects.filter(person_id__in=people).values_list("person_id", flat=True)
    )
    print(f"worker: {len(people)} people, {len(follow_ups)} with a follow-up")
    assert not finished.filter(processed_at__isnull=True).exists(), "nothing left pending"
    assert None not in people, "every sign-up became a person"
    assert len(people) == len(keys), "each distinct volunteer is one person"
    assert follow_ups == people, "every new volunteer waits in a follow-up queue"

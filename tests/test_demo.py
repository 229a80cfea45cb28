"""`groundgame demo` end to end: one command brings up a seeded campaign with its worker,
a second run reuses the data, and Ctrl-C stops both processes."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import free_port

pytestmark = pytest.mark.slow


def start_demo(home: Path, port: int, *, sigint_ignored: bool = False) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["GROUNDGAME_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, "-m", "groundgame", "demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        # As a background job of a shell script gets it: SIGINT ignored from the start.
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
        if sigint_ignored
        else None,
    )


def get_json(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_for(predicate, seconds: float, what: str, process: subprocess.Popen[str]):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"demo exited early while waiting for {what}: {process.stdout.read()}"
            )  # type: ignore[union-attr]
        try:
            value = predicate()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"no {what} within {seconds:.0f}s")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    return output


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (its parent has exited and init reaps it).
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def sign_in(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the sign-in page has a CSRF token"
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(base + "login/", data=body, headers={"Referer": base})
    opener.open(request, timeout=10)
    return opener


def test_demo_comes_up_serves_a_seeded_campaign_and_stops_cleanly(tmp_path):
    home = tmp_path / "var"
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    demo = start_demo(home, port)
    try:
        # A deadline, not a measure: the first start seeds the campaign, which takes a minute or
        # two on a shared machine (`groundgame bench seed` measures it).
        wait_for(lambda: get_json(base + "healthz")[0] == 200, 300, "/healthz 200", demo)
        wait_for(
            lambda: get_json(base + "healthz")[1]["worker"]["ok"], 30, "a worker heartbeat", demo
        )
        login = json.loads((home / "demo-login.json").read_text())
        opener = sign_in(base, login["username"], login["password"])
        # Staff see which process the worker is; the public sees only that one runs.
        health = json.loads(opener.open(base + "healthz", timeout=10).read())
        worker_pid = health["worker"]["workers"][0]["pid"]
        home_page = opener.open(base, timeout=10).read().decode()
        assert "voters" in home_page.lower()
        tree = opener.open(base + "organizing/", timeout=10).read().decode()
        assert "North Carolina" in tree
        # Four weeks of door knocking and a content library waiting on approvals.
        field = opener.open(base + "field/reporting/", timeout=10).read().decode()
        assert re.search(r'Doors knocked</span><span class="kpi-value">[1-9]', field)
        queue = opener.open(base + "content/queue/", timeout=10).read().decode()
        assert "overdue" in queue
        # New volunteers wait for a call, and the events ahead have RSVPs.
        follow_ups = opener.open(base + "volunteers/", timeout=10).read().decode()
        assert re.search(r'Due now <span class="queue-count">[1-9]', follow_ups)
        events = opener.open(base + "events/staff/", timeout=10).read().decode()
        assert "Saturday canvass launch" in events
        # The election desk answers while its public data loads in the background (or says
        # how to load it where the data set is not beside the project).
        desk = opener.open(base + "insights/turnout/", timeout=10).read().decode()
        assert "Turnout projection" in desk
        # The mailing page says where the demo's mail goes, and the worker writes it there
        # (sign-up confirmations), with links to the port the demo listens on.
        outbox = home / "outbox" / "email"
        mailings = opener.open(base + "messaging/mailings/", timeout=10).read().decode()
        assert str(outbox.resolve()) in mailings
        # The worker first runs the tasks the seed queued (hundreds of confirmations and RSVP
        # notices, each queueing its delivery behind them), so the first mail takes a while.
        mail = wait_for(lambda: min(outbox.glob("*.log"), default=None), 240, "an email", demo)
        text = mail.read_text()
        assert base in text
        assert "127.0.0.1:8000" not in text
    finally:
        output = stop(demo)
    assert demo.returncode == 0, output
    assert "Traceback" not in output
    assert login["username"] in output
    # The printed sign-in works without a phone, and says why.
    assert "two-factor sign-in is off in this demo" in output
    assert "Ctrl-C" in output
    assert not pid_alive(worker_pid), "the worker stops with the demo"

    # Second run: same data, no seeding, up quickly; started as a script's background job
    # would be, and still stopped by SIGINT.
    demo = start_demo(home, port, sigint_ignored=True)
    try:
        wait_for(lambda: get_json(base + "healthz")[0] == 200, 30, "/healthz on second run", demo)
    finally:
        output = stop(demo)
    assert "Seeding" not in output
    assert demo.returncode == 0, output

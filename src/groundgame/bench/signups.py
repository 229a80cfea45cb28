"""``groundgame bench signups``: durable sign-ups per second over HTTP against the raw rate of
single-row durable inserts into the same database from the same number of clients.

Production configuration on loopback: a fresh PostgreSQL database, Redis for the cache and
task queue, granian with N worker processes. The load is bounded (a fixed number of
requests and a time cap). The SQLite figure runs the embedded server (waitress) on a fresh
data directory with fewer requests.

The same server and load against ``null_app`` (an application that answers 201 and does
nothing) gives the ceiling of any application served this way on this machine, with the load
generator on the same cores: ``server_ceiling_per_s``, its ratio to the raw inserts, and the
sign-ups' ratio to it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Where launch-day sign-ups say they heard of the campaign, with their shares.
SOURCES = {"web": 0.5, "email": 0.2, "sms": 0.1, "social": 0.15, "partner": 0.05}


def start_server(
    env: dict[str, str], port: int, workers: int, app: str = "groundgame.wsgi:application"
) -> subprocess.Popen[bytes]:
    """The production application server on loopback, as ``docs/operating.md`` runs it:
    granian (HTTP in Rust, the application in Python threads), one process per core."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            # Threads cover the time requests wait on the database; processes beyond the
            # cores only add switching (docs/operating.md).
            "--blocking-threads",
            "8",
            "--http",
            "1",
            "--no-ws",
            "--log-level",
            "warning",
            app,
        ],
        env=env,
        # Granian logs to standard output, which is the bench's JSON.
        stdout=sys.stderr,
    )


class Client:
    """One keep-alive HTTP/1.1 connection that sends requests and reads the status and body.

    A load generator on the server's own cores must cost little, or it measures itself:
    ``http.client`` parses every response's headers into a message object, and at 32 clients
    took 41% of this machine serving an application that does nothing. This reads only the
    status line, Content-Length and chunked bodies, which is all a JSON API answers with.
    """

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port, self.timeout = port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""

    def request(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """The status and body of the answer; an OSError (the connection is then closed) if
        the server went away before answering."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{head}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        try:
            self.sock.sendall(request)
            return self._response()
        except (OSError, ValueError):
            self.close()
            raise OSError("the connection was lost before the answer") from None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        line, _, self.buffer = self.buffer.partition(marker)
        return line

    def _read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def _fill(self) -> None:
        assert self.sock is not None
        chunk = self.sock.recv(65536)
        if not chunk:
            raise OSError("closed by the server")
        self.buffer += chunk

    def _response(self) -> tuple[int, bytes]:
        lines = self._read_until(b"\r\n\r\n").split(b"\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip().lower()
        if fields.get(b"transfer-encoding") == b"chunked":
            parts = []
            while size := int(self._read_until(b"\r\n").split(b";")[0], 16):
                parts.append(self._read(size))
                self._read(2)
            self._read_until(b"\r\n")  # no trailers are sent: the empty line ends it
            body = b"".join(parts)
        else:
            body = self._read(int(fields.get(b"content-length", b"0")))
        if fields.get(b"connection") == b"close":
            self.close()
        return status, body


def run_threads(worker: Callable[[int], None], clients: int) -> tuple[float, float]:
    """``worker(0)`` .. ``worker(clients - 1)`` on threads of their own, until all are done:
    the wall seconds and the CPU seconds this process (the load generator) used."""
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    cpu = time.process_time()
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, time.process_time() - cpu


def latency_figures(latencies: list[float], seconds: float, cpu: float) -> dict[str, Any]:
    """p50 and p99 of the request latencies, in milliseconds, and the load generator's share
    of the machine's cores."""
    ordered = sorted(latencies) or [0.0]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
        # The load generator shares the machine's cores with the server: its share shows
        # how much of the machine the figure above could not use.
        "client_cpu_share": round(cpu / seconds / (os.cpu_count() or 1), 2),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, home: Path, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DATABASE_URL=database_url,
        GROUNDGAME_HOME=str(home),
        GROUNDGAME_SECRET_KEY=uuid.uuid4().hex,
        # The bench is one client address hammering one form (or one sync endpoint, for the
        # canvass bench, which runs its server with these too): the guards would stop it.
        GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE="100000000",
        GROUNDGAME_SIGNUP_CLIENT_BURST="100000000",
        GROUNDGAME_SIGNUP_PER_FORM_PER_SECOND="100000000",
        GROUNDGAME_CANVASS_SYNC_PER_CLIENT_PER_MINUTE="100000000",
        GROUNDGAME_CANVASS_SYNC_CLIENT_BURST="100000000",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from groundgame.organizing import services as org
national = org.org_unit_create(actor=None, name="National", kind="national")
nc = org.org_unit_create(actor=None, name="North Carolina", kind="state", parent=national,
                         state="NC")
region = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
org.org_unit_create(actor=None, name="Durham", kind="team", parent=region, counties=["37063"])
from groundgame.volunteers import services as volunteers
form = volunteers.signup_form_create(actor=None, title="Launch day", org_unit=national,
                                     source="web")
volunteers.signup_form_publish(actor=None, form_id=form.pk)
from groundgame.demo import voters
import json, sys
json.dump(voters.newcomers(count=int(sys.argv[1]), seed=2024), sys.stdout)
print()
print(form.slug)
"""


def _prepare(env: dict[str, str], count: int) -> tuple[str, list[bytes]]:
    """A published form in a fresh database, and the bodies of ``count`` sign-ups to it from
    synthetic newcomers in swing counties (each ticking the volunteering box)."""
    subprocess.run(
        [sys.executable, "-m", "groundgame", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(count)], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"setting up the form failed: {out.stderr[-2000:]}")
    people, slug = out.stdout.strip().splitlines()[-2:]
    rng = random.Random(2024)
    sources = rng.choices(list(SOURCES), weights=list(SOURCES.values()), k=count)
    bodies = [
        json.dumps({**person, "consents": ["volunteering"], "source": source}).encode()
        for person, source in zip(json.loads(people), sources, strict=True)
    ]
    return slug, bodies


def wait_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited at start")
        try:
            Client(port, timeout=2).request("GET", "/healthz", b"", {})
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _load(port: int, slug: str, clients: int, bodies: list[bytes], cap: float) -> dict[str, Any]:
    """``clients`` threads on keep-alive connections share the sign-ups ``bodies``, one request
    each with an idempotency key of its own."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    counter = iter(bodies)
    lock = threading.Lock()
    deadline = time.monotonic() + cap
    path = f"/api/public/signups/{slug}"

    def worker(seed: int) -> None:
        client = Client(port)
        mine: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                body = next(counter, None)
            if body is None:
                break
            headers = {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
            started = time.perf_counter()
            try:
                status, _ = client.request("POST", path, body, headers)
            except OSError:
                status = 0
            if status == 201:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    failures[str(status)] = failures.get(str(status), 0) + 1
        client.close()
        with lock:
            latencies.extend(mine)

    seconds, cpu = run_threads(worker, clients)
    return {
        "signups": len(latencies),
        "failed": failures,
        "seconds": round(seconds, 2),
        "signups_per_s": round(len(latencies) / seconds, 1),
        **latency_figures(latencies, seconds, cpu),
    }


PROCESS = """
import django, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from groundgame.volunteers import services as volunteers
deadline, done, started = time.monotonic() + float(sys.argv[1]), 0, time.perf_counter()
while time.monotonic() < deadline:
    n = volunteers.signup_pending_process()
    if not n:
        break
    done += n
print(done, time.perf_counter() - started)
"""


def _worker_rate(env: dict[str, str], seconds: float) -> dict[str, Any]:
    """What one worker process finishes (person, team, follow-up, audit) per second, working
    through the sign-ups the load left pending, for at most ``seconds``."""
    out = subprocess.run(
        [sys.executable, "-c", PROCESS, str(seconds)], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(f"processing failed: {out.stderr[-2000:]}")
    done, took = out.stdout.split()
    return {"processed": int(done), "processed_per_s": round(int(done) / float(took), 1)}


def _raw_inserts(dsn: str, clients: int, seconds: float) -> float:
    """Single-row INSERT ... COMMIT from ``clients`` threads into a table shaped like the
    sign-up row (a unique key, a JSON payload, a timestamp) for ``seconds``: the database's
    durable limit, per second."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_signup (id bigserial PRIMARY KEY, "
            "form_id bigint NOT NULL, idempotency_key varchar(64) NOT NULL UNIQUE, "
            "answers jsonb NOT NULL, created_at timestamptz NOT NULL)"
        )
    done = [0] * clients
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_raw_signup (form_id, idempotency_key, answers, created_at) "
                    "VALUES (1, %s, '{}', now())",
                    (uuid.uuid4().hex,),
                )
                done[i] += 1

    seconds, _ = run_threads(worker, clients)
    return sum(done) / seconds


def _server_ceiling(
    env: dict[str, str], args: argparse.Namespace, bodies: list[bytes]
) -> dict[str, Any]:
    """Requests/s of the same server, clients and sign-up requests against ``null_app``,
    which answers 201 and does nothing: what any application served this way can reach on
    this machine, with the load generator sharing its cores."""
    port = free_port()
    server = start_server(env, port, args.workers, app="groundgame.bench.null_app:application")
    try:
        wait_up(port, server)
        _load(port, "ceiling", args.clients, bodies[:200], 30)  # warm-up
        return _load(port, "ceiling", args.clients, bodies, args.seconds)
    finally:
        stop_server(server)


def redis_db(base: str) -> str | None:
    """A Redis database that is empty, so that flushing it afterwards loses nobody's data."""
    import redis

    for db in range(15, 8, -1):
        url = f"{base.rstrip('/')}/{db}"
        try:
            if redis.Redis.from_url(url).dbsize() == 0:
                return url
        except redis.ConnectionError:
            return None
    return None


def run(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    server = (args.database_url or "postgres://postgres@127.0.0.1:5432/").rstrip("/")
    name = f"groundgame_bench_signups_{os.getpid()}"
    admin = f"{server}/postgres"
    home = Path(tempfile.mkdtemp(prefix="gg-bench-signups-"))
    redis_url = redis_db(args.redis_url)
    result: dict[str, Any] = {
        "workers": args.workers,
        "clients": args.clients,
        "requests": args.requests,
        "cpus": os.cpu_count(),
        "redis": bool(redis_url),
    }
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    processes: list[subprocess.Popen[bytes]] = []
    try:
        env = server_env(f"{server}/{name}", home, redis_url)
        warmup = 200
        slug, bodies = _prepare(env, warmup + args.requests)
        port = free_port()
        print(f"granian with {args.workers} workers on 127.0.0.1:{port} ...", file=sys.stderr)
        web = start_server(env, port, args.workers)
        processes.append(web)
        wait_up(port, web)
        _load(port, slug, args.clients, bodies[:warmup], 30)
        # Sign-up rounds alternate with rounds of raw inserts (the server idle meanwhile), and
        # each figure is the median of its rounds: on a shared machine the speed of the disk
        # and cores drifts within a minute, and a ratio of two moments apart drifts with it.
        per_round = args.requests // args.rounds
        rounds: list[dict[str, Any]] = []
        raw_rounds: list[float] = []
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}: sign-ups, then raw inserts ...", file=sys.stderr)
            chunk = bodies[warmup + r * per_round : warmup + (r + 1) * per_round]
            rounds.append(_load(port, slug, args.clients, chunk, args.seconds))
            raw_rounds.append(_raw_inserts(f"{server}/{name}", args.clients, 5.0))
        stop_server(web)
        http_figures = sorted(rounds, key=lambda f: f["signups_per_s"])[len(rounds) // 2]
        raw = statistics.median(raw_rounds)
        print("the same server and load on an application that does nothing ...", file=sys.stderr)
        ceiling = _server_ceiling(env, args, bodies[warmup:])
        print("worker processing ...", file=sys.stderr)
        result["worker"] = _worker_rate(env, 30.0)
        result.update(http_figures)
        result["signups"] = sum(f["signups"] for f in rounds)
        result["seconds"] = round(sum(f["seconds"] for f in rounds), 2)
        result["failed"] = {
            status: sum(f["failed"].get(status, 0) for f in rounds)
            for status in {status for f in rounds for status in f["failed"]}
        }
        result["signups_per_s_by_round"] = [f["signups_per_s"] for f in rounds]
        result["raw_inserts_per_s"] = round(raw, 1)
        result["raw_inserts_per_s_by_round"] = [round(r, 1) for r in raw_rounds]
        result["ratio"] = round(http_figures["signups_per_s"] / raw, 3)
        result["server_ceiling_per_s"] = ceiling["signups_per_s"]
        result["server_ceiling_client_cpu_share"] = ceiling["client_cpu_share"]
        result["server_ceiling_ratio_to_raw"] = round(ceiling["signups_per_s"] / raw, 3)
        result["ratio_to_server_ceiling"] = round(
            http_figures["signups_per_s"] / ceiling["signups_per_s"], 3
        )
        result["seconds_for_170k"] = round(170_000 / max(http_figures["signups_per_s"], 0.1))
        result["goal_half_raw"] = result["ratio"] >= 0.5
        result["goal_170k_under_180s"] = result["seconds_for_170k"] < 180

        print("embedded SQLite (waitress) ...", file=sys.stderr)
        sqlite_home = home / "sqlite"
        sqlite_env = server_env(f"sqlite:///{sqlite_home / 'bench.sqlite3'}", sqlite_home, None)
        sqlite_home.mkdir()
        slug, bodies = _prepare(sqlite_env, args.sqlite_requests)
        port = free_port()
        waitress = subprocess.Popen(
            [sys.executable, "-m", "groundgame", "serve", "--port", str(port)],
            env=sqlite_env,
            stdout=subprocess.DEVNULL,
        )
        processes.append(waitress)
        wait_up(port, waitress)
        sqlite = _load(port, slug, args.clients, bodies, args.seconds)
        stop_server(waitress)
        result["sqlite"] = {"server": "waitress, 8 threads, one process", **sqlite}
    finally:
        for process in processes:
            stop_server(process)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        shutil.rmtree(home, ignore_errors=True)
    return result

"""``groundgame bench canvass-sync``: canvass results synced per second through the API, against
the raw rate of single-row durable inserts of the same rows from the same number of clients.

Production configuration on loopback, as ``bench signups``: a fresh PostgreSQL database, Redis
for the cache and task queue, granian with one process per core. Each client is a phone
working through walk lists of 60 doors in walking order and syncing what it recorded in
batches of 1 to 50 (most phones sync after each door; one that was out of signal sends a
backlog), and some batches are sent twice, as when an answer is lost. The load is bounded by
a number of batches and a time cap. Afterwards the database is counted: every acknowledged
result must be stored exactly once.

For scale: 3 million doors in a weekend is about 17 results/s on average; Saturday
afternoon's peak is many times that.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# The server start and stop, the client threads and the latency figures are the sign-up bench's.
from groundgame.bench import signups

DOORS_PER_LIST = 60
OUTCOMES = [
    ("not_home", 55),
    ("talked", 25),
    ("refused", 8),
    ("come_back", 7),
    ("moved", 3),
    ("inaccessible", 2),
]
ISSUES = ["inflation", "immigration", "abortion", "democracy", "health_care", "housing", "jobs"]
REPLAY_SHARE = 0.05


# Walk lists as the turf cutter leaves them (households in walking order, two residents
# each), created in bulk: what is measured is the sync, not the set-up.
SETUP = """
import datetime as dt, json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from django.utils import timezone
from groundgame.content import services as content
from groundgame.field.models import Turf, TurfCut, TurfStop, WalkList
from groundgame.organizing import services as org
from groundgame.people import services as people
from groundgame.people.models import Household, Person

lists, doors = int(sys.argv[1]), int(sys.argv[2])
national = org.org_unit_create(actor=None, name="National", kind="national")
nc = org.org_unit_create(actor=None, name="North Carolina", kind="state", parent=national,
                         state="NC")
region = org.org_unit_create(actor=None, name="Triangle", kind="region", parent=nc)
team = org.org_unit_create(actor=None, name="Durham", kind="team", parent=region,
                           counties=["37063"])
universe = people.universe_save(actor=None, name="Durham doors", filters={})
cut = TurfCut.objects.create(universe=universe, org_unit=team, name="Durham",
                             target_doors=doors, status="done", households=lists * doors)
homes = Household.objects.bulk_create(
    Household(street=f"{100 + 2 * (n % doors)} Street {n // doors}", city="Durham", state="NC",
              zip5="27701", county_fips="37063", latitude=35.99 + (n // doors) * 0.001,
              longitude=-78.90 + (n % doors) * 0.0004)
    for n in range(lists * doors)
)
residents = Person.objects.bulk_create(
    Person(first_name=f"P{k}", last_name=f"H{h.pk}", household=h, org_unit=team)
    for h in homes for k in range(2)
)
by_home = {}
for person in residents:
    by_home.setdefault(person.household_id, []).append(person.pk)
turfs = Turf.objects.bulk_create(
    Turf(cut=cut, number=i + 1, name=f"Turf {i + 1}", org_unit=team, doors=doors)
    for i in range(lists)
)
TurfStop.objects.bulk_create(
    TurfStop(turf=turfs[n // doors], household=h, position=n % doors + 1)
    for n, h in enumerate(homes)
)
# The script asks the campaign's issues, as a new script does.
script = content.content_item_create(actor=None, kind="script", title="Durham doors",
                                     org_unit_id=team.pk, body="Hi, I'm a volunteer.")
version = script.versions.get()
content.content_version_submit(actor=None, version_id=version.pk)
chair = org.staff_create(actor=None, username="bench-chair", password="bench-chair-password-1",
                         superuser=True)
content.content_version_decide(actor=chair, version_id=version.pk, approve=True)
made = WalkList.objects.bulk_create(
    WalkList(turf=t, code=f"BENCH{t.number:05d}", script=script) for t in turfs
)
WalkList.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
print(json.dumps([
    {"code": w.code, "script_version": version.pk,
     "doors": [[h.pk, by_home[h.pk], h.latitude, h.longitude]
               for h in homes[i * doors:(i + 1) * doors]]}
    for i, w in enumerate(made)
]))
"""


def _prepare(env: dict[str, str], lists: int) -> list[dict[str, Any]]:
    subprocess.run(
        [sys.executable, "-m", "groundgame", "migrate"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    out = subprocess.run(
        [sys.executable, "-c", SETUP, str(lists), str(DOORS_PER_LIST)],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"setting up the walk lists failed: {out.stderr[-2000:]}")
    loaded: list[dict[str, Any]] = json.loads(out.stdout.strip().splitlines()[-1])
    return loaded


def _door_result(
    rng: random.Random, door: list[Any], at: datetime, script_version: int
) -> dict[str, Any]:
    """What a phone records at one door: mostly nobody home, a quarter conversations."""
    household_id, people, lat, lon = door
    outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
    talked = outcome == "talked"
    row: dict[str, Any] = {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "household_id": household_id,
        "person_id": rng.choice(people) if talked else None,
        "outcome": outcome,
        "support": rng.randint(1, 5) if talked else None,
        "answers": {"issues": rng.sample(ISSUES, rng.randint(1, 2))} if talked else {},
        "script_version": script_version,
        "notes": "Asked about early voting locations." if talked and rng.random() < 0.2 else "",
        "do_not_contact": "door" if outcome == "refused" and rng.random() < 0.1 else "",
        "recorded_at": at.isoformat(),
        "latitude": lat + rng.uniform(-0.0002, 0.0002),
        "longitude": lon + rng.uniform(-0.0002, 0.0002),
        "canvasser_name": "Bench",
    }
    return row


def _batch_size(rng: random.Random) -> int:
    # Six in ten syncs follow a door right away; the rest are backlogs of up to 50.
    return rng.randint(1, 3) if rng.random() < 0.6 else rng.randint(5, 50)


def _walk(rng: random.Random, walk_list: dict[str, Any]) -> list[dict[str, Any]]:
    """One canvasser's results for a list: every door once, a few minutes apart."""
    at = datetime.now(UTC) - timedelta(days=2)
    rows = []
    for door in walk_list["doors"]:
        at += timedelta(seconds=rng.randint(60, 240))
        rows.append(_door_result(rng, door, at, walk_list["script_version"]))
    return rows


def _load(
    port: int, lists: list[dict[str, Any]], clients: int, batches: int, cap: float, seed: int
) -> dict[str, Any]:
    """``clients`` threads, each walking its share of the lists, send at most ``batches``
    batches in all within ``cap`` seconds."""
    latencies: list[float] = []
    failures: dict[str, int] = {}
    acknowledged: set[str] = set()
    counts = {"batches": 0, "replays": 0, "accepted": 0, "duplicate": 0, "rejected": 0}
    budget = iter(range(batches))
    lock = threading.Lock()
    deadline = time.monotonic() + cap

    def worker(index: int) -> None:
        rng = random.Random(seed * 1_000 + index)  # each run its own client ids
        client = signups.Client(port, timeout=60)
        mine: list[float] = []
        # The batch budget ends a phone's walk mid-loop: its latencies count all the same.
        try:
            for walk_list in lists[index::clients]:
                pending = _walk(rng, walk_list)
                while pending and time.monotonic() < deadline:
                    with lock:
                        if next(budget, None) is None:
                            return
                    size = _batch_size(rng)
                    batch, rest = pending[:size], pending[size:]
                    body = json.dumps({"list_code": walk_list["code"], "results": batch}).encode()
                    sends = 2 if rng.random() < REPLAY_SHARE else 1
                    # A batch is done once every send of it is answered; a failed send stops
                    # there and the phone keeps the batch for its next try.
                    for attempt in range(sends):
                        started = time.perf_counter()
                        try:
                            status, payload = client.request(
                                "POST",
                                "/api/field/sync",
                                body,
                                {"Content-Type": "application/json"},
                            )
                        except OSError:
                            status, payload = 0, b""
                        if status != 200:
                            with lock:
                                failures[str(status)] = failures.get(str(status), 0) + 1
                            break
                        mine.append(time.perf_counter() - started)
                        answer = json.loads(payload)
                        with lock:
                            counts["batches"] += 1
                            counts["replays"] += 1 if attempt else 0
                            for key in ("accepted", "duplicate", "rejected"):
                                counts[key] += answer[key]
                            acknowledged.update(
                                r["client_id"]
                                for r in answer["results"]
                                if r["status"] != "rejected"
                            )
                    else:
                        pending = rest
                if time.monotonic() >= deadline:
                    break
        finally:
            client.close()
            with lock:
                latencies.extend(mine)

    seconds, cpu = signups.run_threads(worker, clients)
    return {
        **counts,
        "failed": failures,
        "seconds": round(seconds, 2),
        "results_per_s": round(counts["accepted"] / seconds, 1),
        "batches_per_s": round(counts["batches"] / seconds, 1),
        **signups.latency_figures(latencies, seconds, cpu),
        "acknowledged": acknowledged,
    }


def _raw_inserts(dsn: str, rows: list[dict[str, Any]], clients: int, seconds: float) -> float:
    """The same rows, one INSERT ... COMMIT each, from ``clients`` threads into a table shaped
    like the result row (a unique UUID, the answers, times, a position): the durable limit."""
    import psycopg
    from psycopg.types.json import Jsonb

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw_result (id bigserial PRIMARY KEY, client_id uuid NOT NULL "
            "UNIQUE, household_id bigint NOT NULL, person_id bigint, outcome varchar(12) NOT "
            "NULL, support smallint, answers jsonb NOT NULL, notes text NOT NULL, "
            "recorded_at timestamptz NOT NULL, synced_at timestamptz NOT NULL, "
            "latitude double precision, longitude double precision)"
        )
    done = [0] * clients
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            for row in rows[i::clients]:
                if time.monotonic() >= stop:
                    break
                conn.execute(
                    "INSERT INTO bench_raw_result (client_id, household_id, person_id, outcome, "
                    "support, answers, notes, recorded_at, synced_at, latitude, longitude) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now(), %s, %s)",
                    (
                        row["client_id"],
                        row["household_id"],
                        row["person_id"],
                        row["outcome"],
                        row["support"],
                        Jsonb(row["answers"]),
                        row["notes"],
                        row["recorded_at"],
                        row["latitude"],
                        row["longitude"],
                    ),
                )
                done[i] += 1

    seconds, _ = signups.run_threads(worker, clients)
    return sum(done) / seconds


def _stored(dsn: str) -> tuple[int, int, set[str]]:
    """Results stored, distinct client ids among them, and the ids."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        ids = [str(r[0]) for r in conn.execute("SELECT client_id FROM field_canvassresult")]
    return len(ids), len(set(ids)), set(ids)


def run(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    server = (args.database_url or "postgres://postgres@127.0.0.1:5432/").rstrip("/")
    name = f"groundgame_bench_canvass_{os.getpid()}"
    admin = f"{server}/postgres"
    dsn = f"{server}/{name}"
    home = Path(tempfile.mkdtemp(prefix="gg-bench-canvass-"))
    # A URL naming a database is used as given (it is flushed afterwards); else an empty one.
    named = urlparse(args.redis_url).path.strip("/").isdigit()
    redis_url = args.redis_url if named else signups.redis_db(args.redis_url)
    # Enough lists that no client runs out: a list gives 60 results, a batch about 12.
    lists_needed = max(args.clients, args.batches * 14 // DOORS_PER_LIST + args.clients)
    result: dict[str, Any] = {
        "workers": args.workers,
        "clients": args.clients,
        "batch_cap": args.batches,
        "walk_lists": lists_needed,
        "cpus": os.cpu_count(),
        "redis": bool(redis_url),
    }
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    web = None
    try:
        env = signups.server_env(dsn, home, redis_url)
        print(f"{lists_needed} walk lists of {DOORS_PER_LIST} doors ...", file=sys.stderr)
        lists = _prepare(env, lists_needed)
        port = signups.free_port()
        print(f"granian with {args.workers} workers on 127.0.0.1:{port} ...", file=sys.stderr)
        web = signups.start_server(env, port, args.workers)
        signups.wait_up(port, web)
        warm, measured = lists[: args.clients], lists[args.clients :]
        _load(port, warm, args.clients, 100, 30, seed=1)
        print("syncing ...", file=sys.stderr)
        figures = _load(port, measured, args.clients, args.batches, args.seconds, seed=2)
        signups.stop_server(web)
        acknowledged = figures.pop("acknowledged")
        stored, distinct, ids = _stored(dsn)
        result.update(figures)
        # Every acknowledged result stored, none twice (warm-up results included in stored).
        result["stored_exactly_once"] = distinct == stored and acknowledged <= ids
        print("raw single-row inserts ...", file=sys.stderr)
        rng = random.Random(7)
        rows = [row for walk_list in measured for row in _walk(rng, walk_list)]
        raw = _raw_inserts(dsn, rows, args.clients, 10.0)
        result["raw_inserts_per_s"] = round(raw, 1)
        result["ratio"] = round(figures["results_per_s"] / raw, 3)
        result["weekend_average_results_per_s"] = round(3_000_000 / (2 * 24 * 3600), 1)
        result["headroom_over_weekend_average"] = round(
            figures["results_per_s"] / result["weekend_average_results_per_s"], 1
        )
    finally:
        if web is not None:
            signups.stop_server(web)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).flushdb()
        shutil.rmtree(home, ignore_errors=True)
    return result

"""``groundgame bench donations``: ActBlue-shaped contribution webhooks per second over HTTP,
durable and idempotent, against two figures measured in the same run on the same machine:
raw single-row durable inserts into the same database from as many clients, and the sign-up
intake's rate (``bench signups``' load, same server and clients).

Production configuration on loopback: PostgreSQL, Redis for the cache and queue, granian with
one process per core (docs/operating.md). Rounds of webhooks, sign-ups and raw inserts
alternate and each figure is the median of its rounds, since on a shared machine the speed
drifts within a minute. Then a replay of bodies already acknowledged must store nothing new,
and one worker process records the receipts in the ledger (identity resolution, limits, the
volunteer ask): its rate is printed beside the intake's.

``--ledger N`` instead seeds N donations in bulk (for the benches of the pages and reports
that read a national-scale ledger) into the database ``--database-url`` names, and prints
how long that took.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from groundgame.bench import signups

ENDPOINT = "bench"
CREDENTIALS = ("actblue", "bench-secret")
ENTITY_ID = 700001

SETUP = f"""
import django, os, datetime as dt
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from groundgame.money import services
services.committee_create(actor=None, name="Bench for President", fec_id="C00700001",
                          kind="presidential", actblue_entity_id={ENTITY_ID})
services.election_create(actor=None, cycle=2024, kind="primary", day=dt.date(2024, 3, 5))
services.election_create(actor=None, cycle=2024, kind="general", day=dt.date(2024, 11, 5))
"""

FIRST = ["Maya", "Jonah", "Rosa", "Theo", "Ines", "Omar", "Lena", "Caleb", "Priya", "Dmitri"]
LAST = ["Okafor", "Lindqvist", "Haddad", "Moreno", "Tanaka", "Brennan", "Castillo", "Novak"]
CITIES = [("Durham", "NC", "27701"), ("Phoenix", "AZ", "85004"), ("Detroit", "MI", "48201")]


def webhook_bodies(count: int, *, seed: int = 2024, start: int = 0) -> list[bytes]:
    """``count`` webhook bodies of synthetic donors, one line item each (as most are), with
    ActBlue's amounts (strings) and a spread of refcodes."""
    rng = random.Random(seed + start)
    paid = "2024-07-22T15:30:00-04:00"
    bodies = []
    for n in range(start, start + count):
        city, state, zip5 = rng.choice(CITIES)
        amount = rng.choice(["5.00", "10.00", "25.00", "27.00", "50.00", "100.00", "250.00"])
        body = {
            "donor": {
                "firstname": rng.choice(FIRST),
                "lastname": f"{rng.choice(LAST)}{n}",
                "addr1": f"{rng.randint(1, 9999)} Oak St",
                "city": city,
                "state": state,
                "zip": zip5,
                "country": "United States",
                "email": f"bench.donor{n}@example.org",
                "phone": "",
                "isEligibleForExpressLane": False,
                "employerData": {"employer": "Self", "occupation": "Teacher"},
            },
            "contribution": {
                "createdAt": paid,
                "orderNumber": f"AB{n}",
                "contributionForm": "bench",
                "refcode": rng.choice(["em-launch", "sms-0722", "ads-fb", ""]),
                "refcode2": None,
                "recurringPeriod": "once",
                "recurringDuration": 1,
                "isRecurring": False,
                "status": "approved",
            },
            "lineitems": [
                {
                    "sequence": 0,
                    "entityId": ENTITY_ID,
                    "fecId": None,
                    "committeeName": "Bench for President",
                    "amount": amount,
                    "paidAt": paid,
                    "lineitemId": 9_000_000 + n,
                }
            ],
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def _webhook_load(port: int, clients: int, bodies: list[bytes], cap: float) -> dict[str, Any]:
    """``clients`` threads on keep-alive connections post the bodies, one each."""
    token = base64.b64encode(":".join(CREDENTIALS).encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {token}"}
    path = f"/integrations/actblue/{ENDPOINT}/"
    latencies: list[float] = []
    failures: dict[str, int] = {}
    new = [0]
    counter = iter(bodies)
    lock = threading.Lock()
    deadline = time.monotonic() + cap

    def worker(_: int) -> None:
        client = signups.Client(port)
        mine: list[float] = []
        stored = 0
        while time.monotonic() < deadline:
            with lock:
                body = next(counter, None)
            if body is None:
                break
            started = time.perf_counter()
            try:
                status, answer = client.request("POST", path, body, headers)
            except OSError:
                status, answer = 0, b""
            if status == 200:
                mine.append(time.perf_counter() - started)
                stored += json.loads(answer)["new"]
            else:
                with lock:
                    failures[str(status)] = failures.get(str(status), 0) + 1
        client.close()
        with lock:
            latencies.extend(mine)
            new[0] += stored

    seconds, cpu = signups.run_threads(worker, clients)
    return {
        "webhooks": len(latencies),
        "new": new[0],
        "failed": failures,
        "seconds": round(seconds, 2),
        "webhooks_per_s": round(len(latencies) / seconds, 1),
        **signups.latency_figures(latencies, seconds, cpu),
    }


def _signup_load(
    port: int, slug: str, clients: int, bodies: list[bytes], cap: float
) -> dict[str, Any]:
    return signups._load(port, slug, clients, bodies, cap)


def _raw_inserts(dsn: str, clients: int, seconds: float) -> float:
    """Single-row INSERT ... COMMIT from ``clients`` threads into a table shaped like the
    receipt row (a unique line item and kind, a JSON payload, a timestamp) for ``seconds``."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_receipt (id bigserial PRIMARY KEY, "
            "line_item_id varchar(40) NOT NULL, kind varchar(10) NOT NULL, "
            "payload jsonb NOT NULL, received_at timestamptz NOT NULL, "
            "UNIQUE (line_item_id, kind))"
        )
    done = [0] * clients
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.monotonic() < stop:
                conn.execute(
                    "INSERT INTO bench_raw_receipt (line_item_id, kind, payload, received_at) "
                    "VALUES (%s, 'gift', '{}', now())",
                    (uuid.uuid4().hex[:40],),
                )
                done[i] += 1

    took, _ = signups.run_threads(worker, clients)
    return sum(done) / took


DRAIN = """
import django, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from groundgame.integrations.actblue import intake
deadline, done, started = time.monotonic() + float(sys.argv[1]), 0, time.perf_counter()
while time.monotonic() < deadline:
    n = intake.receipts_process()
    if not n:
        break
    done += n
print(done, time.perf_counter() - started)
"""

COUNT = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
django.setup()
from groundgame.integrations.actblue.models import Receipt
print(Receipt.objects.count())
"""


def _python(env: dict[str, str], code: str, *argv: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return out.stdout


def _database(args: argparse.Namespace) -> tuple[str, str | None]:
    """The database URL to use, and the name of a fresh one made for the run (dropped at the
    end), or None when ``--database-url`` names a database of the caller's, used as it is."""
    import psycopg

    given = (args.database_url or "postgres://postgres@127.0.0.1:5432/").rstrip("/")
    if urlsplit(given).path.strip("/"):
        return given, None
    fresh = f"groundgame_bench_donations_{os.getpid()}"
    with psycopg.connect(f"{given}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    return f"{given}/{fresh}", fresh


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.ledger:
        return ledger_seed(args)
    import psycopg

    dsn, fresh = _database(args)
    home = Path(tempfile.mkdtemp(prefix="gg-bench-donations-"))
    redis_url = args.redis_url
    result: dict[str, Any] = {
        "workers": args.workers,
        "clients": args.clients,
        "requests": args.requests,
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    processes = []
    try:
        env = signups.server_env(dsn, home, redis_url)
        env["GROUNDGAME_ACTBLUE_ENDPOINTS"] = f"{ENDPOINT}={CREDENTIALS[0]}:{CREDENTIALS[1]}"
        warmup = 200
        slug, signup_bodies = signups._prepare(env, warmup + args.requests)
        _python(env, SETUP)
        bodies = webhook_bodies(warmup + args.requests)
        port = signups.free_port()
        print(f"granian with {args.workers} workers on 127.0.0.1:{port} ...", file=sys.stderr)
        web = signups.start_server(env, port, args.workers)
        processes.append(web)
        signups.wait_up(port, web)
        _webhook_load(port, args.clients, bodies[:warmup], 30)
        _signup_load(port, slug, args.clients, signup_bodies[:warmup], 30)
        per_round = args.requests // args.rounds
        rounds: list[dict[str, Any]] = []
        signup_rounds: list[dict[str, Any]] = []
        raw_rounds: list[float] = []
        for r in range(args.rounds):
            print(
                f"round {r + 1}/{args.rounds}: webhooks, sign-ups, raw inserts ...", file=sys.stderr
            )
            part = slice(warmup + r * per_round, warmup + (r + 1) * per_round)
            rounds.append(_webhook_load(port, args.clients, bodies[part], args.seconds))
            signup_rounds.append(
                _signup_load(port, slug, args.clients, signup_bodies[part], args.seconds)
            )
            raw_rounds.append(_raw_inserts(dsn, args.clients, 5.0))
        stored_before = int(_python(env, COUNT))
        print("replaying the first round ...", file=sys.stderr)
        replay = _webhook_load(port, args.clients, bodies[warmup : warmup + per_round], 60)
        stored_after = int(_python(env, COUNT))
        signups.stop_server(web)
        print("one worker records the receipts in the ledger ...", file=sys.stderr)
        drained, took = _python(env, DRAIN, str(args.drain_seconds)).split()
        middle = sorted(rounds, key=lambda f: f["webhooks_per_s"])[len(rounds) // 2]
        signup_rate = statistics.median(f["signups_per_s"] for f in signup_rounds)
        raw = statistics.median(raw_rounds)
        result.update(middle)
        result["webhooks"] = sum(f["webhooks"] for f in rounds)
        result["new"] = sum(f["new"] for f in rounds)
        result["failed"] = {
            status: sum(f["failed"].get(status, 0) for f in rounds)
            for status in {status for f in rounds for status in f["failed"]}
        }
        result["webhooks_per_s_by_round"] = [f["webhooks_per_s"] for f in rounds]
        result["p99_ms_by_round"] = [f["p99_ms"] for f in rounds]
        result["signups_per_s"] = round(signup_rate, 1)
        result["signups_per_s_by_round"] = [f["signups_per_s"] for f in signup_rounds]
        result["raw_inserts_per_s"] = round(raw, 1)
        result["raw_inserts_per_s_by_round"] = [round(x, 1) for x in raw_rounds]
        result["ratio_to_raw_inserts"] = round(middle["webhooks_per_s"] / raw, 3)
        result["ratio_to_signups"] = round(middle["webhooks_per_s"] / max(signup_rate, 0.1), 3)
        result["replay"] = {
            "webhooks": replay["webhooks"],
            "new": replay["new"],
            "receipts_before": stored_before,
            "receipts_after": stored_after,
            "webhooks_per_s": replay["webhooks_per_s"],
        }
        result["ledger_worker"] = {
            "recorded": int(drained),
            "recorded_per_s": round(int(drained) / float(took), 1),
        }
        result["goal_1800_per_s"] = middle["webhooks_per_s"] >= 1800
        result["goal_p99_under_100ms"] = middle["p99_ms"] < 100
        result["replay_adds_nothing"] = replay["new"] == 0 and stored_before == stored_after
    finally:
        for process in processes:
            signups.stop_server(process)
        if fresh:
            with psycopg.connect(dsn.rpartition("/")[0] + "/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
        shutil.rmtree(home, ignore_errors=True)
    return result


def ledger_seed(args: argparse.Namespace) -> dict[str, Any]:
    """Seed ``args.ledger`` donations in bulk into the database ``--database-url`` names (or
    DATABASE_URL), migrated first: a committee with its 2024 elections, a donor for every four
    gifts (people made in bulk, not one by one through identity resolution), gifts spread over
    the cycle with refcodes, and 1% refunded. The point is a large ledger to read, fast."""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seeded = _ledger_rows(args.ledger)
    return {**seeded, "seconds": round(time.perf_counter() - started, 1)}


REFCODES = ["em-launch", "em-deadline", "sms-0722", "ads-fb", "ads-tv", "events", ""]
AMOUNTS = [500, 1000, 2500, 2700, 5000, 10000, 25000]


def _ledger_rows(n: int) -> dict[str, int]:
    import datetime as dt

    from django.db import transaction

    from groundgame.money import services
    from groundgame.money.models import Adjustment, Committee, Contribution
    from groundgame.people.models import Person

    rng = random.Random(2024)
    committee = Committee.objects.filter(fec_id="C00700002").first() or (
        services.committee_create(
            actor=None, name="Ledger bench for President", fec_id="C00700002", kind="presidential"
        )
    )
    primary = services.election_create(
        actor=None, cycle=2024, kind="primary", day=dt.date(2024, 3, 5)
    )
    general = services.election_create(
        actor=None, cycle=2024, kind="general", day=dt.date(2024, 11, 5)
    )
    base = Contribution.objects.count()
    donors = max(1, n // 4)
    start = dt.datetime(2023, 4, 25, tzinfo=dt.UTC)
    span = int((dt.datetime(2024, 11, 5, tzinfo=dt.UTC) - start).total_seconds())
    people: list[int] = []
    for chunk in range(0, donors, 10_000):
        rows = [
            Person(
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)}{base + i}",
                email=f"ledger{base + i}@example.org",
            )
            for i in range(chunk, min(donors, chunk + 10_000))
        ]
        people += [p.pk for p in Person.objects.bulk_create(rows)]
    made = refunds = 0
    for chunk in range(0, n, 20_000):
        gifts = []
        for i in range(chunk, min(n, chunk + 20_000)):
            paid = start + dt.timedelta(seconds=rng.randrange(span))
            gifts.append(
                Contribution(
                    line_item_id=f"L{base + i}",
                    order_number=f"AB{base + i}",
                    committee=committee,
                    election=primary if paid.date() <= primary.day else general,
                    person_id=rng.choice(people),
                    amount_cents=rng.choice(AMOUNTS),
                    paid_at=paid,
                    refcode=rng.choice(REFCODES),
                    first_name=rng.choice(FIRST),
                    last_name=f"Ledger{i}",
                    zip_code="27701",
                    source="csv",
                )
            )
        with transaction.atomic():
            saved = Contribution.objects.bulk_create(gifts)
            taken = Adjustment.objects.bulk_create(
                Adjustment(
                    contribution=c,
                    kind="refund",
                    external_id=f"refund:{c.line_item_id}",
                    amount_cents=c.amount_cents,
                    at=c.paid_at + dt.timedelta(days=3),
                    source="csv",
                )
                for c in saved
                if rng.random() < 0.01
            )
        made += len(saved)
        refunds += len(taken)
        print(f"{made} donations ...", file=sys.stderr)
    return {"donations": made, "donors": donors, "refunds": refunds}

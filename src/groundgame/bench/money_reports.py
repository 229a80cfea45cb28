"""``groundgame bench money-reports``: the FEC report of a quarter holding ``--donations``
gifts (default 1,000,000), and the appeals page, on a fresh PostgreSQL database.

Seeded in bulk: one presidential committee, a donor for every ``--gifts-per-donor`` gifts
(synthetic names and addresses; gift sizes drawn so a realistic share of donors pass $200),
all gifts in 2024Q3 with the refcodes of ``--appeals`` appeals, 1% refunded, 20,000
disbursements and a few debts. Figures, each beside a floor measured in the same run:

- the report built, checked and written (``fec_report_write``), against the database's own
  time to hand over the same quarter's gifts (``COPY ... TO STDOUT``) and the time to read the
  ``.fec`` file back through ``fecfile``;
- the appeals page's latency over ``--requests`` signed-in requests (p50, p95), against the
  same client's latency for the staff dashboard, after one refresh of the returns (timed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from groundgame.bench.donations import CITIES, FIRST, LAST, _database

QUARTER = "2024Q3"
START = dt.datetime(2024, 7, 1, 4, tzinfo=dt.UTC)
SECONDS = int((dt.datetime(2024, 10, 1, 3, tzinfo=dt.UTC) - START).total_seconds())
# Most gifts are small, a few large: the shape of small-dollar online giving.
AMOUNTS = [(500, 25), (1000, 25), (2500, 20), (5000, 15), (10000, 8), (25000, 5), (100000, 2)]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _seed(donations: int, per_donor: int, appeals: int) -> dict[str, int]:
    from django.db import transaction

    from groundgame.money import services
    from groundgame.money.models import (
        Adjustment,
        Appeal,
        AppealCost,
        Committee,
        Contribution,
        Debt,
        Disbursement,
        Election,
        SendCost,
        Vendor,
    )
    from groundgame.organizing import services as organizing
    from groundgame.people.models import Person

    rng = random.Random(2024)
    national = organizing.org_unit_create(actor=None, name="National", kind="national")
    committee = Committee.objects.create(
        name="Bench for President", fec_id="C00700003", kind=Committee.Kind.PRESIDENTIAL
    )
    services.fec_filer_set(
        actor=None,
        committee_id=committee.pk,
        street_1="1 Campaign Plaza",
        city="Wilmington",
        state="DE",
        zip_code="19801",
        treasurer_first_name="Tess",
        treasurer_last_name="Reyes",
    )
    general = Election.objects.create(cycle=2024, kind="general", day=dt.date(2024, 11, 5))
    codes = [f"appeal-{i}" for i in range(appeals)]
    for i, code in enumerate(codes):
        appeal = Appeal.objects.create(
            name=f"Appeal {i}",
            channel=["email", "sms", "ads", "event"][i % 4],
            refcode=code,
            org_unit=national,
            starts_on=dt.date(2024, 7, 1) + dt.timedelta(days=i % 90),
            provider="bench",
        )
        AppealCost.objects.create(
            appeal=appeal,
            kind="ad_spend",
            amount_cents=rng.randrange(1_000_00, 200_000_00),
            incurred_on=appeal.starts_on,
        )
    SendCost.objects.create(channel="email", provider="bench", cents_per_thousand=100)
    donors = max(1, donations // per_donor)
    people: list[int] = []
    for chunk in range(0, donors, 20_000):
        rows = [
            Person(first_name=rng.choice(FIRST), last_name=f"{rng.choice(LAST)}{i}")
            for i in range(chunk, min(donors, chunk + 20_000))
        ]
        people += [p.pk for p in Person.objects.bulk_create(rows)]
    sizes, weights = zip(*AMOUNTS, strict=True)
    made = 0
    for chunk in range(0, donations, 25_000):
        gifts = []
        for i in range(chunk, min(donations, chunk + 25_000)):
            city, state, zip_code = rng.choice(CITIES)
            gifts.append(
                Contribution(
                    line_item_id=f"Q{i}",
                    order_number=f"AB{i}",
                    committee=committee,
                    election=general,
                    person_id=rng.choice(people),
                    amount_cents=rng.choices(sizes, weights)[0],
                    paid_at=START + dt.timedelta(seconds=rng.randrange(SECONDS)),
                    refcode=rng.choice(codes) if rng.random() < 0.8 else "",
                    first_name=rng.choice(FIRST),
                    last_name=f"Donor{i % 50_000}",
                    street=f"{rng.randrange(1, 9999)} Main St",
                    city=city,
                    state=state,
                    zip_code=zip_code,
                    employer="Acme" if rng.random() < 0.7 else "",
                    occupation="Teacher" if rng.random() < 0.7 else "",
                    source="csv",
                )
            )
        with transaction.atomic():
            saved = Contribution.objects.bulk_create(gifts)
            Adjustment.objects.bulk_create(
                Adjustment(
                    contribution=c,
                    kind="refund",
                    external_id=f"refund:{c.line_item_id}",
                    amount_cents=c.amount_cents,
                    at=c.paid_at + dt.timedelta(hours=1),
                    source="csv",
                )
                for c in saved
                if rng.random() < 0.01
            )
        made += len(saved)
        _log(f"{made:,} donations ...")
    vendors = Vendor.objects.bulk_create(
        Vendor(
            name=f"Vendor {i}", street_1="9 Supply Rd", city="Dover", state="DE", zip_code="19901"
        )
        for i in range(200)
    )
    Disbursement.objects.bulk_create(
        Disbursement(
            transaction_id=f"B{i}",
            committee=committee,
            vendor=rng.choice(vendors),
            paid_on=(START + dt.timedelta(seconds=rng.randrange(SECONDS))).date(),
            amount_cents=rng.randrange(100_00, 5_000_00),
            category="media_digital",
            org_unit=national,
            purpose="Digital ads",
        )
        for i in range(20_000)
    )
    Debt.objects.bulk_create(
        Debt(
            committee=committee,
            vendor=vendors[i],
            purpose="Airtime",
            incurred_on=dt.date(2024, 9, 1),
            amount_cents=250_000_00,
        )
        for i in range(3)
    )
    return {"donations": made, "donors": donors, "disbursements": 20_000, "appeals": appeals}


def _copy_seconds(database_url: str) -> float:
    """The floor: the database handing over the quarter's gifts, with no work on them."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        query = (
            "COPY (SELECT * FROM money_contribution WHERE paid_at >= %s AND paid_at < %s) TO STDOUT"
        )
        with cursor.copy(
            query.replace("%s", "'2024-07-01'", 1).replace("%s", "'2024-10-01'", 1)
        ) as copy:
            for _ in copy:
                pass
    return time.perf_counter() - started


def _latencies(client: Any, url: str, requests: int) -> dict[str, float]:
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    database_url, fresh = _database(args)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundgame.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seeded = _seed(args.donations, args.gifts_per_donor, args.appeals)
    seed_seconds = time.perf_counter() - started
    _log(f"seeded in {seed_seconds:.0f}s; building the FEC report ...")

    import fecfile

    from groundgame.money import services
    from groundgame.money.models import Committee

    committee = Committee.objects.get(fec_id="C00700003")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.fec"
        started = time.perf_counter()
        with path.open("wb") as out:
            built = services.fec_report_write(
                actor=None, committee_id=committee.pk, period=QUARTER, out=out
            )
        build_seconds = time.perf_counter() - started
        copy_seconds = _copy_seconds(database_url)
        started = time.perf_counter()
        parsed = fecfile.from_file(str(path))
        read_seconds = time.perf_counter() - started
        itemized = [
            r for r in parsed["itemizations"].get("Schedule A", []) if r.get("memo_code") != "X"
        ]
        read_itemized_cents = round(sum(r["contribution_amount"] for r in itemized) * 100)
        size = path.stat().st_size

    _log("refreshing the appeals' returns and timing the page ...")
    started = time.perf_counter()
    services.appeal_returns_refresh()
    refresh_seconds = time.perf_counter() - started
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    page = _latencies(client, "/money/appeals/", args.requests)
    dashboard = _latencies(client, "/", args.requests)
    from django.db import connections

    connections.close_all()
    if fresh:
        import psycopg

        base = database_url.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{fresh}" WITH (FORCE)')
    return {
        "seeded": {**seeded, "seconds": round(seed_seconds, 1)},
        "fec_report": {
            "quarter": QUARTER,
            "seconds": round(build_seconds, 1),
            "goal_seconds": 60,
            "records": built.lines,
            "itemized_contributions": built.itemized,
            "problems": built.problem_count,
            "bytes": size,
            "copy_floor_seconds": round(copy_seconds, 2),
            "ratio_to_copy_floor": round(build_seconds / copy_seconds, 1),
            "fecfile_read_seconds": round(read_seconds, 1),
            "ratio_to_fecfile_read": round(build_seconds / read_seconds, 2),
            "itemized_cents_equal_after_read_back": (
                read_itemized_cents == built.summary.period.individuals_itemized
            ),
        },
        "appeals_page": {
            **page,
            "goal_p95_ms": 300,
            "requests": args.requests,
            "refresh_seconds": round(refresh_seconds, 1),
            "dashboard_p50_ms": dashboard["p50_ms"],
            "dashboard_p95_ms": dashboard["p95_ms"],
            "ratio_p95_to_dashboard": round(page["p95_ms"] / dashboard["p95_ms"], 2),
        },
    }

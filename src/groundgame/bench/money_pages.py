"""The cash-flow and where-the-money-went pages at ledger scale: p50/p95 of a staff member's
GET, against the floor measured in the same run on the same database.

``groundgame bench money-pages`` loads a million donations (``--donations``) over the last
four months and twenty thousand disbursements (``--disbursements``) with a TV reservation, a
consultant on commission and invoices into the database ``DATABASE_URL`` names (PostgreSQL,
empty of donations: give the bench a database of its own), then times each page ``--runs``
times after one warm-up, through Django's whole request path (middleware, session, scope,
templates, charts).

The floor is what any page showing cash on hand would pay without a kept forecast: one scan
summing the donations (``SELECT count(*), sum(amount_cents)``). The forecast itself (grouping
the donations by day, drawing two thousand futures) is what a worker does when the kept one is
stale; its time is printed too, as ``recompute_ms``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _log(message: str) -> None:
    print(f"bench money-pages: {message}", file=sys.stderr, flush=True)


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm-up
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        out.append(time.perf_counter() - started)
    return out


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def _load_donations(count: int, days: int) -> None:
    """A million gifts written by the database itself (the bench measures pages, not intake):
    spread over ``days`` days, sizes like small-dollar fundraising, donors reused."""
    from django.db import connection

    from groundgame.money import services as money
    from groundgame.people.models import Person

    committee = money.committee_create(
        actor=None, name="Bench for America", fec_id="C00888888", kind="presidential"
    )
    election = money.election_create(
        actor=None, cycle=2028, kind="general", day=dt.date(2028, 11, 7)
    )
    Person.objects.bulk_create(
        Person(first_name="Donor", last_name=f"Bench{i}") for i in range(20_000)
    )
    first = Person.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO money_contribution (
                line_item_id, order_number, committee_id, election_id, person_id, amount_cents,
                paid_at, refcode, refcode2, form_name, first_name, last_name, street, city,
                state, zip_code, employer, occupation, earmarked, source, created_at)
            SELECT 'bench-' || n, 'B' || n, %s, %s, %s + (n %% 20000),
                   (500 + floor(random() * random() * 25000))::bigint,
                   now() - (random() * %s || ' days')::interval,
                   'bench', '', '', 'Donor', 'Bench', '', '', '', '', '', '', true, 'csv', now()
            FROM generate_series(1, %s) AS n
            """,
            [committee.pk, election.pk, first, days, count],
        )
        cursor.execute("ANALYZE money_contribution")


def _load_spending(count: int, days: int, unit_id: int) -> None:
    from groundgame.money import services as money
    from groundgame.money.models import Disbursement, Vendor

    rng = random.Random(2024)
    today = dt.date.today()
    vendors = [money.vendor_upsert(actor=None, name=f"Vendor {i}").pk for i in range(200)]
    station = money.vendor_upsert(actor=None, name="Keystone Broadcasting").pk
    money.commitment_create(
        actor=None,
        kind="tv_reservation",
        title="Fall flight",
        vendor_id=station,
        category="media_tv",
        org_unit_id=unit_id,
        starts_on=today - dt.timedelta(weeks=6),
        ends_on=today + dt.timedelta(weeks=10),
        weekly_cents=2_000_000_00,
        cancellation_notice_days=14,
    )
    money.commitment_create(
        actor=None,
        kind="consultant",
        title="Media buying",
        vendor_id=vendors[0],
        category="consultants",
        org_unit_id=unit_id,
        starts_on=today - dt.timedelta(days=days),
        ends_on=today + dt.timedelta(days=90),
        retainer_cents=50_000_00,
        commission_basis_points=1_500,
        commission_category="media_tv",
    )
    for i in range(20):
        money.commitment_create(
            actor=None,
            kind="invoice",
            title=f"Invoice {i}",
            vendor_id=vendors[i + 1],
            category="mail",
            org_unit_id=unit_id,
            starts_on=today - dt.timedelta(days=10),
            ends_on=today + dt.timedelta(days=i * 3),
            amount_cents=rng.randint(10_000_00, 200_000_00),
        )
    categories = ["media_tv", "media_digital", "staff", "field", "mail", "digital", "overhead"]
    Disbursement.objects.bulk_create(
        (
            Disbursement(
                transaction_id=f"BENCH{i}",
                vendor_id=rng.choice(vendors),
                paid_on=today - dt.timedelta(days=rng.randrange(days)),
                amount_cents=rng.randint(100_00, 50_000_00),
                category=rng.choice(categories),
                org_unit_id=unit_id,
                purpose="Bench",
            )
            for i in range(count)
        ),
        batch_size=5_000,
    )
    assert Vendor.objects.count() >= 201


def run(args: argparse.Namespace) -> dict[str, Any]:
    from groundgame import runtime

    runtime.prepare_home()
    runtime.setup_django()
    vendor = runtime.check_database()
    if vendor != "postgresql":
        raise runtime.CliError("bench money-pages needs PostgreSQL: set DATABASE_URL.")
    runtime.migrate()

    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from groundgame.money import cashflow
    from groundgame.money import selectors as ledger
    from groundgame.money import services as money
    from groundgame.organizing import services as organizing

    if ledger.contribution_count():
        raise runtime.CliError(
            "the database already holds donations; give the bench an empty database of its own"
        )
    setup_test_environment()  # lets the test client in whatever ALLOWED_HOSTS says
    started = time.perf_counter()
    unit = organizing.org_unit_create(actor=None, name="Bench national", kind="national")
    # A throwaway account the test client signs in with force_login: no password is used.
    admin = organizing.staff_create(
        actor=None, username="bench-admin", password=secrets.token_urlsafe(24)
    )
    organizing.staff_role_grant(actor=None, user=admin, org_unit=unit, role="admin")
    _log(f"loading {args.donations:,} donations")
    _load_donations(args.donations, days=120)
    _log(f"loading {args.disbursements:,} disbursements and the commitments")
    _load_spending(args.disbursements, days=120, unit_id=unit.pk)
    money.cash_settings_set(
        actor=None,
        floor_cents=1_000_000_00,
        horizon_days=60,
        election_day=dt.date.today() + dt.timedelta(days=90),
    )
    money.fundraising_goal_set(
        actor=None,
        name="Quarter",
        starts_on=dt.date.today() - dt.timedelta(days=60),
        deadline=dt.date.today() + dt.timedelta(days=30),
        target_cents=100_000_000_00,
    )
    load_seconds = time.perf_counter() - started

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), sum(amount_cents) FROM money_contribution")
            cursor.fetchone()

    recompute = _times(cashflow.cashflow_refresh, max(3, args.runs // 10))
    client = Client()
    client.force_login(admin)

    def get(path: str) -> Callable[[], None]:
        def fetch() -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise runtime.CliError(f"{path} answered {response.status_code}")

        return fetch

    _log(f"timing each page {args.runs} times")
    base = _summary(_times(floor, args.runs))
    cash = _summary(_times(get("/money/cashflow/"), args.runs))
    spent = _summary(_times(get("/money/spending/"), args.runs))
    budget = _summary(_times(get("/money/budget/"), args.runs))
    return {
        "donations": ledger.contribution_count(),
        "disbursements": args.disbursements,
        "load_seconds": round(load_seconds, 1),
        "floor_sum_of_donations": base,
        "cashflow_page": cash,
        "where_the_money_went_page": spent,
        "budget_page": budget,
        "recompute_ms": _summary(recompute)["p50_ms"],
        "cashflow_p95_over_floor_p95": round(cash["p95_ms"] / base["p95_ms"], 2),
        "where_p95_over_floor_p95": round(spent["p95_ms"] / base["p95_ms"], 2),
        "goal_p95_ms": 300,
    }

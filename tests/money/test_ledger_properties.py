"""Property: the ledger does not depend on how its gifts arrive. Any interleaving of
webhooks, retried webhooks, export imports and refunds (by webhook or in the export, before
or after the gift they take back) of the same contributions leaves the same contributions,
donors, recurring plans, refunds, limit flags and totals as the same arrivals one by one in
a plain order; and each gift is counted once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.integrations.actblue import csv_import, intake, parse
from groundgame.money import selectors
from groundgame.money.models import Adjustment, Contribution, LimitExcess, RecurringPlan
from groundgame.people.models import ExternalId
from tests.money import builders

REFUNDED_AT = builders.PAID + dt.timedelta(days=5)


@dataclass(frozen=True)
class Gift:
    line_item: int
    donor: int
    amount: str
    days: int  # after builders.PAID
    order: str
    recurring: bool


# Three donors; donor 0 gives past the $3,300 limit, donor 2 monthly (one plan, two gifts).
GIFTS = [
    Gift(101, 0, "3000.00", 0, "AB1", False),
    Gift(102, 0, "500.00", 1, "AB2", False),
    Gift(103, 1, "25.00", 0, "AB3", False),
    Gift(104, 2, "10.00", 0, "AB4", True),
    Gift(105, 2, "10.00", 30, "AB4", True),
]
WAYS = ("webhook", "csv", "refund_webhook", "refund_csv")


def _arrive(way: str, gift: Gift) -> None:
    paid = builders.PAID + dt.timedelta(days=gift.days)
    refund = way.startswith("refund")
    if way.endswith("webhook"):
        body = builders.webhook_body(
            gift.donor,
            [(gift.line_item, gift.amount)],
            status="refunded" if refund else "approved",
            paid_at=paid,
            order=gift.order,
            recurring="monthly" if gift.recurring else "once",
            refunded_at=REFUNDED_AT if refund else None,
        )
        intake.receipts_store(endpoint="main", items=parse.webhook_line_items(body))
        intake.receipts_process()
    else:
        row = builders.csv_row(
            gift.donor,
            gift.line_item,
            gift.amount,
            paid_at=paid,
            order=gift.order,
            refund_at=REFUNDED_AT if refund else None,
        )
        if gift.recurring:
            row[builders.CSV_HEADER.index("Recurring Total Months")] = "12"
        report = csv_import.contributions_import(actor=None, text=builders.csv_text([row]))
        assert not report.rejected, report.rejected


def _snapshot() -> dict[str, Any]:
    email = {c.person_id: c.person.email for c in Contribution.objects.select_related("person")}
    totals = selectors.receipts_totals()
    return {
        "contributions": sorted(
            Contribution.objects.values_list(
                "line_item_id",
                "amount_cents",
                "paid_at",
                "election__kind",
                "refcode",
                "recurring_plan__order_number",
                "person__email",
            )
        ),
        "donors": len(set(email.values())),
        "people": len(email),
        "plans": sorted(
            RecurringPlan.objects.values_list("order_number", "started_at", "amount_cents")
        ),
        "adjustments": sorted(
            Adjustment.objects.values_list("external_id", "kind", "amount_cents", "at")
        ),
        "excess": sorted(
            LimitExcess.objects.values_list(
                "person__email", "total_cents", "excess_cents", "status"
            )
        ),
        "crosswalk": sorted(
            ExternalId.objects.filter(system="actblue").values_list("external_id", "person__email")
        ),
        "totals": (totals.gifts, totals.gross_cents, totals.refunded_cents, totals.net_cents),
    }


class _Undo(Exception):
    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot


def _ledger_after(arrivals: list[tuple[str, int]]) -> dict[str, Any]:
    """The ledger the arrivals leave, undone afterwards so that the next order starts afresh."""
    try:
        with transaction.atomic():
            for way, index in arrivals:
                _arrive(way, GIFTS[index])
            raise _Undo(_snapshot())
    except _Undo as done:
        return done.snapshot


@st.composite
def interleavings(draw: st.DrawFn) -> list[tuple[str, int]]:
    arrivals: list[tuple[str, int]] = []
    for index in range(len(GIFTS)):
        ways = draw(st.lists(st.sampled_from(WAYS), min_size=1, max_size=3))
        arrivals += [(way, index) for way in ways]
    return draw(st.permutations(arrivals))


class LedgerInterleavingTest(TestCase):
    def setUp(self) -> None:
        builders.committee()

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(interleavings())
    def test_any_interleaving_gives_the_same_ledger(self, arrivals: list[tuple[str, int]]) -> None:
        plain = sorted(arrivals, key=lambda a: (a[1], WAYS.index(a[0])))
        got = _ledger_after(arrivals)
        assert got == _ledger_after(plain)
        # Each gift that arrived is one row, and a refund at most one, however often it came.
        arrived = {GIFTS[i].line_item for _, i in arrivals}
        assert len(got["contributions"]) == len(arrived)
        refunded = {GIFTS[i].line_item for way, i in arrivals if way.startswith("refund")}
        assert len(got["adjustments"]) == len(refunded)
        gross = sum(int(float(GIFTS[i].amount) * 100) for i in {i for _, i in arrivals})
        assert got["totals"][1] == gross

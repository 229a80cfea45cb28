"""What the money app offers to the health dashboard: dollars raised per day, cash on hand
per day, and the fundraising goals with their pacing and chance of being met. Aggregates
only; amounts in cents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum

from groundgame.core.metrics import Metric
from groundgame.money import cashflow
from groundgame.money.models import Disbursement

DOLLARS_RAISED = Metric(
    "money.raised_cents", "cents", "campaign", "Receipts less refunds and chargebacks, per day"
)
CASH_ON_HAND = Metric(
    "money.cash_on_hand_cents", "cents", "campaign", "Cash on hand at the end of each day"
)
GOALS = Metric(
    "money.fundraising_goals",
    "cents",
    "campaign",
    "Each goal's target, raised so far, pace and chance of being met by its deadline",
)


@dataclass(frozen=True)
class DayAmount:
    day: dt.date
    cents: int


def raised_by_day(*, start: dt.date, end: dt.date) -> list[DayAmount]:
    """Net receipts for each day from ``start`` to ``end`` excluded."""
    days = cashflow.daily_net_receipts(start=start, end=end)
    return [DayAmount(start + dt.timedelta(days=i), c) for i, c in enumerate(days)]


def cash_on_hand_by_day(*, start: dt.date, end: dt.date) -> list[DayAmount]:
    """Cash on hand at the end of each day from ``start`` to ``end`` excluded: the cash
    before ``start``, then each day's receipts less its refunds and payments."""
    cash = cashflow.cash_position(before=start).cash_cents
    paid = dict(
        Disbursement.objects.filter(memo=False, paid_on__gte=start, paid_on__lt=end)
        .values("paid_on")
        .annotate(cents=Sum("amount_cents"))
        .values_list("paid_on", "cents")
    )
    out = []
    for day in raised_by_day(start=start, end=end):
        cash += day.cents - paid.get(day.day, 0)
        out.append(DayAmount(day.day, cash))
    return out


def fundraising_goals() -> list[cashflow.GoalPace]:
    """The goals as the latest forecast left them (computed at once if none is kept)."""
    return list(cashflow.cashflow_snapshot().goals)

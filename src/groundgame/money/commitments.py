"""What a commitment will cost and when: its schedule of payments, from its kind's terms.

A TV reservation owes each week of its flight; cancelled, it still owes the weeks whose last
day to cancel (the week's start less the stations' notice) had passed. A consultant is owed a
retainer at the start of each month of the contract, the fees of its schedule, and at the end
of each month a commission on that month's spend in the category it buys. An invoice is owed
in full on its due date. Payments already made against a commitment settle its earliest
installments first; what is left and overdue is due today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from groundgame.money.models import Commitment, ConsultantFee, Disbursement

Month = tuple[int, int]


@dataclass(frozen=True)
class Installment:
    """One payment a commitment's terms call for."""

    commitment_id: int
    due_on: dt.date
    cents: int
    what: str


def commission_cents(spend_cents: int, basis_points: int) -> int:
    """A percent-of-spend commission, rounded to the nearest cent (half up)."""
    return (spend_cents * basis_points + 5_000) // 10_000


def week_owed_after(week_start: dt.date, notice_days: int) -> dt.date:
    """The last day a week of a reservation can be cancelled without owing it."""
    return week_start - dt.timedelta(days=notice_days)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of each month the period touches."""
    months, month = [], _month_start(start)
    while month <= end:
        months.append(month)
        month = _next_month(month)
    return months


def tv_installments(c: Commitment) -> list[Installment]:
    weeks: list[Installment] = []
    week = c.starts_on
    while week <= c.ends_on:
        owed_after = week_owed_after(week, c.cancellation_notice_days)
        if c.cancelled_on is None or c.cancelled_on > owed_after:
            weeks.append(Installment(c.pk, week, c.weekly_cents, f"week of {week:%b} {week.day}"))
        week += dt.timedelta(days=7)
    return weeks


def consultant_installments(
    c: Commitment, fees: Iterable[ConsultantFee], spend_by_month: Mapping[Month, int]
) -> list[Installment]:
    """``spend_by_month``: the spend in the commission's category, per (year, month)."""
    last_day = min(c.ends_on, c.cancelled_on) if c.cancelled_on else c.ends_on
    out: list[Installment] = []
    for month in _months(c.starts_on, last_day):
        if c.retainer_cents:
            due = max(month, c.starts_on)
            out.append(Installment(c.pk, due, c.retainer_cents, f"retainer {month:%b %Y}"))
        if c.commission_basis_points and c.commission_category:
            spend = spend_by_month.get((month.year, month.month), 0)
            cents = commission_cents(spend, c.commission_basis_points)
            if cents:
                end = min(_next_month(month) - dt.timedelta(days=1), last_day)
                out.append(Installment(c.pk, end, cents, f"commission {month:%b %Y}"))
    out.extend(
        Installment(c.pk, f.due_on, f.amount_cents, f.description or "fee")
        for f in fees
        if c.cancelled_on is None or f.due_on <= c.cancelled_on
    )
    return sorted(out, key=lambda i: i.due_on)


def invoice_installments(c: Commitment) -> list[Installment]:
    if c.cancelled_on is not None:
        return []
    return [Installment(c.pk, c.ends_on, c.amount_cents, f"invoice {c.reference}".strip())]


def installments(
    c: Commitment, fees: Iterable[ConsultantFee], spend_by_month: Mapping[Month, int]
) -> list[Installment]:
    if c.kind == Commitment.Kind.TV_RESERVATION:
        return tv_installments(c)
    if c.kind == Commitment.Kind.CONSULTANT:
        return consultant_installments(c, fees, spend_by_month)
    return invoice_installments(c)


def still_owed(
    schedule: Iterable[Installment], paid_cents: int, *, today: dt.date
) -> list[Installment]:
    """The installments not yet paid, payments settling the earliest first; what is overdue
    is due today, since the money has to leave now."""
    left: list[Installment] = []
    paid = paid_cents
    for item in sorted(schedule, key=lambda i: i.due_on):
        settled = min(paid, item.cents)
        paid -= settled
        owed = item.cents - settled
        if owed > 0:
            due = max(item.due_on, today)
            left.append(Installment(item.commitment_id, due, owed, item.what))
    return left


def _month_spend(
    category: str,
    *,
    schedules: dict[int, list[Installment]],
    by_id: dict[int, Commitment],
) -> dict[Month, int]:
    """Spend per month in a category: what was paid, plus what non-consultant commitments
    of that category schedule for months to come."""
    spend: dict[Month, int] = defaultdict(int)
    paid = (
        Disbursement.objects.filter(category=category, memo=False)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(cents=Sum("amount_cents"))
        .values_list("month", "cents")
    )
    for month, cents in paid:
        spend[(month.year, month.month)] += cents
    today = timezone.localdate()
    for cid, items in schedules.items():
        if by_id[cid].category != category:
            continue
        for item in items:
            if item.due_on >= today:
                spend[(item.due_on.year, item.due_on.month)] += item.cents
    return spend


def commitment_schedules() -> tuple[dict[int, Commitment], dict[int, list[Installment]]]:
    """Every commitment with its full schedule of installments."""
    by_id = {c.pk: c for c in Commitment.objects.select_related("vendor")}
    fees: dict[int, list[ConsultantFee]] = defaultdict(list)
    for fee in ConsultantFee.objects.all():
        fees[fee.commitment_id].append(fee)
    schedules = {
        cid: installments(c, (), {})
        for cid, c in by_id.items()
        if c.kind != Commitment.Kind.CONSULTANT
    }
    for cid, c in by_id.items():
        if c.kind == Commitment.Kind.CONSULTANT:
            spend = (
                _month_spend(c.commission_category, schedules=schedules, by_id=by_id)
                if c.commission_basis_points
                else {}
            )
            schedules[cid] = installments(c, fees[cid], spend)
    return by_id, schedules

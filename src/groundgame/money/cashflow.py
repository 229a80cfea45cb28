"""Cash on hand, the cash-flow forecast and its alerts, the fundraising goals' outlook.

Cash on hand is exact: every receipt, less every refund and chargeback, less every
disbursement. The forecast (``money.forecast``) needs the ledger's daily receipts, which at a
million donations take longer to group than a page may, so it is kept as a snapshot in the
shared cache with the time it was taken, like the dashboard's headline: a page shows it at
once and a worker recomputes it when it is older than ``STALE_AFTER`` or a spending write has
changed what it rests on. Each recomputation also opens or closes the alerts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from groundgame.audit.services import Kind as AuditKind
from groundgame.audit.services import audit_record
from groundgame.core.money import format_cents
from groundgame.messaging import services as messaging
from groundgame.money import commitments, forecast
from groundgame.money import selectors as ledger
from groundgame.money.models import (
    CashAlert,
    CashSettings,
    Debt,
    Disbursement,
    FundraisingGoal,
)
from groundgame.organizing import selectors as organizing

STALE_AFTER = dt.timedelta(minutes=5)
# How far ahead the forecast runs when no election day is set.
DEFAULT_DAYS = 120
_KEY = "money:cashflow:v1"
_REFRESHING = "money:cashflow:refreshing"


# --- Cash on hand --------------------------------------------------------------------------


@dataclass(frozen=True)
class CashPosition:
    receipts_cents: int
    refunds_cents: int  # refunds and chargebacks
    disbursements_cents: int

    @property
    def cash_cents(self) -> int:
        return self.receipts_cents - self.refunds_cents - self.disbursements_cents


def _disbursed(*, before: dt.date | None = None) -> int:
    rows = Disbursement.objects.filter(memo=False)
    if before is not None:
        rows = rows.filter(paid_on__lt=before)
    return rows.aggregate(cents=Sum("amount_cents"))["cents"] or 0


def cash_position(*, before: dt.date | None = None) -> CashPosition:
    """Cash on hand from everything received, taken back and paid before ``before`` (all of
    it when None). Memo entries (a payment itemized under another) move no money."""
    end = _day_start(before) if before is not None else None
    receipts = ledger.receipts_totals(end=end)
    return CashPosition(
        receipts_cents=receipts.gross_cents,
        refunds_cents=receipts.refunded_cents + receipts.chargeback_cents,
        disbursements_cents=_disbursed(before=before),
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def daily_net_receipts(*, start: dt.date, end: dt.date) -> list[int]:
    """Receipts less refunds and chargebacks for each day from ``start`` to ``end`` excluded,
    oldest first, days without any as zero."""
    gross = {
        d.day: d.gross_cents
        for d in ledger.donations_by_day(start=_day_start(start), end=_day_start(end))
    }
    back = ledger.adjustments_by_day(start=_day_start(start), end=_day_start(end))
    n = (end - start).days
    days = (start + dt.timedelta(days=i) for i in range(n))
    return [gross.get(d, 0) - back.get(d, 0) for d in days]


# --- What the commitments will take --------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    """A payment still to make: a commitment's installment or a debt's balance."""

    due_on: dt.date
    cents: int
    vendor: str
    title: str
    what: str


def upcoming_payments(*, today: dt.date) -> list[Upcoming]:
    """What is still owed, by due date: each commitment's installments not yet paid (those
    overdue due today), and the unpaid balance of each debt not standing for a commitment,
    due today."""
    by_id, schedules = commitments.commitment_schedules()
    paid = dict(
        Disbursement.objects.filter(commitment__isnull=False)
        .values("commitment_id")
        .annotate(cents=Sum("amount_cents"))
        .values_list("commitment_id", "cents")
    )
    out: list[Upcoming] = []
    for cid, schedule in schedules.items():
        c = by_id[cid]
        for item in commitments.still_owed(schedule, paid.get(cid, 0), today=today):
            out.append(Upcoming(item.due_on, item.cents, c.vendor.name, c.title, item.what))
    # A debt that stands for a commitment's unpaid installments is already in its schedule.
    debts = Debt.objects.filter(commitment__isnull=True).select_related("vendor")
    for debt in debts.annotate(paid=Sum("payments__amount_cents")):
        balance = debt.amount_cents - (debt.paid or 0)
        if balance > 0:
            out.append(Upcoming(today, balance, debt.vendor.name, debt.purpose, "debt"))
    return sorted(out, key=lambda u: (u.due_on, u.vendor))


# --- The forecast, kept ----------------------------------------------------------------------


@dataclass(frozen=True)
class GoalPace:
    name: str
    starts_on: dt.date
    deadline: dt.date
    target_cents: int
    raised_cents: int
    # What the days elapsed, at the same pace, would have needed to be on track.
    on_track_cents: int
    outlook: forecast.GoalOutlook | None  # None once the deadline has passed


@dataclass(frozen=True)
class CashflowSnapshot:
    position: CashPosition
    forecast: forecast.Forecast
    upcoming: tuple[Upcoming, ...]
    goals: tuple[GoalPace, ...]
    floor_cents: int
    horizon_days: int
    election_day: dt.date | None
    computed_at: dt.datetime


def _goal_pace(goal: FundraisingGoal, *, today: dt.date, history: list[int]) -> GoalPace:
    raised = ledger.receipts_totals(
        start=_day_start(goal.starts_on), end=_day_start(goal.deadline + dt.timedelta(days=1))
    ).net_cents
    span = max((goal.deadline - goal.starts_on).days + 1, 1)
    elapsed = min(max((today - goal.starts_on).days, 0), span)
    outlook = None
    if today <= goal.deadline:
        outlook = forecast.goal_outlook(
            history=history,
            days_left=(goal.deadline - today).days,
            raised_cents=raised,
            target_cents=goal.target_cents,
            seed=goal.pk,
        )
    return GoalPace(
        name=goal.name,
        starts_on=goal.starts_on,
        deadline=goal.deadline,
        target_cents=goal.target_cents,
        raised_cents=raised,
        on_track_cents=goal.target_cents * elapsed // span,
        outlook=outlook,
    )


def cashflow_compute(*, today: dt.date | None = None) -> CashflowSnapshot:
    """Cash on hand now, and the futures from tomorrow: the recent weeks of receipts up to
    today are resampled, and what is due today or overdue leaves tomorrow at the latest."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    settings_row = CashSettings.objects.filter(pk=1).first() or CashSettings()
    last_day = settings_row.election_day or today + dt.timedelta(days=DEFAULT_DAYS)
    last_day = max(last_day, tomorrow)
    history_start = tomorrow - dt.timedelta(days=forecast.HISTORY_DAYS)
    history = daily_net_receipts(start=history_start, end=tomorrow)
    upcoming = upcoming_payments(today=tomorrow)
    outflows: dict[dt.date, int] = defaultdict(int)
    for item in upcoming:
        # Payments falling after the last day still count on it: they are owed by then.
        outflows[min(item.due_on, last_day)] += item.cents
    position = cash_position(before=tomorrow)
    result = forecast.forecast(
        first_day=tomorrow,
        last_day=last_day,
        cash_today_cents=position.cash_cents,
        history=history,
        outflows=outflows,
        floor_cents=settings_row.floor_cents,
        seed=today.toordinal(),
    )
    goals = tuple(
        _goal_pace(g, today=today, history=history) for g in FundraisingGoal.objects.all()
    )
    return CashflowSnapshot(
        position=position,
        forecast=result,
        upcoming=tuple(upcoming),
        goals=goals,
        floor_cents=settings_row.floor_cents,
        horizon_days=settings_row.horizon_days,
        election_day=settings_row.election_day,
        computed_at=timezone.now(),
    )


def cashflow_refresh(*, today: dt.date | None = None) -> CashflowSnapshot:
    """Recompute the forecast, keep it, and open or close the alerts it calls for."""
    snapshot = cashflow_compute(today=today)
    cash_alerts_update(snapshot)
    cache.set(_KEY, snapshot, timeout=None)
    cache.delete(_REFRESHING)
    return snapshot


def cashflow_snapshot() -> CashflowSnapshot:
    """The kept forecast; computed here the first time, refreshed by a worker when stale."""
    snapshot: CashflowSnapshot | None = cache.get(_KEY)
    if snapshot is None:
        return cashflow_refresh()
    if timezone.now() - snapshot.computed_at > STALE_AFTER:
        forecast_mark_stale()
    return snapshot


def forecast_mark_stale() -> None:
    """Have a worker recompute the forecast (once, however many ask at the same time)."""
    if cache.add(_REFRESHING, True, timeout=300):
        from groundgame.money import tasks

        tasks.cashflow_refresh.enqueue()


# --- Alerts ----------------------------------------------------------------------------------


def _inside(crossing: forecast.Crossing | None, snapshot: CashflowSnapshot) -> bool:
    if crossing is None:
        return False
    today = snapshot.forecast.first_day - dt.timedelta(days=1)
    return (crossing.on - today).days <= snapshot.horizon_days


def cash_alerts_update(snapshot: CashflowSnapshot) -> list[CashAlert]:
    """Open an alert the first time a crossing comes inside the horizon (and have it emailed
    once), keep an open one's date current, close it once the crossing is outside again."""
    from groundgame.money import tasks

    lines = (
        (CashAlert.Line.ZERO, 0, snapshot.forecast.below_zero),
        (CashAlert.Line.FLOOR, snapshot.floor_cents, snapshot.forecast.below_floor),
    )
    opened: list[CashAlert] = []
    with transaction.atomic():
        open_now = {
            (a.line, a.threshold_cents): a
            for a in CashAlert.objects.select_for_update().filter(closed_at__isnull=True)
        }
        for line, threshold, crossing in lines:
            alert = open_now.pop((line, threshold), None)
            if not _inside(crossing, snapshot):
                if alert is not None:
                    alert.closed_at = timezone.now()
                    alert.save(update_fields=["closed_at"])
                continue
            assert crossing is not None
            if alert is None:
                alert = CashAlert.objects.create(
                    line=line,
                    threshold_cents=threshold,
                    crossing_on=crossing.on,
                    probability=crossing.probability,
                )
                audit_record(
                    actor=None,
                    kind=AuditKind.CREATE,
                    action="cash_alert.open",
                    entity_type="money.cashalert",
                    entity_id=alert.pk,
                    summary=cash_alert_text(alert),
                )
                transaction.on_commit(
                    partial(tasks.cash_alert_notify.enqueue, alert.pk), robust=True
                )
                opened.append(alert)
            else:
                alert.crossing_on, alert.probability = crossing.on, crossing.probability
                alert.save(update_fields=["crossing_on", "probability"])
        # A floor since changed: the alerts about the old one no longer apply.
        CashAlert.objects.filter(pk__in=[a.pk for a in open_now.values()]).update(
            closed_at=timezone.now()
        )
    return opened


def cash_alert_text(alert: CashAlert) -> str:
    below = "zero" if alert.line == CashAlert.Line.ZERO else format_cents(alert.threshold_cents)
    return (
        f"Cash is forecast to fall below {below} by {alert.crossing_on:%A %B} "
        f"{alert.crossing_on.day}, {alert.crossing_on.year} "
        f"(probability {alert.probability:.0%})."
    )


def cash_alerts_open() -> list[CashAlert]:
    return list(CashAlert.objects.filter(closed_at__isnull=True).order_by("crossing_on"))


def cash_alert_recipients() -> list[User]:
    """The treasurer and the campaign manager the settings name; where they name nobody,
    the national finance staff and directors."""
    row = CashSettings.objects.filter(pk=1).select_related("treasurer", "campaign_manager").first()
    named = [u for u in (row.treasurer, row.campaign_manager) if u] if row else []
    if named:
        return named
    root = organizing.org_unit_root()
    if root is None:
        return []
    return [
        *organizing.staff_with_role_above(root.path, "finance"),
        *organizing.staff_with_role_above(root.path, "director"),
    ]


def cash_alert_notify(*, alert_id: int) -> int:
    """Email the alert to each recipient with an address, once; returns how many were sent."""
    with transaction.atomic():
        alert = CashAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None or alert.notified_at is not None:
            return 0
        sent = 0
        seen: set[str] = set()
        for user in cash_alert_recipients():
            if not user.email or user.email in seen:
                continue
            seen.add(user.email)
            messaging.staff_notice_send(
                to=user.email,
                subject="Cash-flow alert",
                body=f"{cash_alert_text(alert)}\n\nSee the cash-flow page for the forecast.",
                message_id=f"<cash-alert-{alert.pk}-{user.pk}@groundgame>",
            )
            sent += 1
        alert.notified_at = timezone.now()
        alert.save(update_fields=["notified_at"])
        audit_record(
            actor=None,
            kind=AuditKind.UPDATE,
            action="cash_alert.notify",
            entity_type="money.cashalert",
            entity_id=alert.pk,
            summary=f"emailed to {sent}",
        )
    return sent

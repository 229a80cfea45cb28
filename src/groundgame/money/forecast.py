"""The cash-flow forecast: where cash on hand is likely to go between today and a last day.

Receipts are not a straight line: they come in weekly rhythms and bursts (a debate, a
deadline). The forecast draws many futures by resampling whole weeks of the campaign's own
recent daily net receipts (a block bootstrap, which keeps the weekday pattern and the burst
sizes the ledger actually saw), adds each future to cash on hand, and takes away the payments
the commitments schedule. The spread of those futures is the interval: the band on the chart,
the probability of each crossing, and the debt left on the last day. With no history there
is nothing to resample and receipts are taken as nothing, which the page says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

PATHS = 2_000
BLOCK_DAYS = 7
# The recent weeks resampled: long enough for a weekly pattern and a few bursts, short enough
# to follow the current pace rather than last spring's.
HISTORY_DAYS = 56
# A crossing is "likely" once half the futures have crossed; before that, one in ten is
# reported as possible, so a real risk shows before it is a coin toss.
LIKELY = 0.5
POSSIBLE = 0.1


@dataclass(frozen=True)
class Crossing:
    """The first day cash falls below ``threshold_cents`` in at least ``probability`` of the
    futures (``likely`` when that is at least half of them); ``by_last_day``: the share of
    futures that fall below it at some point before the last day."""

    threshold_cents: int
    on: dt.date
    probability: float
    likely: bool
    by_last_day: float


@dataclass(frozen=True)
class Forecast:
    first_day: dt.date
    days: tuple[dt.date, ...]
    # Cash at the end of each day, in cents: the 10th, 50th and 90th percentile of futures.
    low: tuple[int, ...]
    median: tuple[int, ...]
    high: tuple[int, ...]
    cash_today_cents: int
    receipts_low_cents: int
    receipts_median_cents: int
    receipts_high_cents: int
    outflows_cents: int
    below_zero: Crossing | None
    below_floor: Crossing | None
    # The money still owed on the last day if nothing changes: the median and the
    # 90th-percentile shortfall of the futures.
    debt_median_cents: int
    debt_high_cents: int
    history_days: int


def _future_receipts(
    history: Sequence[int], n_days: int, rng: np.random.Generator, paths: int
) -> np.ndarray:
    """``paths`` futures of ``n_days`` daily receipts, drawn as whole weeks of the history."""
    if not history or n_days == 0:
        return np.zeros((paths, n_days), dtype=np.int64)
    days = np.asarray(history[-HISTORY_DAYS:], dtype=np.int64)
    n_blocks = -(-n_days // BLOCK_DAYS)
    # A block may start anywhere; it wraps at the end, so every day is drawn as often.
    starts = rng.integers(0, len(days), size=(paths, n_blocks))
    offsets = np.arange(BLOCK_DAYS)
    index = (starts[:, :, None] + offsets) % len(days)
    drawn: np.ndarray = days[index].reshape(paths, n_blocks * BLOCK_DAYS)[:, :n_days]
    return drawn


def _crossing(cash: np.ndarray, threshold: int, days: Sequence[dt.date]) -> Crossing | None:
    below = cash < threshold
    ever = below.any(axis=1)
    if not ever.any():
        return None
    first = np.where(ever, below.argmax(axis=1), len(days))
    # crossed[d]: the share of futures that have fallen below by the end of day d.
    crossed = np.bincount(first, minlength=len(days) + 1)[: len(days)].cumsum() / len(cash)
    for level, likely in ((LIKELY, True), (POSSIBLE, False)):
        hit = np.flatnonzero(crossed >= level)
        if hit.size:
            d = int(hit[0])
            return Crossing(threshold, days[d], float(crossed[d]), likely, float(ever.mean()))
    return None


def forecast(
    *,
    first_day: dt.date,
    last_day: dt.date,
    cash_today_cents: int,
    history: Sequence[int],
    outflows: Mapping[dt.date, int],
    floor_cents: int = 0,
    paths: int = PATHS,
    seed: int = 0,
) -> Forecast:
    """Cash at the end of each day from ``first_day`` to ``last_day`` (included), starting
    from ``cash_today_cents``. ``history``: net receipts per day, oldest first, ending the day
    before ``first_day``; ``outflows``: the payments due each day (overdue ones on the first).
    ``seed`` makes the same inputs give the same forecast, so a page does not flicker."""
    days = tuple(first_day + dt.timedelta(days=i) for i in range((last_day - first_day).days + 1))
    n = len(days)
    rng = np.random.default_rng(seed)
    receipts = _future_receipts(history, n, rng, paths)
    out = np.array([outflows.get(d, 0) for d in days], dtype=np.int64)
    cash = cash_today_cents + np.cumsum(receipts - out, axis=1)
    low, median, high = (np.percentile(cash, q, axis=0) for q in (10, 50, 90))
    totals = receipts.sum(axis=1)
    end = cash[:, -1] if n else np.full(paths, cash_today_cents)
    shortfall = np.maximum(0, -end)
    return Forecast(
        first_day=first_day,
        days=days,
        low=tuple(int(v) for v in low),
        median=tuple(int(v) for v in median),
        high=tuple(int(v) for v in high),
        cash_today_cents=cash_today_cents,
        receipts_low_cents=int(np.percentile(totals, 10)),
        receipts_median_cents=int(np.percentile(totals, 50)),
        receipts_high_cents=int(np.percentile(totals, 90)),
        outflows_cents=int(out.sum()),
        below_zero=_crossing(cash, 0, days),
        below_floor=_crossing(cash, floor_cents, days) if floor_cents > 0 else None,
        debt_median_cents=int(np.percentile(shortfall, 50)),
        debt_high_cents=int(np.percentile(shortfall, 90)),
        history_days=min(len(history), HISTORY_DAYS),
    )


@dataclass(frozen=True)
class GoalOutlook:
    """Where a fundraising total is likely to stand on its deadline, and the chance it
    reaches its target: the share of futures that do."""

    chance: float
    low_cents: int
    median_cents: int
    high_cents: int


def goal_outlook(
    *,
    history: Sequence[int],
    days_left: int,
    raised_cents: int,
    target_cents: int,
    paths: int = PATHS,
    seed: int = 0,
) -> GoalOutlook:
    receipts = _future_receipts(history, max(days_left, 0), np.random.default_rng(seed), paths)
    totals = raised_cents + receipts.sum(axis=1)
    return GoalOutlook(
        chance=float((totals >= target_cents).mean()),
        low_cents=int(np.percentile(totals, 10)),
        median_cents=int(np.percentile(totals, 50)),
        high_cents=int(np.percentile(totals, 90)),
    )

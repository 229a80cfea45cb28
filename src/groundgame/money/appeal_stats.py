"""An appeal's return with its uncertainty.

What an appeal raised is noisy: a few large gifts make most of it, and the same appeal sent
again would not raise the same. So the return is not a bare ratio but a distribution, drawn
by resampling the appeal's own donors (a Poisson bootstrap: each donor counts 0, 1, 2...
times, as if the appeal had reached another crowd like them). The people its unsubscribes cut
off are resampled the same way, each valued at what they would have given by election day at
their own pace of the past year. For many donors the sum of the draws is normal by the
central limit theorem, with the mean and variance of a compound Poisson (the count of gifts
Poisson, their sizes the appeal's own), which is what the draws are taken from instead of
resampling a hundred thousand donors two thousand times.

Amounts stay integer cents in and out; floats are the draws' arithmetic only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DRAWS = 2_000
# Up to this many values the bootstrap resamples them; above it the normal model is used.
RESAMPLED_AT_MOST = 2_000
# "Likely negative": the net is below zero in at least this share of the draws.
LIKELY = 0.5
LOW, HIGH = 5, 95  # percentiles of the interval (a 90% interval)
YEAR_DAYS = 365


@dataclass(frozen=True)
class Return:
    raised_cents: int
    donors: int
    cost_cents: int
    churn_cents: int
    net_low_cents: int
    net_mid_cents: int
    net_high_cents: int
    roi_low: float | None
    roi_mid: float | None
    roi_high: float | None
    loss_probability: float

    @property
    def net_cents(self) -> int:
        return self.raised_cents - self.cost_cents - self.churn_cents

    @property
    def likely_loss(self) -> bool:
        return self.loss_probability >= LIKELY


def future_giving_cents(*, given_last_year_cents: int, days_left: int) -> int:
    """What a person would have given from now to the end (``days_left``), at the pace of
    their own giving over the past year."""
    if given_last_year_cents <= 0 or days_left <= 0:
        return 0
    return given_last_year_cents * days_left // YEAR_DAYS


def _sums(values: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    """``DRAWS`` resampled totals of ``values``."""
    if not values:
        return np.zeros(DRAWS)
    x = np.asarray(values, dtype=np.float64)
    if len(x) <= RESAMPLED_AT_MOST:
        weights = rng.poisson(1.0, size=(DRAWS, len(x)))
        return np.asarray(weights @ x, dtype=np.float64)
    # Compound Poisson: the total's mean is the sum, its variance the sum of squares.
    return rng.normal(float(x.sum()), float(np.sqrt((x * x).sum())), size=DRAWS)


def appeal_return(
    *,
    gifts_by_donor: Sequence[int],
    cost_cents: int,
    churn_by_person: Sequence[int],
    seed: int,
) -> Return:
    """The return of an appeal from each donor's total (cents), its cost, and the expected
    future giving of each person it lost. ``seed`` makes a refresh reproducible."""
    rng = np.random.default_rng(seed)
    nets = _sums(gifts_by_donor, rng) - cost_cents - _sums(churn_by_person, rng)
    low, mid, high = np.percentile(nets, [LOW, 50, HIGH])
    roi: list[float | None] = (
        [float(v / cost_cents) for v in (low, mid, high)] if cost_cents else [None] * 3
    )
    return Return(
        raised_cents=sum(gifts_by_donor),
        donors=len(gifts_by_donor),
        cost_cents=cost_cents,
        churn_cents=sum(churn_by_person),
        net_low_cents=round(float(low)),
        net_mid_cents=round(float(mid)),
        net_high_cents=round(float(high)),
        roi_low=roi[0],
        roi_mid=roi[1],
        roi_high=roi[2],
        loss_probability=float((nets < 0).mean()),
    )

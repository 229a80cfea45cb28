"""Lift: what a program did, read against its holdout, with intervals.

The intent-to-treat effect is the difference in the outcome's rate between the people
assigned to the program and those held out, estimated by least squares of the outcome on
the assignment with standard errors robust to clustering by household (statsmodels'
cluster-robust covariance): the households were drawn, not the people, and people at one
address vote alike, so an interval that treats them as independent is too narrow. The naive
interval (independent people) is kept beside it for comparison, as ``groundgame bench
lift`` shows over many simulated experiments.

Where contact is recorded (a canvass result says who was reached), the complier effect is the
intent-to-treat effect divided by the share of the assigned who were reached: the held-out
were reached by nobody, so this is the Wald estimator of the effect on those the program
reached; its interval divides the intent-to-treat interval the same way (the contact rate
taken as known, which is close when thousands were assigned).

The power calculator says, before a program runs, how many households it needs to see its
target effect at the universe's base rate (a two-sided 5% test with 80% power), with the
design effect of people clustered in households.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import statsmodels.api as sm

Z95 = NormalDist().inv_cdf(0.975)
Z_POWER = NormalDist().inv_cdf(0.80)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def points(self) -> str:
        """The interval in percentage points, for people to read."""
        return f"{100 * self.low:+.2f} to {100 * self.high:+.2f} points"


def points(share: float) -> str:
    return f"{100 * share:+.2f} points"


@dataclass(frozen=True)
class Estimate:
    """An intent-to-treat effect (a difference of rates, as a fraction) and its intervals."""

    effect: float
    interval: Interval  # 95%, robust to household clustering
    naive: Interval  # 95%, as if people were independent
    assigned: int
    held_out: int
    assigned_rate: float
    held_out_rate: float
    households: int

    @property
    def significant(self) -> bool:
        return not self.interval.covers(0.0)

    @property
    def effect_points(self) -> str:
        return points(self.effect)


def estimate(y: Any, assigned: Any, households: Any) -> Estimate:
    """The intent-to-treat effect of ``assigned`` (1: in the program, 0: held out) on the 0/1
    outcome ``y``, people grouped in ``households``."""
    y = np.asarray(y, dtype=float)
    treat = np.asarray(assigned, dtype=float)
    groups = np.unique(np.asarray(households), return_inverse=True)[1]
    design = np.column_stack([np.ones_like(treat), treat])
    model = sm.OLS(y, design)
    robust = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    naive = model.fit()
    effect = float(robust.params[1])
    low, high = robust.conf_int(alpha=0.05)[1]
    n_low, n_high = naive.conf_int(alpha=0.05)[1]
    in_program = treat == 1
    return Estimate(
        effect=effect,
        interval=Interval(float(low), float(high)),
        naive=Interval(float(n_low), float(n_high)),
        assigned=int(in_program.sum()),
        held_out=int((~in_program).sum()),
        assigned_rate=float(y[in_program].mean()) if in_program.any() else 0.0,
        held_out_rate=float(y[~in_program].mean()) if (~in_program).any() else 0.0,
        households=int(groups.max()) + 1 if len(groups) else 0,
    )


@dataclass(frozen=True)
class ComplierEffect:
    contact_rate: float  # of the people assigned, the share reached
    effect: float
    interval: Interval

    @property
    def effect_points(self) -> str:
        return points(self.effect)


def complier_effect(itt: Estimate, *, reached: int) -> ComplierEffect | None:
    """The effect on those reached (``reached`` of the people assigned), or None when no
    contact was recorded."""
    if not reached or not itt.assigned:
        return None
    rate = reached / itt.assigned
    return ComplierEffect(
        contact_rate=rate,
        effect=itt.effect / rate,
        interval=Interval(itt.interval.low / rate, itt.interval.high / rate),
    )


def intraclass_correlation(y: Any, households: Any) -> float:
    """The share of the outcome's variance that households have in common (the one-way
    ANOVA estimator, with unequal household sizes), clipped to [0, 1]."""
    y = np.asarray(y, dtype=float)
    groups = np.unique(np.asarray(households), return_inverse=True)[1]
    k = int(groups.max()) + 1 if len(groups) else 0
    n = len(y)
    if k < 2 or n <= k:
        return 0.0
    sizes = np.bincount(groups, minlength=k).astype(float)
    means = np.bincount(groups, weights=y, minlength=k) / sizes
    grand = y.mean()
    between = float((sizes * (means - grand) ** 2).sum()) / (k - 1)
    within = float(((y - means[groups]) ** 2).sum()) / (n - k)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    if between + (n0 - 1) * within <= 0:
        return 0.0
    return min(1.0, max(0.0, (between - within) / (between + (n0 - 1) * within)))


@dataclass(frozen=True)
class Power:
    base_rate: float
    effect: float  # the target, as a fraction
    holdout: float  # share held out
    people_per_household: float
    icc: float
    households_needed: int
    households: int  # the program's
    detectable: float  # the smallest effect its households can see (80% power, 5% test)

    @property
    def enough(self) -> bool:
        return self.households >= self.households_needed

    @property
    def effect_points(self) -> str:
        return f"{100 * self.effect:.2f} points"

    @property
    def detectable_points(self) -> str:
        return f"{100 * self.detectable:.2f} points"


def power(
    *,
    base_rate: float,
    effect: float,
    holdout: float,
    people_per_household: float,
    icc: float,
    households: int,
) -> Power:
    """Households needed to detect ``effect`` at ``base_rate`` with ``holdout`` held out,
    and the smallest effect ``households`` can detect."""
    p = min(max(base_rate, 0.01), 0.99)
    m = max(people_per_household, 1.0)
    design = 1 + (m - 1) * icc
    variance = p * (1 - p) * design / (holdout * (1 - holdout))
    people = (Z95 + Z_POWER) ** 2 * variance / effect**2
    needed = math.ceil(people / m)
    detectable = (
        (Z95 + Z_POWER) * math.sqrt(variance / (households * m)) if households else math.inf
    )
    return Power(
        base_rate=base_rate,
        effect=effect,
        holdout=holdout,
        people_per_household=people_per_household,
        icc=icc,
        households_needed=needed,
        households=households,
        detectable=detectable,
    )

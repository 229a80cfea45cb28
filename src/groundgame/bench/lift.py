"""Coverage of the lift interval: simulated experiments with a known effect.

Each replication draws ``--households`` households of 1 to 4 voters (1.8 on average), holds
out ``--holdout`` of them at random, and draws turnout at ``--base`` in the holdout and
``--base`` + ``--effect`` in the program. Voters of one household vote alike: each copies a
coin tossed for the household with probability ``--rho``, else tosses their own, so every
voter's chance is exactly their side's rate while households are correlated. The app's own
estimator (``insights.lift.estimate``) reads each experiment; the figure is the share of the
95% intervals that cover the true effect, with household clustering and, as the baseline in
the same run, as if voters were independent.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np

from groundgame.insights import lift

# Household sizes 1-4 and their shares: 1.8 voters per household on average.
SIZES = np.array([1, 2, 3, 4])
SIZE_SHARES = np.array([0.40, 0.45, 0.10, 0.05])


def simulate(
    rng: np.random.Generator,
    *,
    households: int,
    holdout: float,
    base: float,
    effect: float,
    rho: float,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(outcome, assigned, household) of one simulated experiment's voters."""
    sizes = rng.choice(SIZES, size=households, p=SIZE_SHARES)
    in_program = rng.permutation(households) >= round(households * holdout)
    rate = np.where(in_program, base + effect, base)
    household_coin = rng.random(households) < rate
    household = np.repeat(np.arange(households), sizes)
    voter_rate = rate[household]
    own_coin = rng.random(len(household)) < voter_rate
    copies = rng.random(len(household)) < rho
    voted = np.where(copies, household_coin[household], own_coin)
    return voted.astype(float), in_program[household].astype(float), household


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = np.random.default_rng(args.seed)
    covered = naive_covered = 0
    effects, widths, naive_widths, voters = [], [], [], []
    started = time.perf_counter()
    for r in range(args.replications):
        y, assigned, household = simulate(
            rng,
            households=args.households,
            holdout=args.holdout,
            base=args.base,
            effect=args.effect,
            rho=args.rho,
        )
        est = lift.estimate(y, assigned, household)
        covered += est.interval.covers(args.effect)
        naive_covered += est.naive.covers(args.effect)
        effects.append(est.effect)
        widths.append(est.interval.high - est.interval.low)
        naive_widths.append(est.naive.high - est.naive.low)
        voters.append(len(y))
        if (r + 1) % 100 == 0:
            print(f"bench lift: {r + 1}/{args.replications}", file=sys.stderr, flush=True)
    n = args.replications
    first = simulate(
        np.random.default_rng(args.seed),
        households=args.households,
        holdout=args.holdout,
        base=args.base,
        effect=args.effect,
        rho=args.rho,
    )
    return {
        "replications": n,
        "households": args.households,
        "voters_per_household": round(float(np.mean(voters)) / args.households, 3),
        "holdout": args.holdout,
        "base_rate": args.base,
        "true_effect": args.effect,
        "household_intraclass_correlation": round(
            lift.intraclass_correlation(first[0], first[2]), 3
        ),
        "mean_effect_estimated": round(float(np.mean(effects)), 5),
        "coverage_clustered": round(covered / n, 4),
        "coverage_naive": round(naive_covered / n, 4),
        "coverage_standard_error": round(float(np.sqrt(0.95 * 0.05 / n)), 4),
        "mean_width_clustered_points": round(100 * float(np.mean(widths)), 3),
        "mean_width_naive_points": round(100 * float(np.mean(naive_widths)), 3),
        "width_ratio_clustered_to_naive": round(float(np.mean(widths) / np.mean(naive_widths)), 3),
        "seconds": round(time.perf_counter() - started, 1),
    }

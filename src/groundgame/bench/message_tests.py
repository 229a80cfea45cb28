"""Does the message tests' rule hold its error rate when staff look after every batch?

``groundgame bench message-tests`` simulates A/A tests: two variants with the same true rate
(``--rate``, a click rate), ``--batch`` recipients more per variant at each of ``--looks``
looks. Each test is read after every batch by three rules:

- the naive habit: a two-proportion z-test at every look, the first p < 0.05 names a winner;
- the always-valid rule the product uses (``insights.message_tests_rule``, a mixture
  sequential probability ratio test), read at every look;
- a pre-registered fixed horizon: one z-test at the last look only.

Any winner in an A/A test is false, so each rule's share of tests with a winner is its false
winner rate; the naive one is the baseline measured in the same run. The same is then done
with a real difference (``--lift`` points), to show what the always-valid rule pays for its
guarantee: how often, and after how many recipients, it finds the real winner.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from typing import Any

import numpy as np

from groundgame.insights import message_tests_rule as rule


def _naive_significant(a: rule.Arm, b: rule.Arm, alpha: float) -> bool:
    interval = rule.fixed_interval(a, b, alpha=alpha)
    return interval.excludes_zero


def _simulate(
    generator: np.random.Generator,
    *,
    rates: tuple[float, float],
    batch: int,
    looks: int,
    tests: int,
    alpha: float,
) -> dict[str, Any]:
    naive = sequential = fixed = 0
    stopped_at: list[int] = []
    for _ in range(tests):
        hits = generator.binomial(batch, rates, size=(looks, 2)).cumsum(axis=0)
        naive_hit = sequential_hit = False
        for look in range(looks):
            n = batch * (look + 1)
            a = rule.Arm.of_rate(n, int(hits[look, 0]))
            b = rule.Arm.of_rate(n, int(hits[look, 1]))
            if not naive_hit and _naive_significant(a, b, alpha):
                naive_hit = True
            if not sequential_hit and rule.decide([a, b], alpha=alpha).winner is not None:
                sequential_hit = True
                stopped_at.append(n)
        last = batch * looks
        end = [rule.Arm.of_rate(last, int(hits[-1, i])) for i in (0, 1)]
        naive += naive_hit
        sequential += sequential_hit
        fixed += (
            rule.decide(end, rule=rule.Rule.FIXED, planned_per_arm=last, alpha=alpha).winner
            is not None
        )
    return {
        "naive_peeking": naive / tests,
        "always_valid": sequential / tests,
        "fixed_horizon": fixed / tests,
        "median_recipients_per_variant_at_decision": (
            statistics.median(stopped_at) if stopped_at else None
        ),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    generator = np.random.default_rng(args.seed)
    common = {"batch": args.batch, "looks": args.looks, "tests": args.tests, "alpha": args.alpha}
    print(f"{args.tests} A/A tests, {args.looks} looks of {args.batch}...", file=sys.stderr)
    null = _simulate(generator, rates=(args.rate, args.rate), **common)
    print(f"{args.tests} A/B tests with a {args.lift} point lift...", file=sys.stderr)
    real = _simulate(generator, rates=(args.rate + args.lift / 100, args.rate), **common)
    return {
        "setup": {
            "rate": args.rate,
            "recipients_per_variant_per_look": args.batch,
            "looks": args.looks,
            "tests": args.tests,
            "alpha": args.alpha,
            "seed": args.seed,
        },
        "aa_false_winner_rate": {
            "naive_peeking": null["naive_peeking"],
            "always_valid": null["always_valid"],
            "fixed_horizon": null["fixed_horizon"],
            # The baseline over the rule: how many times more false winners peeking names.
            "naive_over_always_valid": (
                round(null["naive_peeking"] / null["always_valid"], 2)
                if null["always_valid"]
                else math.inf
            ),
            "always_valid_within_alpha": null["always_valid"] <= args.alpha,
        },
        "ab_true_winner_rate": {
            "lift_points": args.lift,
            "always_valid": real["always_valid"],
            "fixed_horizon": real["fixed_horizon"],
            "median_recipients_per_variant_at_decision": real[
                "median_recipients_per_variant_at_decision"
            ],
        },
    }

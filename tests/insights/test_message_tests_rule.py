"""The rule that decides message tests: its confidence sequence holds its error rate when a
test with no difference is read after every batch, where peeking at p < 0.05 does not; a
fixed-size test decides nothing before its size; and the intervals behave as intervals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.insights import message_tests_rule as rule


def _aa_false_winners(tests: int, looks: int, batch: int, rate: float) -> tuple[float, float]:
    generator = np.random.default_rng(7)
    naive = sequential = 0
    for _ in range(tests):
        hits = generator.binomial(batch, (rate, rate), size=(looks, 2)).cumsum(axis=0)
        peeked = stopped = False
        for look in range(looks):
            n = batch * (look + 1)
            arms = [rule.Arm.of_rate(n, int(hits[look, i])) for i in (0, 1)]
            peeked = peeked or rule.fixed_interval(*arms).excludes_zero
            stopped = stopped or rule.decide(arms).winner is not None
        naive += peeked
        sequential += stopped
    return naive / tests, sequential / tests


def test_reading_after_every_batch_keeps_false_winners_under_alpha() -> None:
    naive, sequential = _aa_false_winners(tests=300, looks=30, batch=400, rate=0.05)
    assert sequential <= rule.ALPHA
    # Peeking names several times more false winners than the 5% it promises.
    assert naive > 3 * rule.ALPHA


def test_a_real_difference_is_found() -> None:
    a = rule.Arm.of_rate(20_000, 1_400)  # 7%
    b = rule.Arm.of_rate(20_000, 1_000)  # 5%
    decision = rule.decide([a, b])
    assert decision.winner == 0
    assert decision.intervals[(0, 1)].low > 0 > decision.intervals[(1, 0)].high


def test_a_fixed_size_test_decides_nothing_before_its_size() -> None:
    a = rule.Arm.of_rate(5_000, 500)
    b = rule.Arm.of_rate(5_000, 250)
    early = rule.decide([a, b], rule=rule.Rule.FIXED, planned_per_arm=10_000)
    assert early.winner is None
    assert "10,000" in early.reason
    done = rule.decide(
        [rule.Arm.of_rate(10_000, 1_000), rule.Arm.of_rate(10_000, 500)],
        rule=rule.Rule.FIXED,
        planned_per_arm=10_000,
    )
    assert done.winner == 0


@pytest.mark.parametrize("size", [0, 1, 100])
def test_no_winner_while_nothing_tells_the_arms_apart(size: int) -> None:
    # Before anyone is sent it (0), with one recipient, or with nobody having the outcome.
    for test_rule in (rule.Rule.SEQUENTIAL, rule.Rule.FIXED):
        decision = rule.decide(
            [rule.Arm.of_rate(size, 0), rule.Arm.of_rate(size, 0)],
            rule=test_rule,
            planned_per_arm=size or 1,
        )
        assert decision.winner is None
        assert not decision.intervals[(0, 1)].known


@given(
    n_a=st.integers(min_value=2, max_value=100_000),
    n_b=st.integers(min_value=2, max_value=100_000),
    p_a=st.floats(min_value=0.01, max_value=0.99),
    p_b=st.floats(min_value=0.01, max_value=0.99),
)
# Timing checks would fail on a busy machine; each example itself is cheap.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_always_valid_interval_holds_the_estimate_and_is_wider_than_one_look(
    n_a: int, n_b: int, p_a: float, p_b: float
) -> None:
    a = rule.Arm.of_rate(n_a, round(n_a * p_a))
    b = rule.Arm.of_rate(n_b, round(n_b * p_b))
    valid = rule.always_valid_interval(a, b)
    once = rule.fixed_interval(a, b)
    if not valid.known:
        return
    assert valid.low <= valid.estimate <= valid.high
    assert valid.low <= once.low
    assert once.high <= valid.high
    # Swapping the arms mirrors the interval.
    swapped = rule.always_valid_interval(b, a)
    assert abs(swapped.low + valid.high) < 1e-9
    assert abs(swapped.high + valid.low) < 1e-9

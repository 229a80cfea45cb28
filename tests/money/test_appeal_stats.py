"""The return of an appeal: an interval that holds the truth as often as it says, a loss
probability that follows the evidence, and churn that counts as money lost."""

from __future__ import annotations

import numpy as np
import pytest

from groundgame.money import appeal_stats


def test_a_clear_winner_and_a_clear_loser():
    winner = appeal_stats.appeal_return(
        gifts_by_donor=[25_00] * 400, cost_cents=1_000_00, churn_by_person=[], seed=1
    )
    assert winner.raised_cents == 10_000_00
    assert winner.loss_probability == 0.0
    assert winner.roi_low is not None
    assert winner.roi_low > 5
    loser = appeal_stats.appeal_return(
        gifts_by_donor=[25_00] * 10, cost_cents=1_000_00, churn_by_person=[], seed=1
    )
    assert loser.loss_probability == 1.0
    assert loser.likely_loss


def test_churn_turns_a_winner_into_a_likely_loss():
    """An appeal that raises more than it costs but drives away steady donors loses money
    once their future giving is counted."""
    gifts = [50_00] * 40  # $2,000 raised
    alone = appeal_stats.appeal_return(
        gifts_by_donor=gifts, cost_cents=500_00, churn_by_person=[], seed=2
    )
    lost = [appeal_stats.future_giving_cents(given_last_year_cents=240_00, days_left=180)] * 20
    with_churn = appeal_stats.appeal_return(
        gifts_by_donor=gifts, cost_cents=500_00, churn_by_person=lost, seed=2
    )
    assert not alone.likely_loss
    assert with_churn.churn_cents == 20 * (240_00 * 180 // 365)
    assert with_churn.likely_loss
    assert with_churn.net_cents == 2_000_00 - 500_00 - with_churn.churn_cents


def test_one_large_gift_widens_the_interval():
    steady = appeal_stats.appeal_return(
        gifts_by_donor=[10_00] * 100, cost_cents=500_00, churn_by_person=[], seed=3
    )
    lumpy = appeal_stats.appeal_return(
        gifts_by_donor=[1_00] * 99 + [901_00], cost_cents=500_00, churn_by_person=[], seed=3
    )
    assert steady.raised_cents == lumpy.raised_cents
    assert (lumpy.net_high_cents - lumpy.net_low_cents) > 3 * (
        steady.net_high_cents - steady.net_low_cents
    )
    assert 0.05 < lumpy.loss_probability < 0.5


@pytest.mark.slow
def test_the_interval_covers_the_appeals_true_return_nine_times_in_ten():
    """Crowds of donors drawn from one known appeal (Poisson many, lognormal gifts): the 90%
    interval of each crowd's net holds the appeal's expected net about nine times in ten."""
    rng = np.random.default_rng(7)
    mean_donors, median_gift, cost = 300, 20_00, 5_000_00
    expected_net = mean_donors * median_gift * np.exp(0.5) - cost
    trials = 200
    covered = 0
    for i in range(trials):
        gifts = rng.lognormal(np.log(median_gift), 1.0, size=rng.poisson(mean_donors))
        estimate = appeal_stats.appeal_return(
            gifts_by_donor=[int(v) for v in gifts], cost_cents=cost, churn_by_person=[], seed=i
        )
        covered += estimate.net_low_cents <= expected_net <= estimate.net_high_cents
    assert 0.8 * trials <= covered <= 0.97 * trials


def test_many_donors_use_the_compound_poisson_model_with_the_same_center():
    gifts = [20_00] * 50_000 + [500_00] * 500
    result = appeal_stats.appeal_return(
        gifts_by_donor=gifts, cost_cents=100_000_00, churn_by_person=[], seed=4
    )
    assert abs(result.net_mid_cents - result.net_cents) < 0.01 * result.raised_cents
    assert result.net_low_cents < result.net_cents < result.net_high_cents

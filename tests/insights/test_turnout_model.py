"""The projection's promises: the interval holds the projection, no total falls below the
ballots already cast, and the interval widens as the early share moves."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.insights.turnout_model import History, histories, project

shares = st.floats(min_value=0.02, max_value=1.0)
moves = st.floats(min_value=0.0, max_value=2.0)
# Pure arithmetic: a slow draw means a busy machine, not a slow strategy.
patient = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@patient
@given(
    early=st.integers(min_value=1, max_value=2_000_000),
    last_total=st.integers(min_value=100, max_value=3_000_000),
    share=shares,
    move=moves,
    spread=st.floats(min_value=0.02, max_value=0.5),
)
def test_the_interval_holds_the_projection_and_never_falls_below_the_early_ballots(
    early: int, last_total: int, share: float, move: float, spread: float
) -> None:
    p = project(
        county_fips="37063",
        early_ballots=early,
        history=History(last_total=last_total, last_share=share, share_shift=move),
        growth_sd=spread,
    )
    assert early <= p.lo80 <= p.projected_total <= p.hi80


@patient
@given(
    early=st.integers(min_value=1_000, max_value=500_000),
    share=st.floats(min_value=0.1, max_value=0.9),
    small=moves,
    extra=st.floats(min_value=0.01, max_value=2.0),
)
def test_a_share_that_moved_more_widens_the_interval(
    early: int, share: float, small: float, extra: float
) -> None:
    def width(move: float) -> float:
        history = History(last_total=round(early / share), last_share=share, share_shift=move)
        p = project(county_fips="37063", early_ballots=early, history=history, growth_sd=0.1)
        return (p.hi80 - p.lo80) / p.projected_total

    assert width(small + extra) >= width(small) - 1e-9


def test_an_early_count_far_from_the_history_counts_for_less():
    history = History(last_total=100_000, last_share=0.4, share_shift=0.0)
    usual = project(county_fips="1", early_ballots=40_000, history=history, growth_sd=0.1)
    doubled = project(county_fips="1", early_ballots=80_000, history=history, growth_sd=0.1)
    # Twice the early ballots is more likely a share that moved than twice the voters.
    assert doubled.naive_total == 200_000
    assert doubled.projected_total < 140_000
    assert (doubled.hi80 - doubled.lo80) > (usual.hi80 - usual.lo80)


def test_the_history_takes_the_last_presidential_share_and_the_latest_move():
    totals = {(2016, "37063"): 150_000, (2020, "37063"): 180_000}
    ballots = {
        (2016, "37063"): (152_000, 76_000),
        (2018, "37063"): (120_000, 60_000),
        (2020, "37063"): (182_000, 91_000),
    }
    history = histories(totals=totals, ballots=ballots, year=2024)["37063"]
    assert history.last_total == 180_000
    assert history.last_share == 0.5
    assert history.share_shift == 0.0
    # A 2016 count far from the presidential votes (a placeholder) is no share.
    ballots[(2016, "37063")] = (72, 10)
    assert histories(totals=totals, ballots=ballots, year=2020)["37063"].last_share is None

"""The historical error sizes: read from 538's raw polls, and the bundled copy the desk uses
without them kept equal to what the file says."""

from __future__ import annotations

import pytest

from groundgame.insights import polls_history
from tests.helpers import shared_data


def test_the_bundled_sizes_are_the_files() -> None:
    path = shared_data("polls", "raw_polls_with_results_538_2023release.csv")
    sizes = polls_history.error_sizes(path, before=9999)
    bundled = polls_history.BUNDLED
    assert sizes.years == bundled.years
    assert sizes.common_years == bundled.common_years
    for name in ("common", "state", "poll"):
        assert getattr(sizes, name) == pytest.approx(getattr(bundled, name), abs=0.005)


def test_a_backtest_year_learns_only_from_the_years_before() -> None:
    path = shared_data("polls", "raw_polls_with_results_538_2023release.csv")
    before_2016 = polls_history.error_sizes(path, before=2016)
    before_2020 = polls_history.error_sizes(path, before=2020)
    assert before_2016.years == (2000, 2004, 2008, 2012)
    assert before_2020.years == (2000, 2004, 2008, 2012, 2016)
    assert before_2016.common_years == tuple(range(1998, 2015, 2))
    # 2016's polls missed every state the same way: the common error grows once it is known.
    assert before_2020.common > before_2016.common


def test_the_2020_polls_of_the_final_weeks() -> None:
    path = shared_data("polls", "raw_polls_with_results_538_2023release.csv")
    polls = polls_history.raw_presidential_polls(path, year=2020)
    assert {(p.dem_candidate, p.rep_candidate) for p in polls} == {("Biden", "Trump")}
    assert min(p.end_date for p in polls).isoformat() >= "2020-10-13"
    assert "" in {p.state for p in polls}

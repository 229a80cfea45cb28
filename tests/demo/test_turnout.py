"""The demo's election desk: the returns loaded when the data is there, synthetic early
ballots for the teams' counties, and a clear line when it is not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from groundgame.demo import turnout
from groundgame.insights import selectors
from tests.insights.election_files import write_files

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_returns_and_records_early_ballots(
    campaign: Any, tmp_path: Path
) -> None:
    folder = write_files(tmp_path / "elections")
    line = turnout.election_desk_create(seed=1, data_dir=folder)
    assert "early ballots of 3 counties recorded" in line
    states = selectors.turnout_vs_goal()
    assert [(s.state, s.counties) for s in states] == [("NC", 3)]
    # A second start changes nothing (and keeps counts staff recorded since).
    assert "already there" in turnout.election_desk_create(seed=2, data_dir=folder)
    assert selectors.turnout_vs_goal() == states


def test_without_the_data_the_demo_says_where_it_looked(campaign: Any, tmp_path: Path) -> None:
    line = turnout.election_desk_create(seed=1, data_dir=tmp_path / "none")
    assert f"no public data at {tmp_path / 'none'}" in line
    assert not selectors.results_loaded()

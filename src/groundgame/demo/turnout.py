"""The election desk in the demo: the public returns loaded when the data set lies beside the
project, and synthetic early ballots for the counties the demo's teams cover, so that the
turnout page has a projection to show, and turnout goals for the dashboard. The early ballots
are made up: each county's last presidential total times its last early share, times a random
factor between 0.7 and 1."""

from __future__ import annotations

import random
from pathlib import Path

from groundgame.insights import selectors as insights
from groundgame.insights import services as insights_services
from groundgame.organizing import selectors as organizing

GOAL_RISE = 1.10


def election_desk_create(*, seed: int, data_dir: Path | None = None) -> str:
    """Load the public election files if they are there and not loaded yet, then record the
    demo's early ballots; returns what was done, in one line."""
    folder = data_dir or insights.election_data_dir()
    if not folder.is_dir():
        return f"election desk: no public data at {folder}; its pages say how to load it"
    if not insights.results_loaded():
        insights_services.election_files_load(actor=None, data_dir=folder)
    year = insights.election_year()
    if insights.early_votes_recorded(year):
        return "election desk: returns and early ballots already there"
    counties = sorted(organizing.coverage_map())
    held = insights.turnout_histories(year, counties)
    rng = random.Random(seed)
    rows = [
        (fips, round(h.last_total * h.last_share * rng.uniform(0.7, 1.0)))
        for fips, h in sorted(held.items())
        if h.last_share
    ]
    if rows:
        text = "county_fips,early_ballots\n" + "".join(f"{f},{n}\n" for f, n in rows)
        insights_services.early_votes_import(actor=None, year=year, text=text)
    # Goals: a tenth above the last election in the counties the campaign works.
    for state in insights.turnout_projection(year).states:
        insights_services.turnout_goal_set(
            actor=None, year=year, state=state.name, ballots=round(state.last_total * GOAL_RISE)
        )
    return f"election desk: returns loaded, early ballots of {len(rows)} counties recorded"

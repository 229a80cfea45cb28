"""Series the people app offers to the health dashboard (aggregates, no personal data)."""

from __future__ import annotations

from groundgame.core.metrics import Metric
from groundgame.people import selectors

BALLOTS_BY_STATE_YEAR = Metric(
    "people.ballots_by_state_year",
    "ballots",
    "state",
    "Ballots cast by the file's voters in each general election",
)
VOTERS_BY_STATE = Metric("people.voters_by_state", "voters", "state", "Registered voters on file")


def ballots_by_state_year() -> dict[tuple[str, int], int]:
    return selectors.ballots_by_state_year()


def voters_by_state() -> dict[str, int]:
    return selectors.voters_by_state()

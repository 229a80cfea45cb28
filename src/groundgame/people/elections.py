"""The general elections a voter's turnout propensity is read from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# The last three presidential general elections. ``VoterRecord.general_votes`` counts the
# ballots a voter cast in these: 0-3, the propensity bucket universes filter on.
PRESIDENTIAL_GENERALS = (dt.date(2016, 11, 8), dt.date(2020, 11, 3), dt.date(2024, 11, 5))


def general_votes(election_dates: Iterable[dt.date]) -> int:
    """How many of the last three presidential generals these ballots include."""
    return len(set(election_dates) & set(PRESIDENTIAL_GENERALS))

"""The early-vote turnout projection of one county: its final total with an 80% interval.

Early ballots alone say little: a county's total is its early ballots divided by the share
that votes early, and that share moves between elections (2016 to 2020 it doubled in many
states; 2020 to 2024 it fell back, which made strong-looking early counts fall short). So the
projection weighs two readings of the county's total, on a log scale:

- its history: the last presidential total, give or take how much county totals have moved
  between presidential elections (``growth_sd``, measured on the returns the app holds);
- its early ballots divided by its last early share, whose error is how far that share may
  have moved: a base spread, plus the move between the last two elections held, plus the move
  today's early count itself implies against the history. A share that has moved, or an early
  count far from what the history expects, makes the early reading count for less and the
  interval wider, up to the width of the history alone.

Both are normal on the log scale, so the posterior is their precision-weighted mean. A total
is never below the early ballots already cast. The naive projection, early ballots divided by
the last early share, is kept beside it for the backtest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The 80% interval of a normal: 1.2816 standard deviations either side.
Z80 = 1.2816
# The spread of the early share between two elections where nothing changed in the law
# (log scale): a tenth either way.
BASE_SHARE_SD = 0.10


@dataclass(frozen=True)
class History:
    """What the app holds about a county before this election."""

    last_total: int
    last_share: float | None  # early share in the last presidential election held
    share_shift: float  # |log| move of the early share between the last two elections held


@dataclass(frozen=True)
class Projection:
    county_fips: str
    early_ballots: int
    projected_total: int
    lo80: int
    hi80: int
    naive_total: int | None  # early ballots / last early share


def project(
    *,
    county_fips: str,
    early_ballots: int,
    history: History,
    growth_sd: float,
    share_sd: float = BASE_SHARE_SD,
) -> Projection:
    prior_mean = math.log(max(history.last_total, 1))
    prior_var = growth_sd**2
    mean, var = prior_mean, prior_var
    naive = None
    if history.last_share and early_ballots > 0:
        reading = math.log(early_ballots / history.last_share)
        naive = round(early_ballots / history.last_share)
        implied_shift = reading - prior_mean
        reading_var = share_sd**2 + history.share_shift**2 + implied_shift**2
        var = 1 / (1 / prior_var + 1 / reading_var)
        mean = var * (prior_mean / prior_var + reading / reading_var)
    half = Z80 * math.sqrt(var)
    return Projection(
        county_fips=county_fips,
        early_ballots=early_ballots,
        projected_total=max(round(math.exp(mean)), early_ballots),
        lo80=max(round(math.exp(mean - half)), early_ballots),
        hi80=max(round(math.exp(mean + half)), early_ballots),
        naive_total=naive,
    )


def growth_sd(totals: dict[tuple[int, str], int], *, before: int) -> float:
    """The root mean square of the log change of county totals from one presidential election
    to the next, over the pairs of years before ``before`` (what a county's total may do in
    one cycle, national swings in turnout included)."""
    squares = [
        math.log(total / totals[(year - 4, fips)]) ** 2
        for (year, fips), total in totals.items()
        if year < before and total > 0 and totals.get((year - 4, fips), 0) > 0
    ]
    if not squares:
        return 0.15  # no two elections held: a spread as wide as 2016 to 2020's
    return math.sqrt(sum(squares) / len(squares))


def early_share(total: int, early: int, presidential_total: int | None) -> float | None:
    """A county's early share of ballots, or None where the count cannot be trusted: no
    ballots, more early than all, or (in a presidential year) ballots far from the
    presidential votes, as where a state reported a placeholder total."""
    if total <= 0 or early > total:
        return None
    if presidential_total is not None and not 0.8 <= total / max(presidential_total, 1) <= 1.25:
        return None
    return early / total


def histories(
    *,
    totals: dict[tuple[int, str], int],
    ballots: dict[tuple[int, str], tuple[int, int]],
    year: int,
) -> dict[str, History]:
    """Each county's history before ``year``: its total four years earlier, its early share
    in the last presidential election held with ballots by method (``ballots``: (year, fips)
    -> (total, early)), and the move of that share between the last two elections held."""
    shares: dict[str, list[tuple[int, float]]] = {}
    for (held, fips), (total, early) in sorted(ballots.items()):
        if held >= year:
            continue
        share = early_share(total, early, totals.get((held, fips)) if held % 4 == 0 else None)
        if share is not None:
            shares.setdefault(fips, []).append((held, share))
    result = {}
    for (held, fips), total in totals.items():
        if held != year - 4 or total <= 0:
            continue
        known = shares.get(fips, [])
        presidential = [share for held_at, share in known if held_at % 4 == 0]
        last = presidential[-1] if presidential else None
        shift = 0.0
        if len(known) >= 2 and known[-1][1] > 0 and known[-2][1] > 0:
            shift = abs(math.log(known[-1][1] / known[-2][1]))
        result[fips] = History(last_total=total, last_share=last, share_shift=shift)
    return result

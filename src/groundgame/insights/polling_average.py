"""The polling average per state and nationally, with an interval honest about the error
that moves every state together.

As of a date, from the polls that ended on or before it (at most ``WINDOW_DAYS`` earlier) and
ask about the matchup most of them ask about:

1. Each poll gets a weight: recency (half of it every ``HALF_LIFE_DAYS``), sample size (the
   square root, capped so that one huge online panel does not drown the rest), population
   (likely voters over registered voters over adults) and pollster quality (538's letter or
   numeric grade), divided by the square root of how many polls the same pollster has in the
   same place lately, so that a daily tracker counts as one pollster, not as thirty polls.
2. House effects: how far each pollster's margins sit from the others' in the same places,
   estimated across every state at once by a ridge regression (a fixed effect per place, a
   house effect per pollster shrunk towards zero by ``HOUSE_RIDGE``: a pollster with few
   polls keeps a small effect). Each poll's margin is corrected by its pollster's effect.
3. The average of a place is the weighted mean of the corrected shares and margins, each
   poll's undecided voters allocated in proportion to the candidates it names (a poll of
   55 to 35 with 10 undecided reads 61 to 39: lopsided states are not shown closer than
   they will be).
4. The 80% interval on the margin adds four variances: the average's own noise (each poll's
   sampling error for its size plus the non-sampling error polls had in the past), the error
   one state's polls shared in past elections, the error that moved every state together in
   a year (2016 and 2020 erred the same way everywhere), and the movement still possible
   before election day. The historical sizes come from 538's raw polls with their results
   (``polls_history``); an interval from sampling error alone would be far too narrow.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from groundgame.insights.polls_read import PollRecord, presidential_cycle

WINDOW_DAYS = 180
HALF_LIFE_DAYS = 14.0
SAMPLE_REFERENCE = 600  # a poll of this size weighs 1 for its size; also the size assumed
SAMPLE_CAP = 5_000
POPULATION_WEIGHTS = {"lv": 1.0, "v": 0.9, "rv": 0.8, "a": 0.6}
GRADE_WEIGHTS = {
    "A+": 1.0,
    "A": 0.95,
    "A-": 0.9,
    "A/B": 0.85,
    "B+": 0.8,
    "B": 0.75,
    "B-": 0.7,
    "B/C": 0.65,
    "C+": 0.6,
    "C": 0.55,
    "C-": 0.5,
    "C/D": 0.45,
    "D+": 0.4,
    "D": 0.35,
    "D-": 0.3,
}
UNGRADED_WEIGHT = 0.5
FLOOD_DAYS = 30
# The penalty on house effects, in units of poll weight: a pollster whose polls weigh this
# much in all keeps half of its raw effect.
HOUSE_RIDGE = 4.0
BACKFIT_ROUNDS = 500
BACKFIT_TOLERANCE = 1e-6  # points
Z80 = 1.2815515655446004  # the normal quantile of 0.9: 80% of the mass lies within


@dataclass(frozen=True)
class ErrorSizes:
    """How large the errors of past polling averages were, as standard deviations of the
    margin in points (``drift_per_day``: the variance added by each day still to go)."""

    common: float
    state: float
    poll: float
    drift_per_day: float
    years: tuple[int, ...]  # the presidential years the state and poll errors come from
    common_years: tuple[int, ...] = ()  # the election years the common error comes from


@dataclass(frozen=True)
class PlaceAverage:
    state: str  # "" for the nation
    dem_pct: float
    rep_pct: float
    margin: float
    margin_lo80: float
    margin_hi80: float
    polls: int
    sd: float
    sd_sampling: float  # the interval's width from sampling error alone, for comparison

    @property
    def sampling_lo80(self) -> float:
        return self.margin - Z80 * self.sd_sampling

    @property
    def sampling_hi80(self) -> float:
        return self.margin + Z80 * self.sd_sampling


def election_day(cycle: int) -> dt.date:
    """The Tuesday after the first Monday of November of ``cycle``."""
    first = dt.date(cycle, 11, 1)
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return monday + dt.timedelta(days=1)


def grade_weight(grade: str) -> float:
    text = grade.strip().upper()
    if text in GRADE_WEIGHTS:
        return GRADE_WEIGHTS[text]
    try:
        numeric = float(text)  # 538's numeric grade, 0.0 to 3.0
    except ValueError:
        return UNGRADED_WEIGHT
    return 0.3 + 0.7 * min(max(numeric, 0.0), 3.0) / 3.0 if math.isfinite(numeric) else 0.5


def allocated(poll: PollRecord) -> tuple[float, float]:
    """The two shares with the undecided allocated in proportion to the candidates named."""
    scale = 100 / poll.decided
    return poll.dem_pct * scale, poll.rep_pct * scale


def allocated_margin(poll: PollRecord) -> float:
    dem, rep = allocated(poll)
    return dem - rep


def sampling_variance(poll: PollRecord) -> float:
    """The variance of a poll's margin from sampling alone, in points squared."""
    dem, rep = poll.dem_pct / 100, poll.rep_pct / 100
    n = poll.sample_size or SAMPLE_REFERENCE
    return 10_000 * max(dem + rep - (dem - rep) ** 2, 0.01) / n


def usable_polls(polls: Sequence[PollRecord], as_of: dt.date) -> list[PollRecord]:
    """The polls the average as of ``as_of`` reads: ended on or before it, within the
    window, asking about the matchup most of those ask about."""
    recent = [p for p in polls if p.end_date <= as_of and (as_of - p.end_date).days <= WINDOW_DAYS]
    if not recent:
        return []
    matchup, _ = Counter((p.dem_candidate, p.rep_candidate) for p in recent).most_common(1)[0]
    return [p for p in recent if (p.dem_candidate, p.rep_candidate) == matchup]


def _weights(polls: list[PollRecord], as_of: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Each poll's weight without recency (for house effects) and with it (for the average)."""
    lately: Counter[tuple[str, str]] = Counter(
        (p.state, p.pollster) for p in polls if (as_of - p.end_date).days <= FLOOD_DAYS
    )
    base = np.array(
        [
            math.sqrt(min(p.sample_size or SAMPLE_REFERENCE, SAMPLE_CAP) / SAMPLE_REFERENCE)
            * POPULATION_WEIGHTS[p.population]
            * grade_weight(p.grade)
            / math.sqrt(max(lately[(p.state, p.pollster)], 1))
            for p in polls
        ]
    )
    age = np.array([(as_of - p.end_date).days for p in polls], dtype=float)
    return base, base * 0.5 ** (age / HALF_LIFE_DAYS)


def house_effects(polls: list[PollRecord], weights: np.ndarray) -> dict[str, float]:
    """Each pollster's house effect on the margin (points; positive leans Democratic).

    Solved by backfitting: each place's level is the weighted mean of its polls less their
    pollsters' effects, each pollster's effect the weighted sum of its polls' distances from
    their places' levels over its weight plus the ridge, in turn until they settle. Every
    step is a sum over the polls, so thousands of polls take milliseconds, and no step
    needs a linear-algebra library's threads (which a busy server's cores make slow)."""
    places = sorted({p.state for p in polls})
    pollsters = sorted({p.pollster for p in polls})
    if len(pollsters) < 2:
        return dict.fromkeys(pollsters, 0.0)
    place_index = {s: i for i, s in enumerate(places)}
    pollster_index = {name: i for i, name in enumerate(pollsters)}
    rows = np.array([place_index[p.state] for p in polls])
    cols = np.array([pollster_index[p.pollster] for p in polls])
    y = np.array([allocated_margin(p) for p in polls])
    place_weight = np.bincount(rows, weights=weights, minlength=len(places))
    pollster_weight = np.bincount(cols, weights=weights, minlength=len(pollsters)) + HOUSE_RIDGE
    effects: np.ndarray = np.zeros(len(pollsters))
    for _ in range(BACKFIT_ROUNDS):
        sums = np.bincount(rows, weights=weights * (y - effects[cols]), minlength=len(places))
        level = sums / np.maximum(place_weight, 1e-12)
        lean = np.bincount(cols, weights=weights * (y - level[rows]), minlength=len(pollsters))
        fitted = lean / pollster_weight
        settled = float(np.max(np.abs(fitted - effects))) < BACKFIT_TOLERANCE
        effects = fitted
        if settled:
            break
    # The effects are relative: centred on the polls' weighted mean, so that correcting them
    # moves a pollster against the others, not the level of every average.
    effects = effects - float(weights @ effects[cols]) / float(weights.sum())
    return {name: float(effects[i]) for name, i in pollster_index.items()}


def polling_average(
    polls: Sequence[PollRecord],
    *,
    as_of: dt.date,
    sizes: ErrorSizes,
    election: dt.date | None = None,
) -> list[PlaceAverage]:
    """The average of every place with a usable poll as of ``as_of`` (the nation first,
    then the states by code)."""
    used = usable_polls(polls, as_of)
    if not used:
        return []
    if election is None:
        cycle = max(p.cycle for p in used)
        election = election_day(cycle if cycle >= as_of.year else presidential_cycle(as_of))
    days_out = max((election - as_of).days, 0)
    base, weights = _weights(used, as_of)
    houses = house_effects(used, base)
    # Every poll's figures once, as arrays a place's rows index.
    effect = np.array([houses[p.pollster] for p in used])
    shares = np.array([allocated(p) for p in used])
    sampling = np.array([sampling_variance(p) for p in used])
    age = np.array([(as_of - p.end_date).days for p in used], dtype=float)
    by_place: dict[str, list[int]] = defaultdict(list)
    for index, poll in enumerate(used):
        by_place[poll.state].append(index)
    nonsampling = sizes.poll**2
    out = []
    for place in sorted(by_place):
        rows = np.array(by_place[place])
        w = weights[rows]
        if w.sum() <= 0:  # only polls so old their weight underflows: weigh them alike
            w = np.ones(len(rows))
        w = w / w.sum()
        dem = float(w @ (shares[rows, 0] - effect[rows] / 2))
        rep = float(w @ (shares[rows, 1] + effect[rows] / 2))
        var_sampling = float(w**2 @ sampling[rows])
        var_total = (
            float(w**2 @ (sampling[rows] + nonsampling))
            + sizes.state**2
            + sizes.common**2
            + sizes.drift_per_day * (days_out + float(w @ age[rows]))
        )
        sd = math.sqrt(var_total)
        margin = dem - rep
        out.append(
            PlaceAverage(
                state=place,
                dem_pct=dem,
                rep_pct=rep,
                margin=margin,
                margin_lo80=margin - Z80 * sd,
                margin_hi80=margin + Z80 * sd,
                polls=len(rows),
                sd=sd,
                sd_sampling=math.sqrt(var_sampling),
            )
        )
    return out


def plain_mean(polls: Sequence[PollRecord], *, as_of: dt.date, days: int = 14) -> dict[str, float]:
    """The baseline: each place's plain mean margin over the polls of the last ``days`` days
    (the same matchup as the average), no weights, no house effects."""
    margins: dict[str, list[float]] = defaultdict(list)
    for poll in usable_polls(polls, as_of):
        if (as_of - poll.end_date).days < days:
            margins[poll.state].append(poll.margin)
    return {place: sum(values) / len(values) for place, values in margins.items()}

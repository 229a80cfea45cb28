"""The polling average's backtest on 2016 and 2020: the average as of 1, 2, 4 and 8 weeks
before election day, against the certified margins, beside the plain mean of the last 14
days' polls.

Polls: 538's 2016 file; 538's 2020 file (which stops on 2020-10-21) with the final three
weeks' polls of the raw-polls file added where the 2020 file does not have them. Results:
the county returns summed per state and nationally. The error sizes of each year's interval
come from the presidential years before it only.

Figures, per year and weeks out: the mean absolute error on the margin and the bias (mean
signed error, positive: the polls leaned Democratic) over the states both methods cover;
how often the 80% interval held the result, and how often an interval from sampling error
alone would have (the comparison the desk's interval must beat); the same for the close
states alone (decided by under ten points). The national average is reported on its own
line, not among the states.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundgame.insights import polls_history
from groundgame.insights.polling_average import (
    ErrorSizes,
    PlaceAverage,
    election_day,
    plain_mean,
    polling_average,
)
from groundgame.insights.polls_read import PollRecord, read_polls
from groundgame.insights.polls_states import NATIONAL, UnknownPlace, state_code

WEEKS_OUT = (1, 2, 4, 8)
POLL_FILES = {
    2016: "polls/president_general_polls_2016_538.csv",
    2020: "polls/president_polls_2020_to_2020-10-21_538.csv",
}
RAW_POLLS = "polls/raw_polls_with_results_538_2023release.csv"
RESULTS = "elections/county_president_2016_2020_2024.csv"
# States decided by less than this many points are reported apart as the close ones.
CLOSE = 10.0


@dataclass(frozen=True)
class BacktestInputs:
    polls: list[PollRecord]
    results: dict[str, float]  # place -> certified margin (dem - rep, points)
    sizes: ErrorSizes


def state_margins(path: Path, year: int) -> dict[str, float]:
    """The certified margin per state and for the nation ("") from the county returns."""
    dem: dict[str, int] = defaultdict(int)
    rep: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if int(row["year"]) != year:
                continue
            try:
                state = state_code(row["state"])
            except UnknownPlace:
                # MEDSL's 2016 rows of write-ins and overseas ballots have no state ("NA")
                # and repeat one total; they are left out of the nation's too.
                continue
            for place in (state, NATIONAL):
                dem[place] += int(row["votes_dem"])
                rep[place] += int(row["votes_gop"])
                total[place] += int(row["total_votes"])
    return {p: 100 * (dem[p] - rep[p]) / total[p] for p in total if total[p]}


def inputs(data: Path, year: int) -> BacktestInputs:
    with (data / POLL_FILES[year]).open(newline="", encoding="utf-8-sig") as stream:
        polls = read_polls(stream).polls
    if year == 2020:
        # The raw-polls file holds each race's final 21 days; take the polls the 2020 file,
        # which stops on October 21, does not already have.
        have = {(p.poll_id, p.state) for p in polls}
        last = max(p.end_date for p in polls)
        polls += [
            p
            for p in polls_history.raw_presidential_polls(data / RAW_POLLS, year=year)
            if (p.poll_id, p.state) not in have and p.end_date > last
        ]
    return BacktestInputs(
        polls=polls,
        results=state_margins(data / RESULTS, year),
        sizes=polls_history.error_sizes(data / RAW_POLLS, before=year),
    )


def _score(
    averages: list[PlaceAverage], plain: dict[str, float], results: dict[str, float]
) -> dict[str, Any]:
    states = [a for a in averages if a.state and a.state in plain and a.state in results]
    if not states:
        return {"states": 0}
    n = len(states)
    errors = [a.margin - results[a.state] for a in states]
    plain_errors = [plain[a.state] - results[a.state] for a in states]
    held = sum(a.margin_lo80 <= results[a.state] <= a.margin_hi80 for a in states)
    held_sampling = sum(a.sampling_lo80 <= results[a.state] <= a.sampling_hi80 for a in states)
    national = next((a for a in averages if not a.state), None)
    close = [a for a in states if abs(results[a.state]) < CLOSE]
    return {
        "states": n,
        "mae": round(sum(abs(e) for e in errors) / n, 2),
        "bias": round(sum(errors) / n, 2),
        "coverage80": round(held / n, 3),
        "coverage80_sampling_only": round(held_sampling / n, 3),
        "mean_width80": round(sum(a.margin_hi80 - a.margin_lo80 for a in states) / n, 2),
        "plain14_mae": round(sum(abs(e) for e in plain_errors) / n, 2),
        "plain14_bias": round(sum(plain_errors) / n, 2),
        "close_states": len(close),
        "close_mae": _mae([a.margin - results[a.state] for a in close]),
        "close_coverage80": (
            round(
                sum(a.margin_lo80 <= results[a.state] <= a.margin_hi80 for a in close) / len(close),
                3,
            )
            if close
            else None
        ),
        "national_error": round(national.margin - results[""], 2) if national else None,
        "national_held80": (
            national.margin_lo80 <= results[""] <= national.margin_hi80 if national else None
        ),
    }


def _mae(errors: list[float]) -> float | None:
    return round(sum(abs(e) for e in errors) / len(errors), 2) if errors else None


def backtest_year(data: Path, year: int) -> dict[str, Any]:
    given = inputs(data, year)
    election = election_day(year)
    by_weeks = {}
    for weeks in WEEKS_OUT:
        as_of = election - dt.timedelta(weeks=weeks)
        averages = polling_average(given.polls, as_of=as_of, sizes=given.sizes, election=election)
        score = _score(averages, plain_mean(given.polls, as_of=as_of), given.results)
        by_weeks[f"{weeks}w"] = {"as_of": as_of.isoformat(), **score}
    return {
        "polls": len(given.polls),
        "error_sizes": {
            "common": round(given.sizes.common, 2),
            "state": round(given.sizes.state, 2),
            "poll": round(given.sizes.poll, 2),
            "drift_per_day": given.sizes.drift_per_day,
            "from_years": list(given.sizes.years),
            "common_from_years": list(given.sizes.common_years),
        },
        "weeks_out": by_weeks,
    }


def _overall(years: dict[str, dict[str, Any]]) -> dict[str, Any]:
    cells = [c for y in years.values() for c in y["weeks_out"].values() if c.get("states")]
    n = sum(c["states"] for c in cells)
    if not n:
        return {}

    def pooled(key: str) -> float:
        return float(sum(c[key] * c["states"] for c in cells) / n)

    mae, plain = pooled("mae"), pooled("plain14_mae")
    coverage = pooled("coverage80")
    return {
        "state_estimates": n,
        "mae": round(mae, 2),
        "plain14_mae": round(plain, 2),
        "coverage80": round(coverage, 3),
        "coverage80_sampling_only": round(pooled("coverage80_sampling_only"), 3),
        "goal_lower_error_than_plain_mean": mae < plain,
        "goal_coverage_75_to_85": 0.75 <= coverage <= 0.85,
    }


def backtest(data: Path) -> dict[str, Any]:
    """The figures for both years and pooled over them."""
    years = {str(year): backtest_year(data, year) for year in POLL_FILES}
    return {**years, "overall": _overall(years)}

"""The early-vote projection tried on elections whose outcome is known, beside the naive one.

- 2016 -> 2020: the history is what was known before 2020 (presidential returns 2000-2016,
  ballots by method 2016 and 2018); the early ballots are EAVS 2020's (mail, absentee, early
  in person); the outcome is each county's 2020 presidential total.
- 2024 in six states (AK, AL, AR, CT, DE, HI): history up to 2020; the early ballots are the
  2024 returns' absentee, early and mail modes; the outcome is the county's 2024 presidential
  total (the mode file's own total where the county returns do not have the county, as for
  Connecticut's counties, which the 2024 returns give as planning regions). Alaska reports
  its early ballots statewide only, so no county of it can be tried.

Per state: counties tried, the median absolute error of the county projections (percent),
the error of the state's total (sum of counties, percent), and the share of counties whose
outcome fell in their 80% interval; the naive projection's errors beside them. Reads the
files directly (``results_files``), so it needs no database.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from groundgame.insights import results_files as files
from groundgame.insights.turnout_model import Projection, growth_sd, histories, project


@dataclass(frozen=True)
class Trial:
    state: str
    projection: Projection
    actual: int


def _read(data_dir: Path, name: str) -> str:
    return (data_dir / name).read_text(encoding="utf-8")


def _totals(data_dir: Path) -> dict[tuple[int, str], int]:
    rows = [
        *files.medsl_county_returns(_read(data_dir, files.MEDSL_COUNTY_RETURNS)).rows,
        *files.county_returns(_read(data_dir, files.COUNTY_RETURNS)).rows,
    ]
    return {(r.year, r.county_fips): r.total for r in rows}


def _ballots(data_dir: Path) -> dict[tuple[int, str], tuple[int, int]]:
    return {
        (r.year, r.county_fips): (r.total, r.early)
        for year in files.EAVS_YEARS
        for r in files.eavs_methods(_read(data_dir, files.eavs_file(year))).rows
    }


def _trials(
    year: int,
    totals: dict[tuple[int, str], int],
    ballots: dict[tuple[int, str], tuple[int, int]],
    early_and_actual: Iterable[tuple[str, str, int, int]],
) -> list[Trial]:
    """Project each (state, fips, early, actual) from the history before ``year``; counties
    without a history or without early ballots cannot be tried."""
    history = histories(totals=totals, ballots=ballots, year=year)
    spread = growth_sd(totals, before=year)
    return [
        Trial(
            state,
            project(county_fips=fips, early_ballots=early, history=history[fips], growth_sd=spread),
            actual,
        )
        for state, fips, early, actual in early_and_actual
        if fips in history and early > 0 and actual > 0
    ]


def _pct(projected: float, actual: float) -> float:
    return 100 * (projected - actual) / actual


def summary(trials: list[Trial]) -> dict[str, object]:
    """Errors and coverage of a group of trials, the naive projection's beside them."""
    naive = [t for t in trials if t.projection.naive_total is not None]
    actual = sum(t.actual for t in trials)
    covered = sum(1 for t in trials if t.projection.lo80 <= t.actual <= t.projection.hi80)
    lo = sum(t.projection.lo80 for t in trials)
    hi = sum(t.projection.hi80 for t in trials)
    return {
        "counties": len(trials),
        "county_median_abs_error_pct": round(
            statistics.median(abs(_pct(t.projection.projected_total, t.actual)) for t in trials),
            1,
        ),
        "total_error_pct": round(
            _pct(sum(t.projection.projected_total for t in trials), actual), 1
        ),
        "coverage80": round(covered / len(trials), 3),
        "total_in_interval": lo <= actual <= hi,
        "naive_county_median_abs_error_pct": round(
            statistics.median(abs(_pct(t.projection.naive_total or 0, t.actual)) for t in naive),
            1,
        )
        if naive
        else None,
        "naive_total_error_pct": round(
            _pct(sum(t.projection.naive_total or 0 for t in naive), sum(t.actual for t in naive)),
            1,
        )
        if naive
        else None,
    }


def by_state(trials: list[Trial]) -> dict[str, object]:
    states: dict[str, list[Trial]] = {}
    for trial in trials:
        states.setdefault(trial.state, []).append(trial)
    return {
        "all": summary(trials),
        "states": {state: summary(group) for state, group in sorted(states.items())},
    }


def backtest_2020(data_dir: Path) -> dict[str, object]:
    totals, ballots = _totals(data_dir), _ballots(data_dir)
    known = {k: v for k, v in ballots.items() if k[0] < 2020}
    early = []
    for (year, fips), actual in totals.items():
        count, before = ballots.get((2020, fips)), ballots.get((2016, fips))
        if year != 2020 or count is None or before is None or not _trusted(count, actual):
            continue
        # EAVS counts ballots for any office; its early ballots are put in presidential votes
        # with the county's 2016 ratio of the two (known before 2020).
        if _trusted(before, totals.get((2016, fips), 0)):
            votes = round(count[1] * totals[(2016, fips)] / before[0])
            early.append((files.STATE_BY_FIPS[fips[:2]], fips, votes, actual))
    return by_state(_trials(2020, totals, known, early))


def backtest_2024(data_dir: Path) -> dict[str, object]:
    totals, ballots = _totals(data_dir), _ballots(data_dir)
    modes = files.county_modes_2024(_read(data_dir, files.BALLOTS_BY_MODE_2024)).rows
    early = [
        (m.state, m.county_fips, m.early, totals.get((2024, m.county_fips), m.total)) for m in modes
    ]
    return by_state(_trials(2024, totals, ballots, early))


def _trusted(count: tuple[int, int], presidential_total: int) -> bool:
    """Whether a county's EAVS count is a reading (not a placeholder, as WI's 2016 total)."""
    total, early = count
    return total > 0 and early <= total and 0.8 <= total / max(presidential_total, 1) <= 1.25


def backtest(public_data: Path) -> dict[str, Any]:
    """The early-vote backtest as one JSON-ready dict, from ``elections/`` of the public data
    set."""
    data_dir = public_data / "elections"
    return {
        "method": "county total = precision-weighted mean of history and early/last share "
        "(log scale); 80% interval; naive = early ballots / last early share",
        "2016_to_2020": backtest_2020(data_dir),
        "2024_six_states": backtest_2024(data_dir),
    }

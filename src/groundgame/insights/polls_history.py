"""How wrong presidential polls were, from 538's raw polls with their results
(``raw_polls_with_results_538_2023release.csv``: every poll of a race's final 21 days, 1998
to 2022, beside the certified margin).

A poll's error on the margin (poll minus result) is split three ways, by moments:

- ``common``: the mean error of a year's races, which moved every state the same way (the
  polls missed towards Clinton in 2016 and towards Biden in 2020 almost everywhere), read
  from every federal election year's races (``common_error``);
- ``state``: what a state's presidential race mean missed by beyond the year's mean (less
  the part its polls' own noise explains);
- ``poll``: one poll's spread around its race's mean beyond its sampling error.

``drift_per_day`` is not in the file (it holds the final three weeks only): it is an
assumption, the variance of the margin's movement per day still to go before the election,
set so that eight weeks out adds about two points of standard deviation.

The same file gives the backtest of 2020 its polls of the last two weeks, which the 2020 poll
file lacks (``raw_presidential_polls``).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

from groundgame.insights.polling_average import ErrorSizes, sampling_variance
from groundgame.insights.polls_read import PollRecord, parse_date
from groundgame.insights.polls_states import UnknownPlace, state_code

GENERAL_RACES = ("Pres-G", "Sen-G", "Gov-G", "House-G")
DRIFT_PER_DAY = 0.07
# The sizes from every year in the file (presidential races 2000 to 2020, every kind of race
# 1998 to 2022 for the common error), for the desk when the file is not at hand;
# ``tests/insights/test_polls_history.py`` checks them against it.
BUNDLED = ErrorSizes(
    common=2.65,
    state=3.74,
    poll=1.36,
    drift_per_day=DRIFT_PER_DAY,
    years=(2000, 2004, 2008, 2012, 2016, 2020),
    common_years=tuple(range(1998, 2023, 2)),
)
_SUFFIXES = {"jr.", "jr", "sr.", "sr", "ii", "iii", "iv"}


def _surname(name: str) -> str:
    words = [w for w in name.replace(",", " ").split() if w.lower() not in _SUFFIXES]
    return words[-1] if words else name


def _rows(path: Path, kinds: tuple[str, ...] = ("Pres-G",)) -> list[dict[str, str]]:
    """The polls of general-election races of these kinds between a Democrat and a
    Republican."""
    with path.open(newline="", encoding="utf-8") as stream:
        return [
            row
            for row in csv.DictReader(stream)
            if row["type_simple"] in kinds
            and row["cand1_party"] == "DEM"
            and row["cand2_party"] == "REP"
        ]


def _error(row: dict[str, str]) -> float:
    """A poll's error on the margin, its undecided allocated as the average allocates them."""
    named = float(row["cand1_pct"]) + float(row["cand2_pct"]) + float(row["cand3_pct"] or 0)
    margin = float(row["cand1_pct"]) - float(row["cand2_pct"])
    return margin * 100 / max(named, 1.0) - float(row["margin_actual"])


def common_error(path: Path, *, before: int) -> tuple[float, tuple[int, ...]]:
    """The error that moves every race together: the root mean square, over the federal
    election years (even) before ``before``, of the mean error of the year's races for
    president, Senate, governor and House. Every kind of race is read because the
    presidential years alone are too few (four before 2016) to say how large it gets."""
    races: dict[tuple[int, str], list[float]] = defaultdict(list)
    for row in _rows(path, GENERAL_RACES):
        year = int(row["year"])
        if year % 2 == 0 and year < before:
            races[(year, row["race"])].append(_error(row))
    by_year: dict[int, list[float]] = defaultdict(list)
    for (year, _race), errors in races.items():
        by_year[year].append(_mean(errors))
    years = tuple(sorted(by_year))
    return math.sqrt(_mean([_mean(by_year[y]) ** 2 for y in years])), years


def _place(location: str) -> str | None:
    try:
        return state_code(location)
    except UnknownPlace:
        return None  # a congressional district


def error_sizes(path: Path, *, before: int) -> ErrorSizes:
    """The sizes from the presidential years before ``before``, so that a backtest of a year
    never learns from that year's own errors."""
    races: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    for row in _rows(path):
        year = int(row["year"])
        place = _place(row["location"])
        if year >= before or place is None:
            continue
        poll = PollRecord(
            poll_id=None,
            question_id=None,
            cycle=year,
            state=place,
            pollster="",
            grade="",
            sample_size=int(float(row["samplesize"] or 600)) or None,
            population="lv",
            start_date=dt.date(year, 1, 1),
            end_date=dt.date(year, 1, 1),
            dem_candidate="",
            rep_candidate="",
            dem_pct=float(row["cand1_pct"]),
            rep_pct=float(row["cand2_pct"]),
            other_pct=float(row["cand3_pct"] or 0),
        )
        error = _error(row)
        races[(year, place)].append((error, sampling_variance(poll)))
    within_sum = within_df = sampling_sum = 0.0
    polls = 0
    means: dict[tuple[int, str], float] = {}
    for key, values in races.items():
        mean = sum(e for e, _ in values) / len(values)
        means[key] = mean
        within_sum += sum((e - mean) ** 2 for e, _ in values)
        within_df += len(values) - 1
        sampling_sum += sum(s for _, s in values)
        polls += len(values)
    within = within_sum / within_df if within_df else 0.0
    nonsampling = max(within - sampling_sum / max(polls, 1), 0.0)
    years = sorted({year for year, _ in races})
    year_mean = {
        year: _mean([m for (y, s), m in means.items() if y == year and s]) for year in years
    }
    state_races = [(key, m) for key, m in means.items() if key[1]]
    spread = _mean([(m - year_mean[key[0]]) ** 2 for key, m in state_races])
    noise = _mean([within / len(races[key]) for key, _ in state_races])
    common, common_years = common_error(path, before=before)
    return ErrorSizes(
        common=common,
        state=math.sqrt(max(spread - noise, 0.0)),
        poll=math.sqrt(nonsampling),
        drift_per_day=DRIFT_PER_DAY,
        years=tuple(years),
        common_years=common_years,
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def raw_presidential_polls(path: Path, *, year: int) -> list[PollRecord]:
    """The general-election presidential polls of ``year`` in the raw-polls file, as records
    the average reads. The file gives a poll's median field date (read as its end), no
    population (its polls are likely-voter versions where there was one) and no grade."""
    out = []
    for row in _rows(path):
        place = _place(row["location"])
        if int(row["year"]) != year or place is None:
            continue
        day = parse_date(row["polldate"], "polldate")
        out.append(
            PollRecord(
                poll_id=int(row["poll_id"]),
                question_id=int(row["question_id"]),
                cycle=year,
                state=place,
                pollster=row["pollster"].strip(),
                grade="",
                sample_size=int(float(row["samplesize"])) if row["samplesize"] else None,
                population="lv",
                start_date=day,
                end_date=day,
                dem_candidate=_surname(row["cand1_name"]),
                rep_candidate=_surname(row["cand2_name"]),
                dem_pct=float(row["cand1_pct"]),
                rep_pct=float(row["cand2_pct"]),
                other_pct=float(row["cand3_pct"] or 0),
            )
        )
    return out

"""Reads of the turnout projection and results analysis that pages and other apps need.
Aggregates only: no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from groundgame.insights import turnout_backtest
from groundgame.insights.models import EarlyVoteCount, ElectionFileLoad
from groundgame.insights.results_analysis import ThirdParty, third_party, years_held
from groundgame.insights.results_files import STATES, Refusal
from groundgame.insights.turnout_early import early_votes_read
from groundgame.insights.turnout_model import History
from groundgame.insights.turnout_projection import (
    CountyProjection,
    TurnoutReport,
    counties_project,
    counties_with_history,
    history_held,
    turnout_report,
)

# --- Turnout and results -------------------------------------------------------------------


def election_year(today: int | None = None) -> int:
    """The presidential election this year or next (the one the desk projects)."""
    year = today or timezone.localdate().year
    return year + (-year) % 4


@dataclass(frozen=True)
class StateTurnout:
    state: str
    projected_total: int
    lo80: int
    hi80: int
    goal: int | None
    counties: int


def turnout_projection(year: int) -> TurnoutReport:
    """Every county with early ballots recorded, each state and each org unit."""
    return turnout_report(year)


def turnout_vs_goal(year: int | None = None) -> list[StateTurnout]:
    """Each state's projected turnout from the early ballots recorded, with its 80% interval
    and the campaign's goal there, if one is set."""
    report = turnout_report(year or election_year())
    return [
        StateTurnout(s.name, s.projected_total, s.lo80, s.hi80, s.goal, s.counties)
        for s in report.states
    ]


def election_file_loads() -> list[ElectionFileLoad]:
    """The latest load of each election file."""
    latest: dict[str, ElectionFileLoad] = {}
    for load in ElectionFileLoad.objects.order_by("-loaded_at", "-pk"):
        latest.setdefault(load.file_name, load)
    return sorted(latest.values(), key=lambda load: load.file_name)


def election_data_dir() -> Path:
    """Where the public election files are read from by default: ``elections/`` of the public
    data set (``GROUNDGAME_PUBLIC_DATA``)."""
    return Path(settings.GROUNDGAME_PUBLIC_DATA) / "elections"


def early_votes_project(*, text: str, year: int | None = None) -> EarlyProjection:
    """Project the counties of an early-ballots file from the history held, without recording
    anything; the rows refused say why."""
    year = year or election_year()
    read = early_votes_read(text, known_counties=counties_with_history(year))
    counties = counties_project(year, [(r.county_fips, r.early_ballots) for r in read.rows])
    return EarlyProjection(counties=counties, refusals=read.refusals)


@dataclass(frozen=True)
class EarlyProjection:
    counties: list[CountyProjection]
    refusals: list[Refusal]


def third_party_margins(*, year: int, states: tuple[str, ...] = ()) -> list[ThirdParty]:
    return third_party(year, states)


def early_vote_backtest(public_data: Path | None = None) -> dict[str, Any]:
    """The early-vote projection's backtest on the public data set (no database)."""
    return turnout_backtest.backtest(public_data or Path(settings.GROUNDGAME_PUBLIC_DATA))


def results_loaded() -> bool:
    return bool(years_held())


def state_codes() -> list[str]:
    return sorted(STATES)


def turnout_histories(year: int, counties: list[str]) -> dict[str, History]:
    """What the app holds about these counties before ``year`` (for the demo's early ballots)."""
    return history_held(year, counties)[0]


def early_votes_recorded(year: int) -> int:
    """How many counties have early ballots recorded for ``year``."""
    return EarlyVoteCount.objects.filter(year=year).count()

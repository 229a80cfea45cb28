"""The projection of this year's turnout from the early ballots and the history the app holds,
per county and rolled up to states and to the campaign's org units.

Roll-ups add the counties' interval ends, as if every county erred the same way at once:
the early share moves with a state's law and a national mood, so county errors do not cancel
out, and an interval that assumed they did would be far too narrow.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.core.cache import cache

from groundgame.insights.models import (
    CountyBallots,
    CountyReturn,
    EarlyVoteCount,
    ElectionFileLoad,
    TurnoutGoal,
)
from groundgame.insights.results_files import STATE_BY_FIPS
from groundgame.insights.turnout_model import (
    History,
    Projection,
    growth_sd,
    histories,
    project,
)
from groundgame.organizing import selectors as organizing


@dataclass(frozen=True)
class CountyProjection:
    projection: Projection
    state: str
    county_name: str
    last_total: int
    last_share: float | None
    share_shift: float

    @property
    def share_move(self) -> float:
        """The factor the early share moved by between the last two elections held."""
        return math.exp(self.share_shift)


@dataclass(frozen=True)
class RollUp:
    name: str
    counties: int
    early_ballots: int
    projected_total: int
    lo80: int
    hi80: int
    last_total: int
    goal: int | None = None


def _growth_spread(year: int) -> float:
    """``growth_sd`` over every county held, kept in the cache until the next load: it reads
    every return, and a page needs it on each view."""
    latest = ElectionFileLoad.objects.order_by("-pk").values_list("pk", "loaded_at").first()
    stamp = f"{latest[0]}:{latest[1].timestamp()}" if latest else "none"
    key = f"insights:growth-sd:{year}:{stamp}"
    spread = cache.get(key)
    if spread is None:
        totals = {
            (y, f): t
            for y, f, t in CountyReturn.objects.values_list("year", "county_fips", "total_votes")
        }
        spread = growth_sd(totals, before=year)
        cache.set(key, spread, timeout=None)
    return float(spread)


def history_held(
    year: int, counties: Collection[str] | None = None
) -> tuple[dict[str, History], float]:
    """The history before ``year`` of the given counties (all if None) from the tables, and
    the spread of county totals between presidential elections."""
    returns = CountyReturn.objects.filter(year__lt=year)
    ballots_held = CountyBallots.objects.filter(year__lt=year)
    if counties is not None:
        returns = returns.filter(county_fips__in=list(counties))
        ballots_held = ballots_held.filter(county_fips__in=list(counties))
    totals = {(y, f): t for y, f, t in returns.values_list("year", "county_fips", "total_votes")}
    ballots = {
        (y, f): (t, e)
        for y, f, t, e in ballots_held.values_list("year", "county_fips", "total", "early")
    }
    return histories(totals=totals, ballots=ballots, year=year), _growth_spread(year)


def counties_project(year: int, early: Iterable[tuple[str, int]]) -> list[CountyProjection]:
    """Project each (county, early ballots) the app holds a history for."""
    early = list(early)
    held, spread = history_held(year, [fips for fips, _ in early])
    names = dict(
        CountyReturn.objects.filter(year=year - 4, county_fips__in=list(held)).values_list(
            "county_fips", "county_name"
        )
    )
    result = []
    for fips, ballots in early:
        history = held.get(fips)
        if history is None:
            continue
        result.append(
            CountyProjection(
                projection=project(
                    county_fips=fips,
                    early_ballots=ballots,
                    history=history,
                    growth_sd=spread,
                ),
                state=STATE_BY_FIPS[fips[:2]],
                county_name=names.get(fips, ""),
                last_total=history.last_total,
                last_share=history.last_share,
                share_shift=history.share_shift,
            )
        )
    return result


def roll_up(name: str, counties: list[CountyProjection], goal: int | None = None) -> RollUp:
    return RollUp(
        name=name,
        counties=len(counties),
        early_ballots=sum(c.projection.early_ballots for c in counties),
        projected_total=sum(c.projection.projected_total for c in counties),
        lo80=sum(c.projection.lo80 for c in counties),
        hi80=sum(c.projection.hi80 for c in counties),
        last_total=sum(c.last_total for c in counties),
        goal=goal,
    )


@dataclass(frozen=True)
class TurnoutReport:
    year: int
    counties: list[CountyProjection]
    states: list[RollUp]
    units: list[RollUp]
    history_loaded: bool


def turnout_report(year: int) -> TurnoutReport:
    """This year's projection from the early ballots recorded: every county, each state, and
    each org unit that covers counties (a team, and the regions and states above it)."""
    early = list(
        EarlyVoteCount.objects.filter(year=year)
        .order_by("county_fips")
        .values_list("county_fips", "early_ballots")
    )
    counties = counties_project(year, early) if early else []
    goals = dict(TurnoutGoal.objects.filter(year=year).values_list("state", "ballots"))
    by_state: dict[str, list[CountyProjection]] = {}
    for county in counties:
        by_state.setdefault(county.state, []).append(county)
    states = [roll_up(s, cs, goals.get(s)) for s, cs in sorted(by_state.items())]
    team_of = organizing.coverage_map() if counties else {}
    paths = organizing.unit_paths_by_id() if counties else {}
    units = []
    for unit in organizing.org_unit_list() if counties else []:
        inside = [
            c
            for c in counties
            if paths.get(team_of.get(c.projection.county_fips, -1), "").startswith(unit.path)
        ]
        if inside:
            units.append(roll_up(unit.name, inside))
    return TurnoutReport(
        year=year,
        counties=counties,
        states=states,
        units=units,
        history_loaded=CountyReturn.objects.filter(year=year - 4).exists(),
    )


def counties_of_units(unit_paths: tuple[str, ...]) -> set[str]:
    """The counties covered by the teams under any of these units."""
    paths = organizing.unit_paths_by_id()
    return {
        fips
        for fips, unit in organizing.coverage_map().items()
        if any(paths.get(unit, "").startswith(p) for p in unit_paths)
    }


def counties_with_history(year: int) -> set[str]:
    """The counties with a presidential total four years before ``year``: those the
    projection can read."""
    return set(
        CountyReturn.objects.filter(year=year - 4, total_votes__gt=0).values_list(
            "county_fips", flat=True
        )
    )

"""The election desk's API: aggregates every staff member may read, and the early ballots
that admins and directors record for their counties."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Ge, Le, MaxLen
from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.core.api_types import CleanStr
from groundgame.core.errors import ValidationFailed
from groundgame.insights import errors, selectors, services

router = Router(tags=["insights"])

Year = Annotated[int, Ge(2000), Le(2100)]


class RangeOut(Schema):
    name: str
    counties: int
    projected_total: int
    lo80: int
    hi80: int
    goal: int | None


class CountyOut(Schema):
    county_fips: str
    state: str
    early_ballots: int
    projected_total: int
    lo80: int
    hi80: int


class ProjectionOut(Schema):
    year: int
    states: list[RangeOut]
    counties: list[CountyOut]


@router.get("/turnout/projection", response=ProjectionOut)
def turnout_projection(request: HttpRequest, year: Year | None = None) -> ProjectionOut:
    """This year's projection from the early ballots recorded: counties and states."""
    report = selectors.turnout_projection(year or selectors.election_year())
    return ProjectionOut(
        year=report.year,
        states=[
            RangeOut(
                name=s.name,
                counties=s.counties,
                projected_total=s.projected_total,
                lo80=s.lo80,
                hi80=s.hi80,
                goal=s.goal,
            )
            for s in report.states
        ],
        counties=[
            CountyOut(
                county_fips=c.projection.county_fips,
                state=c.state,
                early_ballots=c.projection.early_ballots,
                projected_total=c.projection.projected_total,
                lo80=c.projection.lo80,
                hi80=c.projection.hi80,
            )
            for c in report.counties
        ],
    )


class EarlyVotesIn(Schema):
    csv: Annotated[CleanStr, MaxLen(200_000)]
    year: Year | None = None


class RecordedOut(Schema):
    counties: int


@router.post("/turnout/early-votes", response=RecordedOut)
def early_votes_record(request: HttpRequest, payload: EarlyVotesIn) -> RecordedOut:
    """Record counties' early ballots (``county_fips,early_ballots`` CSV); a bad or
    out-of-scope row refuses the whole file with every row named."""
    read = services.early_votes_import(
        actor=request.user, year=payload.year or selectors.election_year(), text=payload.csv
    )
    return RecordedOut(counties=len(read.rows))


class ThirdPartyOut(Schema):
    state: str
    winner: str
    margin: int
    third_party_votes: int
    exceeds_margin: bool
    source: str


@router.get("/results/third-party", response=list[ThirdPartyOut])
def third_party(request: HttpRequest, year: Year = 2024, states: str = "") -> list[ThirdPartyOut]:
    """Per state: the winner, the margin and the third-party votes, with the source lines."""
    codes = tuple(s.strip().upper() for s in states.split(",") if s.strip())
    unknown = [c for c in codes if c not in selectors.state_codes()]
    if unknown:
        raise ValidationFailed(
            f"Not a state: {', '.join(repr(c) for c in unknown[:5])}.",
            code=errors.RESULTS_QUERY_INVALID,
            field="states",
        )
    rows = selectors.third_party_margins(year=year, states=codes)
    return [
        ThirdPartyOut(
            state=r.state,
            winner=r.winner,
            margin=r.margin,
            third_party_votes=r.third_party_votes,
            exceeds_margin=r.exceeds_margin,
            source=r.source,
        )
        for r in rows
    ]

"""The election desk's API: polls, poll files and the polling average. Aggregates, so every
staff member reads them; adding polls is scoped as on the pages (``services``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from groundgame.core.api_types import CleanStr, Id, Offset
from groundgame.core.errors import NotFound
from groundgame.insights import errors, selectors, services
from groundgame.insights.models import Poll, PollImport

router = Router(tags=["insights"])

Limit = Annotated[int, Ge(1), Le(500)]


class PollOut(Schema):
    id: int
    poll_id: int | None
    state: str
    pollster: str
    grade: str
    sample_size: int | None
    population: str
    start_date: dt.date
    end_date: dt.date
    dem_candidate: str
    rep_candidate: str
    dem_pct: float
    rep_pct: float
    other_pct: float


class PollIn(Schema):
    state: CleanStr = ""
    pollster: CleanStr
    grade: CleanStr = ""
    sample_size: Annotated[int, Ge(1), Le(10_000_000)] | None = None
    population: CleanStr
    start_date: dt.date
    end_date: dt.date
    dem_candidate: CleanStr
    rep_candidate: CleanStr
    dem_pct: float
    rep_pct: float
    other_pct: float = 0.0


class PlaceOut(Schema):
    state: str
    dem_pct: float
    rep_pct: float
    margin: float
    margin_lo80: float
    margin_hi80: float
    polls: int


class AverageOut(Schema):
    as_of: dt.date | None
    places: list[PlaceOut]


class ProblemOut(Schema):
    line: int
    reason: str


class PollImportOut(Schema):
    id: int
    filename: str
    status: str
    lines: int
    polls: int
    done: int
    added: int
    changed: int
    unchanged: int
    rejected: int
    error: str
    problems: list[ProblemOut]


def _poll_out(poll: Poll) -> PollOut:
    return PollOut(
        id=poll.pk,
        poll_id=poll.poll_id,
        state=poll.state,
        pollster=poll.pollster,
        grade=poll.grade,
        sample_size=poll.sample_size,
        population=poll.population,
        start_date=poll.start_date,
        end_date=poll.end_date,
        dem_candidate=poll.dem_candidate,
        rep_candidate=poll.rep_candidate,
        dem_pct=poll.dem_pct,
        rep_pct=poll.rep_pct,
        other_pct=poll.other_pct,
    )


@router.get("/polls", response=list[PollOut])
def poll_list(
    request: HttpRequest, state: CleanStr | None = None, limit: Limit = 100, offset: Offset = 0
) -> list[PollOut]:
    """Polls, latest first; ``state`` a state's code or name, "US" for national polls."""
    place = None if state is None else selectors.place_code(state)
    return [_poll_out(p) for p in selectors.poll_list(state=place)[offset : offset + limit]]


@router.post("/polls", response={201: PollOut})
def poll_create(request: HttpRequest, payload: PollIn) -> Status[PollOut]:
    """Add one poll (a state's by its staff, a national one by national staff)."""
    poll = services.poll_create(actor=request.user, **payload.dict())
    return Status(201, _poll_out(poll))


@router.get("/polls/average", response=AverageOut)
def polling_average(
    request: HttpRequest, as_of: CleanStr | None = None, state: CleanStr | None = None
) -> AverageOut:
    """The average per state and nationally (``state`` ""), as of a date (YYYY-MM-DD;
    default: the latest poll's end), from the polls that ended by then."""
    average = selectors.polling_average_as_of(selectors.as_of_date(as_of))
    places = average.places
    if state is not None:
        code = selectors.place_code(state)
        places = [p for p in places if p.state == code]
    return AverageOut(
        as_of=average.as_of,
        places=[
            PlaceOut(
                state=p.state,
                dem_pct=round(p.dem_pct, 2),
                rep_pct=round(p.rep_pct, 2),
                margin=round(p.margin, 2),
                margin_lo80=round(p.margin_lo80, 2),
                margin_hi80=round(p.margin_hi80, 2),
                polls=p.polls,
            )
            for p in places
        ],
    )


def _import_out(run: PollImport) -> PollImportOut:
    return PollImportOut(
        id=run.pk,
        filename=run.filename,
        status=run.status,
        lines=run.lines,
        polls=run.polls,
        done=run.done,
        added=run.added,
        changed=run.changed,
        unchanged=run.unchanged,
        rejected=run.rejected,
        error=run.error,
        problems=[
            ProblemOut(line=p.line, reason=p.reason)
            for p in selectors.poll_import_problems(run.pk)[:100]
        ],
    )


@router.post("/polls/imports", response={202: PollImportOut})
def poll_import_create(request: HttpRequest, file: File[UploadedFile]) -> Status[PollImportOut]:
    """Upload a poll file in 538's format (national staff); it is read in the background.
    A file without the format's columns is refused at once (422 ``poll_file_columns``)."""
    run = services.poll_import_start(
        actor=request.user, filename=file.name or "upload.csv", content=file.read()
    )
    return Status(202, _import_out(run))


@router.get("/polls/imports/{import_id}", response=PollImportOut)
def poll_import_get(request: HttpRequest, import_id: Id) -> PollImportOut:
    """An import's progress and the first 100 lines it did not read, with their reasons."""
    run = selectors.poll_import_get(import_id)
    if run is None:
        raise NotFound(f"No poll import {import_id}.", code=errors.POLL_IMPORT_NOT_FOUND)
    return _import_out(run)

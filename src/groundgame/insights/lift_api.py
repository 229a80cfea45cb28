"""The measurement API: turnout models, programs with their holdouts and pieces, outcomes,
and each program's power and lift. The writes check scope in their services; models, power
and lift are aggregates every staff member reads."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.core.api_types import CleanStr, Id
from groundgame.core.errors import NotFound
from groundgame.insights import errors, holdouts, lift_outcomes, propensity, selectors
from groundgame.insights.models import Program

router = Router(tags=["insights"])


class ModelOut(Schema):
    id: int
    state: str
    fitted_on: dt.date
    scores_for: dt.date
    voters_scored: int
    current: bool
    backtest: dict[str, Any]
    coefficients: dict[str, Any]


class FitIn(Schema):
    state: CleanStr


class ProgramIn(Schema):
    name: CleanStr
    universe_id: Id
    org_unit_id: Id
    holdout_percent: float
    target_effect_points: float = 1.0


class ProgramOut(Schema):
    id: int
    name: str
    universe_id: int
    org_unit_id: int
    holdout_percent: int
    target_effect_bp: int
    seed: int | None
    status: str
    households: int
    households_held_out: int


class DrawIn(Schema):
    seed: int | None = None


class PieceIn(Schema):
    channel: CleanStr
    name: CleanStr = ""


class PieceOut(Schema):
    key: str
    channel: str


class IntervalOut(Schema):
    low: float
    high: float


class LiftOut(Schema):
    outcome: str
    effect: float
    interval: IntervalOut
    naive_interval: IntervalOut
    assigned: int
    held_out: int
    assigned_rate: float
    held_out_rate: float
    households: int
    reached: int
    complier_effect: float | None
    complier_interval: IntervalOut | None


class PowerOut(Schema):
    base_rate: float
    effect: float
    holdout: float
    people_per_household: float
    icc: float
    households_needed: int
    households: int
    detectable: float
    enough: bool


class TurnoutOutcomeIn(Schema):
    name: CleanStr
    election_date: dt.date


class FileOutcomeIn(Schema):
    name: CleanStr
    kind: CleanStr
    csv: str


class OutcomeOut(Schema):
    id: int
    name: str
    kind: str
    election_date: dt.date | None
    rows: int


@router.get("/propensity/models", response=list[ModelOut])
def propensity_models(request: HttpRequest) -> Any:
    """Each state's turnout models, current first, with their backtest figures."""
    return list(selectors.propensity_model_list()[:50])


@router.post("/propensity/models", response={201: ModelOut})
def propensity_model_fit(request: HttpRequest, payload: FitIn) -> Any:
    """Fit a state's model and score its voters (national admins)."""
    return 201, propensity.propensity_fit(actor=request.user, state=payload.state)


@router.get("/programs", response=list[ProgramOut])
def program_list(request: HttpRequest) -> Any:
    return list(selectors.program_list()[:200])


@router.post("/programs", response={201: ProgramOut})
def program_create(request: HttpRequest, payload: ProgramIn) -> Any:
    """A program cut from a universe; a holdout of 0% or 100% is refused."""
    return 201, holdouts.program_create(
        actor=request.user,
        name=payload.name,
        universe_id=payload.universe_id,
        org_unit_id=payload.org_unit_id,
        holdout_percent=payload.holdout_percent,  # type: ignore[arg-type]
        target_effect_bp=_hundredths(payload.target_effect_points),
    )


def _hundredths(points: float) -> Any:
    """Points as hundredths of a point; a value that is no number goes on as it is, for the
    service to refuse by name."""
    return round(points * 100) if math.isfinite(points) else points


def _program(program_id: int) -> Program:
    program = selectors.program_get(program_id)
    if program is None:
        raise NotFound("There is no such program.", code=errors.PROGRAM_NOT_FOUND)
    return program


@router.get("/programs/{int:program_id}", response=ProgramOut)
def program_get(request: HttpRequest, program_id: Id) -> Any:
    return _program(program_id)


@router.post("/programs/{int:program_id}/draw", response=ProgramOut)
def program_draw(request: HttpRequest, program_id: Id, payload: DrawIn) -> Any:
    """Draw the holdout by household with the seed given or a fresh one (before the start)."""
    return holdouts.program_holdout_draw(
        actor=request.user, program_id=program_id, seed=payload.seed
    )


@router.post("/programs/{int:program_id}/start", response=ProgramOut)
def program_start(request: HttpRequest, program_id: Id) -> Any:
    return holdouts.program_start(actor=request.user, program_id=program_id)


@router.post("/programs/{int:program_id}/pieces", response={201: PieceOut})
def program_piece_add(request: HttpRequest, program_id: Id, payload: PieceIn) -> Any:
    return 201, holdouts.program_piece_add(
        actor=request.user, program_id=program_id, channel=payload.channel, name=payload.name
    )


@router.get("/programs/{int:program_id}/power", response=PowerOut | None)
def program_power(request: HttpRequest, program_id: Id) -> Any:
    """Households needed to detect the program's target effect, and whether it has them."""
    power = selectors.program_power(_program(program_id))
    if power is None:
        return None
    return {**power.__dict__, "enough": power.enough}


@router.get("/programs/{int:program_id}/lift", response=list[LiftOut])
def program_lift(request: HttpRequest, program_id: Id) -> Any:
    """The program's effect on each outcome, with its 95% interval robust to households."""
    program = _program(program_id)
    out = []
    for outcome in selectors.outcome_list():
        reading = selectors.program_lift(program, outcome)
        if reading is None:
            continue
        itt, complier = reading.itt, reading.complier
        out.append(
            {
                "outcome": outcome.name,
                "effect": itt.effect,
                "interval": itt.interval.__dict__,
                "naive_interval": itt.naive.__dict__,
                "assigned": itt.assigned,
                "held_out": itt.held_out,
                "assigned_rate": itt.assigned_rate,
                "held_out_rate": itt.held_out_rate,
                "households": itt.households,
                "reached": reading.reached,
                "complier_effect": complier.effect if complier else None,
                "complier_interval": complier.interval.__dict__ if complier else None,
            }
        )
    return out


@router.post("/outcomes/turnout", response={201: OutcomeOut})
def outcome_turnout(request: HttpRequest, payload: TurnoutOutcomeIn) -> Any:
    return 201, lift_outcomes.outcome_turnout_create(
        actor=request.user, name=payload.name, election_date=payload.election_date
    )


@router.post("/outcomes/file", response={201: OutcomeOut})
def outcome_file(request: HttpRequest, payload: FileOutcomeIn) -> Any:
    """An outcome from CSV text (``state,voter_id``); a file with unknown voter ids or
    repeated rows is refused whole, with each bad row named in the message."""
    return 201, lift_outcomes.outcome_file_upload(
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        data=payload.csv.encode("utf-8", errors="replace"),
    )

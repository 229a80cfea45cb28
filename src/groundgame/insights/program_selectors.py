"""Reads of turnout propensity and of programs with holdouts, for other apps and pages. Models,
scores, lift and power are aggregates every staff member sees; who was held out is personal,
and its export is scoped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from groundgame.insights.lift_readings import Reading, program_lift, program_power
from groundgame.insights.models import (
    HoldoutAssignment,
    Outcome,
    Program,
    PropensityModel,
    PropensityScore,
)
from groundgame.organizing.selectors import StaffScope

__all__ = [
    "PersonPropensity",
    "Reading",
    "assignment_rows",
    "outcome_list",
    "person_propensity",
    "program_get",
    "program_lift",
    "program_list",
    "program_power",
    "programs_running",
    "propensity_model_list",
]


@dataclass(frozen=True)
class PersonPropensity:
    score: float
    state: str
    scores_for: Any


def person_propensity(person_id: int) -> PersonPropensity | None:
    """The person's turnout score by their state's current model, if scored."""
    row = (
        PropensityScore.objects.filter(voter__person_id=person_id)
        .values_list("score", "model__state", "model__scores_for")
        .first()
    )
    return PersonPropensity(*row) if row else None


def propensity_model_list() -> QuerySet[PropensityModel]:
    """Each state's current model first, then the ones they replaced."""
    return PropensityModel.objects.order_by("-current", "state", "-created_at")


def program_list() -> QuerySet[Program]:
    return Program.objects.select_related("universe", "org_unit").order_by("-created_at")


def program_get(program_id: int) -> Program | None:
    return program_list().filter(pk=program_id).first()


def programs_running() -> int:
    """Programs under way: each holds out the households it drew, as it had to to start."""
    return Program.objects.filter(status=Program.Status.RUNNING).count()


def outcome_list() -> QuerySet[Outcome]:
    return Outcome.objects.order_by("-created_at")


def assignment_rows(program: Program, scope: StaffScope) -> QuerySet[Any]:
    """(person id, household id, held out) of the assigned people the staff member may see."""
    return (
        HoldoutAssignment.objects.filter(program=program)
        .filter(scope.person_filter("person__org_unit__path"))
        .order_by("household_id", "person_id")
        .values_list("person_id", "household_id", "held_out")
    )

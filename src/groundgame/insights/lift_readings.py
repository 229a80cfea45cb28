"""A program's lift on an outcome, and its power before it runs, from its stored holdout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import QuerySet

from groundgame.field import selectors as field_selectors
from groundgame.insights import holdouts, lift
from groundgame.insights.models import HoldoutAssignment, Outcome, OutcomeRecord, Program
from groundgame.people import selectors as people_selectors


@dataclass(frozen=True)
class Reading:
    program: Program
    outcome: Outcome
    itt: lift.Estimate
    complier: lift.ComplierEffect | None
    reached: int


def _outcome_people(outcome: Outcome) -> QuerySet[Any]:
    if outcome.kind == Outcome.Kind.VOTED and outcome.election_date is not None:
        return people_selectors.person_ids_voted(outcome.election_date)
    return OutcomeRecord.objects.filter(outcome=outcome).values("person_id")


def program_lift(program: Program, outcome: Outcome) -> Reading | None:
    """The program's effect on the outcome, or None before its holdout is drawn."""
    rows = np.array(
        list(
            HoldoutAssignment.objects.filter(program=program)
            .order_by()
            .values_list("person_id", "household_id", "held_out")
        ),
        dtype=np.int64,
    )
    if not len(rows):
        return None
    assigned_people = HoldoutAssignment.objects.filter(program=program).values("person_id")
    with_outcome = np.array(
        list(
            _outcome_people(outcome)
            .filter(**{f"{_person_column(outcome)}__in": assigned_people})
            .values_list(_person_column(outcome), flat=True)
            .distinct()
        ),
        dtype=np.int64,
    )
    y = np.isin(rows[:, 0], with_outcome).astype(float)
    assigned = 1 - rows[:, 2]
    itt = lift.estimate(y, assigned, rows[:, 1])
    reached_households = np.array(
        list(
            field_selectors.households_reached(program.universe_id).values_list(
                "household_id", flat=True
            )
        ),
        dtype=np.int64,
    )
    reached = int((np.isin(rows[:, 1], reached_households) & (assigned == 1)).sum())
    return Reading(
        program=program,
        outcome=outcome,
        itt=itt,
        complier=lift.complier_effect(itt, reached=reached),
        reached=reached,
    )


def _person_column(outcome: Outcome) -> str:
    return (
        "voter__person_id"
        if outcome.kind == Outcome.Kind.VOTED and outcome.election_date is not None
        else "person_id"
    )


def program_power(program: Program) -> lift.Power | None:
    """Whether the program is big enough to see its target effect, at the turnout of the
    last general among its people (and how alike households voted in it); None when the
    universe has nobody with an address."""
    people = holdouts.program_people(program)
    pairs = np.array(list(people.order_by().values_list("pk", "household_id")), dtype=np.int64)
    if not len(pairs):
        return None
    last = people_selectors.latest_general()
    voted = (
        np.array(
            list(
                people_selectors.person_ids_voted(last)
                .filter(voter__person_id__in=people.values("pk"))
                .values_list("voter__person_id", flat=True)
            ),
            dtype=np.int64,
        )
        if last is not None
        else np.zeros(0, dtype=np.int64)
    )
    y = np.isin(pairs[:, 0], voted).astype(float)
    households = len(np.unique(pairs[:, 1]))
    return lift.power(
        base_rate=float(y.mean()) if last is not None else 0.5,
        effect=program.target_effect_bp / 10_000,
        holdout=program.holdout_percent / 100,
        people_per_household=len(pairs) / households,
        icc=lift.intraclass_correlation(y, pairs[:, 1]) if last is not None else 0.0,
        households=households,
    )

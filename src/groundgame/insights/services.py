"""The writes of the insights app that other modules call."""

from groundgame.insights.holdouts import (
    program_create,
    program_holdout_draw,
    program_holdout_set,
    program_piece_add,
    program_start,
)
from groundgame.insights.lift_outcomes import (
    OutcomeFileInvalid,
    outcome_file_upload,
    outcome_turnout_create,
)
from groundgame.insights.propensity import propensity_fit

__all__ = [
    "OutcomeFileInvalid",
    "outcome_file_upload",
    "outcome_turnout_create",
    "program_create",
    "program_holdout_draw",
    "program_holdout_set",
    "program_piece_add",
    "program_start",
    "propensity_fit",
]

"""The writes of the insights app that other modules call."""

from groundgame.insights.holdouts import (
    program_create,
    program_holdout_draw,
    program_holdout_set,
    program_piece_add,
    program_start,
)

__all__ = [
    "program_create",
    "program_holdout_draw",
    "program_holdout_set",
    "program_piece_add",
    "program_start",
]

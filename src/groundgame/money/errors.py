"""Stable error codes of the money app. Never rename one; add a new one instead."""

from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

CONTRIBUTION_INVALID = "contribution_invalid"
CONTRIBUTION_NOT_FOUND = "contribution_not_found"
CONTRIBUTION_CONFLICT = "contribution_conflict"
COMMITTEE_INVALID = "committee_invalid"
COMMITTEE_NOT_FOUND = "committee_not_found"
ELECTION_INVALID = "election_invalid"
ELECTION_NOT_FOUND = "election_not_found"
ADJUSTMENT_INVALID = "adjustment_invalid"
EXCESS_NOT_FOUND = "limit_excess_not_found"
EXCESS_INVALID = "limit_excess_invalid"
MONEY_DENIED = "money_denied"
DONOR_NOT_FOUND = "donor_not_found"

__all__ = [
    "ADJUSTMENT_INVALID",
    "COMMITTEE_INVALID",
    "COMMITTEE_NOT_FOUND",
    "CONTRIBUTION_CONFLICT",
    "CONTRIBUTION_INVALID",
    "CONTRIBUTION_NOT_FOUND",
    "DONOR_NOT_FOUND",
    "ELECTION_INVALID",
    "ELECTION_NOT_FOUND",
    "EXCESS_INVALID",
    "EXCESS_NOT_FOUND",
    "MONEY_DENIED",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "ValidationFailed",
]

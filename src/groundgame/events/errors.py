"""Stable error codes of the events app."""

from groundgame.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

NOT_STAFF = "not_staff"
EVENT_INVALID = "event_invalid"
EVENT_NOT_FOUND = "event_not_found"
EVENT_NOT_OPEN = "event_not_open"
EVENT_NOT_IN_SCOPE = "event_not_in_scope"
PROPOSAL_DECIDED = "event_proposal_decided"
SHIFT_INVALID = "shift_invalid"
SHIFT_NOT_FOUND = "shift_not_found"
SHIFT_OVER = "shift_over"
RSVP_INVALID = "rsvp_invalid"
RSVP_NOT_FOUND = "rsvp_not_found"
RSVP_RATE_LIMITED = "rsvp_rate_limited"
ZIP_UNKNOWN = "zip_unknown"

__all__ = [
    "EVENT_INVALID",
    "EVENT_NOT_FOUND",
    "EVENT_NOT_IN_SCOPE",
    "EVENT_NOT_OPEN",
    "NOT_STAFF",
    "PROPOSAL_DECIDED",
    "RSVP_INVALID",
    "RSVP_NOT_FOUND",
    "RSVP_RATE_LIMITED",
    "SHIFT_INVALID",
    "SHIFT_NOT_FOUND",
    "SHIFT_OVER",
    "ZIP_UNKNOWN",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

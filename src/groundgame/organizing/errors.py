"""Stable error codes of the organizing app."""

from groundgame.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

UNIT_NAME_TAKEN = "org_unit_name_taken"
UNIT_BAD_PARENT = "org_unit_bad_parent"
ROLE_UNKNOWN = "staff_role_unknown"
LOGIN_LOCKED = "login_locked"
NOT_STAFF = "not_staff"
NOT_MANAGER = "not_manager"
# Events, shifts and RSVPs.
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
ZIP_UNKNOWN = "zip_unknown"

__all__ = [
    "EVENT_INVALID",
    "EVENT_NOT_FOUND",
    "EVENT_NOT_IN_SCOPE",
    "EVENT_NOT_OPEN",
    "LOGIN_LOCKED",
    "NOT_MANAGER",
    "NOT_STAFF",
    "PROPOSAL_DECIDED",
    "ROLE_UNKNOWN",
    "RSVP_INVALID",
    "RSVP_NOT_FOUND",
    "SHIFT_INVALID",
    "SHIFT_NOT_FOUND",
    "SHIFT_OVER",
    "UNIT_BAD_PARENT",
    "UNIT_NAME_TAKEN",
    "ZIP_UNKNOWN",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

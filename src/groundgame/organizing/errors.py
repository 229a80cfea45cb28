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
# Sign-up intake.
SIGNUP_INVALID = "signup_invalid"
SIGNUP_FORM_NOT_FOUND = "signup_form_not_found"
SIGNUP_FORM_CLOSED = "signup_form_closed"
SIGNUP_FORM_SLUG_TAKEN = "signup_form_slug_taken"
IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
INTAKE_RATE_LIMITED = "intake_rate_limited"
PAYLOAD_TOO_LARGE = "payload_too_large"
INVALID_JSON = "invalid_json"
FOLLOW_UP_NOT_FOUND = "follow_up_not_found"
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
    "FOLLOW_UP_NOT_FOUND",
    "IDEMPOTENCY_KEY_INVALID",
    "IDEMPOTENCY_KEY_REQUIRED",
    "INTAKE_RATE_LIMITED",
    "INVALID_JSON",
    "LOGIN_LOCKED",
    "NOT_MANAGER",
    "NOT_STAFF",
    "PAYLOAD_TOO_LARGE",
    "PROPOSAL_DECIDED",
    "ROLE_UNKNOWN",
    "RSVP_INVALID",
    "RSVP_NOT_FOUND",
    "SHIFT_INVALID",
    "SHIFT_NOT_FOUND",
    "SHIFT_OVER",
    "SIGNUP_FORM_CLOSED",
    "SIGNUP_FORM_NOT_FOUND",
    "SIGNUP_FORM_SLUG_TAKEN",
    "SIGNUP_INVALID",
    "UNIT_BAD_PARENT",
    "UNIT_NAME_TAKEN",
    "ZIP_UNKNOWN",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

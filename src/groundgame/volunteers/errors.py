"""Stable error codes of the volunteers app."""

from groundgame.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)

NOT_MANAGER = "not_manager"
SIGNUP_INVALID = "signup_invalid"
SIGNUP_FORM_NOT_FOUND = "signup_form_not_found"
SIGNUP_FORM_CLOSED = "signup_form_closed"
SIGNUP_FORM_SLUG_TAKEN = "signup_form_slug_taken"
IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
# The code keeps the word clients already test for.
SIGNUP_RATE_LIMITED = "intake_rate_limited"
PAYLOAD_TOO_LARGE = "payload_too_large"
INVALID_JSON = "invalid_json"
FOLLOW_UP_NOT_FOUND = "follow_up_not_found"
FOLLOW_UP_ATTEMPT_INVALID = "follow_up_attempt_invalid"
FOLLOW_UP_CLOSED = "follow_up_closed"
FOLLOW_UP_CHANGED = "follow_up_changed"
FOLLOW_UP_OPEN = "follow_up_open"

__all__ = [
    "FOLLOW_UP_ATTEMPT_INVALID",
    "FOLLOW_UP_CHANGED",
    "FOLLOW_UP_CLOSED",
    "FOLLOW_UP_NOT_FOUND",
    "FOLLOW_UP_OPEN",
    "IDEMPOTENCY_KEY_INVALID",
    "IDEMPOTENCY_KEY_REQUIRED",
    "INVALID_JSON",
    "NOT_MANAGER",
    "PAYLOAD_TOO_LARGE",
    "SIGNUP_FORM_CLOSED",
    "SIGNUP_FORM_NOT_FOUND",
    "SIGNUP_FORM_SLUG_TAKEN",
    "SIGNUP_INVALID",
    "SIGNUP_RATE_LIMITED",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

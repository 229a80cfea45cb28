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
TWO_FACTOR_CODE_WRONG = "two_factor_code_wrong"
TWO_FACTOR_RESET_DENIED = "two_factor_reset_denied"

__all__ = [
    "LOGIN_LOCKED",
    "NOT_MANAGER",
    "NOT_STAFF",
    "ROLE_UNKNOWN",
    "TWO_FACTOR_CODE_WRONG",
    "TWO_FACTOR_RESET_DENIED",
    "UNIT_BAD_PARENT",
    "UNIT_NAME_TAKEN",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

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

__all__ = [
    "LOGIN_LOCKED",
    "NOT_MANAGER",
    "NOT_STAFF",
    "ROLE_UNKNOWN",
    "UNIT_BAD_PARENT",
    "UNIT_NAME_TAKEN",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ValidationFailed",
]

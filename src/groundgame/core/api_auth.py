"""API authentication: a signed-in staff session (the canvassing app and pages use it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import SessionAuth


class StaffSessionAuth(SessionAuth):
    """Like ninja's session auth, but only accounts with a staff role get through."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not request.staff_scope.is_staff:  # type: ignore[attr-defined]
            return None
        return user


staff_auth = StaffSessionAuth()

"""The ``ApplicationError`` family: every error a user can cause, with a stable code.

Services raise these; views turn them into field messages, the API into a 4xx JSON body
``{"code": ..., "message": ..., "field": ...}``. Codes are part of the API contract: never
rename one, add a new one instead.
"""

from __future__ import annotations

import math

from django.http import JsonResponse


class ApplicationError(Exception):
    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}

    def headers(self) -> dict[str, str]:
        """HTTP headers an answer carrying this error adds (none, unless said otherwise)."""
        return {}

    def json_response(self) -> JsonResponse:
        """The API's one error shape, with the error's headers."""
        response = JsonResponse(self.as_dict(), status=self.status)
        for name, value in self.headers().items():
            response[name] = value
        return response


class ValidationFailed(ApplicationError):
    code = "validation_failed"
    status = 422


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403


class Conflict(ApplicationError):
    code = "conflict"
    status = 409


class RateLimited(ApplicationError):
    """Too many at once; ``retry_after`` seconds (0: unknown) become the API's Retry-After."""

    code = "rate_limited"
    status = 429

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        retry_after: float = 0.0,
    ) -> None:
        super().__init__(message, code=code, field=field)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(math.ceil(self.retry_after))} if self.retry_after else {}

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from groundgame.organizing.selectors import staff_scope


class StaffScopeMiddleware:
    """Attaches ``request.staff_scope``, computed on first use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.staff_scope = SimpleLazyObject(lambda: staff_scope(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)

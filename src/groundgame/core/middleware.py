from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from groundgame.core import client_address, request_context


class RequestContextMiddleware:
    """Gives each request an id (echoed in ``X-Request-Id``) and records its client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        context = request_context.RequestContext(
            request_id=request_id,
            ip=client_address.of(request),
            path=request.path[:200],
        )
        token = request_context.activate(context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-Id"] = request_id
        return response

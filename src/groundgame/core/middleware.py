from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from groundgame.core import client_address, request_context

# Kept in a staff member's session: when they signed in and when they were last seen (to the
# minute, see SessionTimeoutMiddleware).
SIGNED_IN_AT = "groundgame.signed_in_at"
SEEN_AT = "groundgame.seen_at"
SEEN_RESOLUTION_SECONDS = 60


class RequestContextMiddleware:
    """Gives each request an id of the server's own (answered in ``X-Request-Id``), keeps the
    client's ``X-Request-Id`` beside it, and records the client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        context = request_context.RequestContext(
            request_id=request_id,
            ip=client_address.of(request),
            path=request.path[:200],
            client_request_id=request.headers.get("X-Request-Id", "")[:64],
        )
        token = request_context.activate(context)
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-Id"] = request_id
        return response


class PrivateResponsesMiddleware:
    """Nothing a signed-in user sees, and nothing the API answers, is kept by a browser's or a
    proxy's cache: those pages and exports hold people's personal data, and a shared computer's
    back button or disk cache would show it to the next person."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/") or request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class SessionTimeoutMiddleware:
    """Signs staff out after ``GROUNDGAME_SESSION_IDLE_MINUTES`` without a request and
    ``GROUNDGAME_SESSION_MAX_HOURS`` after signing in, whichever comes first.

    The last request's time is written at most once a minute, so that browsing does not
    write the session on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault(SIGNED_IN_AT, now)
            seen = session.get(SEEN_AT, now)
            idle = settings.GROUNDGAME_SESSION_IDLE_MINUTES * 60
            if now - seen > idle or now - started > settings.GROUNDGAME_SESSION_MAX_HOURS * 3600:
                logout(request)
            elif now - seen >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)

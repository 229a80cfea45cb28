from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from groundgame.volunteers import api

_SIGNUP_PATH = re.compile(r"/api/public/signups/(?P<slug>[^/]+)")


class PublicSignupMiddleware:
    """Answers ``POST /api/public/signups/<slug>`` ahead of the rest of the stack.

    A launch-day surge is thousands of these a second, and sessions, CSRF, authentication,
    messages and the API router cost more than the sign-up itself while it uses none of
    them: it reads and sets no cookie, acts on no account (the Idempotency-Key guards it) and
    renders nothing to frame. The same view is routed by the API too, which documents it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = _SIGNUP_PATH.fullmatch(request.path_info)
        if match is None or request.method != "POST":
            return self.get_response(request)
        response = api.signup_create(request, match["slug"])
        # What the security and common middleware would have added to a JSON answer; the
        # length lets a keep-alive client read the answer without chunked encoding.
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Length"] = str(len(response.content))
        return response

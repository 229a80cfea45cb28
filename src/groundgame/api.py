"""The JSON API: one NinjaAPI, each app's router mounted by its import path.

Routers are given as strings so that this module does not import the apps' private modules.
"""

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

from groundgame.core import json_body
from groundgame.core.api_auth import staff_auth
from groundgame.core.errors import ApplicationError


class BoundedJsonParser(Parser):
    """Bodies parsed by ``core.json_body``: too deep a nesting is a 400 ``json_too_deep``
    instead of the parser's exhausted stack, ``NaN`` a 400 ``invalid_json``."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        body: DictStrAny = json_body.loads(request.body)
        return body


api = NinjaAPI(
    parser=BoundedJsonParser(),
    title="groundgame",
    version="1",
    description="Campaign operations: people, organizing, and more. Errors are "
    '`{"code": ..., "message": ..., "field": ...}` with a stable `code`.',
    auth=staff_auth,
    urls_namespace="api",
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    for name, value in exc.headers().items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    location = [
        str(part)
        for part in first.get("loc", [])
        if part not in ("body", "query", "path", "payload")
    ]
    field = ".".join(location) or None
    message = first.get("msg", "Invalid input.")
    return api.create_response(
        request,
        {
            "code": "validation_failed",
            "message": f"{field}: {message}" if field else message,
            "field": field,
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja wraps whatever the body parser raises: answer the parser's own error.
    if isinstance(exc.__cause__, ApplicationError):
        return application_error(request, exc.__cause__)
    return api.create_response(
        request,
        {"code": "invalid_request", "message": exc.message, "field": None},
        status=exc.status_code,
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "not_authenticated", "message": "Sign in first.", "field": None},
        status=401,
    )


api.add_router("/people/", "groundgame.people.api.router")
api.add_router("/organizing/", "groundgame.organizing.api.router")
api.add_router("/organizing/", "groundgame.events.api.router")
api.add_router("/public/", "groundgame.volunteers.api.router")
api.add_router("/field/", "groundgame.field.api.router")
api.add_router("/money/", "groundgame.money.api.router")
api.add_router("/money/", "groundgame.money.spending_api.router")
api.add_router("/insights/", "groundgame.insights.api.router")
api.add_router("/insights/", "groundgame.insights.polls_api.router")
api.add_router("/insights/", "groundgame.insights.lift_api.router")
api.add_router("/insights/", "groundgame.insights.turnout_api.router")

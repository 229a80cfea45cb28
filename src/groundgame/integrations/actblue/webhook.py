"""The contribution webhook: ``POST /integrations/actblue/<endpoint>/`` with HTTP Basic auth.

Each endpoint has its own credentials (``GROUNDGAME_ACTBLUE_ENDPOINTS``, see
docs/operating.md), so that one leaked secret is changed alone. The body is checked whole
before anything is stored; a 200 means every line item is committed (as a receipt the worker
records within seconds), and ``new`` says how many were not stored already (0 for a retry).

Errors, in the API's one shape ``{"code", "message", "field"}``: 401 ``actblue_unauthorized``,
404 ``actblue_endpoint_not_found``, 405 ``method_not_allowed``, 413 ``payload_too_large``, 400
``invalid_json``/``json_too_deep``, 422 ``actblue_invalid`` naming the field
(``lineitems[1].amount``), 503 ``actblue_unavailable`` when the database is away (ActBlue
retries).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from groundgame.core import json_body
from groundgame.core.errors import ApplicationError
from groundgame.integrations.actblue import intake, parse

MAX_BODY_BYTES = 256 * 1024


def _error(status: int, code: str, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": field}, status=status)


def _authorized(request: HttpRequest, credentials: tuple[str, str]) -> bool:
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    username, _, password = given.partition(":")
    # Both compared whatever the first gives, so the time taken tells nothing.
    ok_user = hmac.compare_digest(username.encode(), credentials[0].encode())
    ok_password = hmac.compare_digest(password.encode(), credentials[1].encode())
    return ok_user and ok_password


@csrf_exempt
def contribution_webhook(request: HttpRequest, endpoint: str) -> HttpResponse:
    credentials = settings.GROUNDGAME_ACTBLUE_ENDPOINTS.get(endpoint)
    if credentials is None:
        return _error(404, "actblue_endpoint_not_found", f"No ActBlue endpoint {endpoint!r}.")
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "Send contributions with POST.")
        response["Allow"] = "POST"
        return response
    if not _authorized(request, credentials):
        response = _error(401, "actblue_unauthorized", "Wrong or missing credentials.")
        response["WWW-Authenticate"] = f'Basic realm="actblue-{endpoint}"'
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return _error(413, "payload_too_large", f"A body is at most {MAX_BODY_BYTES} bytes.")
    try:
        items = parse.webhook_line_items(json_body.loads(request.body))
    except ApplicationError as exc:
        return exc.json_response()
    try:
        stored = intake.receipts_store(endpoint=endpoint, items=items)
    except DatabaseError:
        return _error(503, "actblue_unavailable", "Not stored; send it again.")
    return JsonResponse({"received": stored.received, "new": stored.new}, status=200)
